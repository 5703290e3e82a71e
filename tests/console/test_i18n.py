"""The console in Chinese and English: complete catalogs, the language of each request, and the switch."""
from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.console.i18n import LANGUAGES, LOCALE_DIR, accepted_languages, catalog_path, choose_language
from console_support import PASSWORDS, login, open_ticket

CONSOLE_DIR = LOCALE_DIR.parent
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def marked_strings() -> set[str]:
    return {message for _, _, message, _, _ in extract_from_dir(str(CONSOLE_DIR), [("**.py", "python")])}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_translates_every_marked_string_and_nothing_else(language):
    with catalog_path(language).open("rb") as po:
        catalog = read_po(po, locale=language)
    entries = {m.id: m for m in catalog if m.id}
    marked = marked_strings()

    assert sorted(marked - set(entries)) == [], "marked in the code but missing from the catalog"
    assert sorted(set(entries) - marked) == [], "in the catalog but no longer marked in the code"
    for msgid, message in entries.items():
        assert message.string and not message.fuzzy, msgid
        assert set(PLACEHOLDER.findall(message.string)) == set(PLACEHOLDER.findall(msgid)), msgid


def test_the_chinese_catalog_is_chinese():
    with catalog_path("zh").open("rb") as po:
        catalog = read_po(po, locale="zh")
    untranslated = [m.id for m in catalog if m.id and not re.search(r"[\u4e00-\u9fff]", m.string)]
    assert untranslated == []


@pytest.mark.parametrize("cookie, header, expected", [
    (None, None, "zh"),
    (None, "en-US,en;q=0.9", "en"),
    (None, "fr-FR, zh-CN;q=0.8, en;q=0.5", "zh"),
    (None, "zh;q=0.3, en;q=0.9", "en"),
    (None, "en;q=0, zh-TW", "zh"),
    ("en", "zh-CN", "en"),
    ("klingon", "en", "en"),
])
def test_the_language_is_the_switchs_choice_else_the_browsers_else_chinese(cookie, header, expected):
    assert choose_language(cookie, header) == expected


def test_accept_language_is_read_by_quality_then_order():
    assert accepted_languages("da, en-gb;q=0.8, en;q=0.7") == ["da", "en-gb", "en"]
    assert accepted_languages("") == []


async def test_the_login_page_speaks_the_browsers_language(console):
    chinese, english = await console.client("zh-CN,zh;q=0.9"), await console.client("en-GB")
    zh_page = await (await chinese.get("/login")).text()
    en_page = await (await english.get("/login")).text()
    assert '<html lang="zh-CN">' in zh_page and "登录客服控制台" in zh_page
    assert '<html lang="en">' in en_page and "Log in to the support console" in en_page
    assert "用户名或密码错误。" in await (await login(chinese, "alice", "wrong")).text()


async def test_the_switch_remembers_the_language_and_returns_to_the_page(console):
    ticket = open_ticket(console.engine, "web:1", language="en", reason="manual_review")
    client = await console.client("en")
    await login(client, "alice", PASSWORDS["alice"])

    switched = await client.get(f"/language/zh?next=/tickets/{ticket.id}", allow_redirects=False)
    assert (switched.status, switched.headers["Location"]) == (303, f"/tickets/{ticket.id}")
    page = await (await client.get(f"/tickets/{ticket.id}")).text()
    assert "需要人工审核" in page and "英文" in page and "接手" in page
    data = await (await client.get("/queue.json")).json()
    assert data["waiting"][0]["reason_label"] == "需要人工审核"

    back = await client.get("/language/en?next=//evil.example", allow_redirects=False)
    assert back.headers["Location"] == "/"
    assert "Needs a manual review" in await (await client.get(f"/tickets/{ticket.id}")).text()
    assert (await client.get("/language/fr", allow_redirects=False)).status == 404


def test_every_reason_the_assistant_hands_over_for_has_a_label():
    from bot.console.labels import REASONS
    from bot.core.handoff import HandoffReason

    assert set(REASONS) == {reason.value for reason in HandoffReason}
