"""The notices' catalogs: every notice the notifier writes is in both, translated, with the same
placeholders, and the Chinese reads as Chinese (no English words left in it); each kind of notice,
written out, is in the family's language with Babel's dates, numbers and money."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.core.language import script_language
from bot.notify import texts
from bot.notify.catalog import LANGUAGES, catalog_path

PLACEHOLDER = re.compile(r"\{(\w+)\}")


def marked_messages() -> set[str]:
    """Every string marked N_("...") in bot/notify/texts.py, read from the source as a translator would."""
    tree = ast.parse(Path(texts.__file__).read_text(encoding="utf-8"))
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "N_"}


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_has_every_notice_translated_and_nothing_else(language):
    with catalog_path(language).open("rb") as po:
        catalog = {m.id: m.string for m in read_po(po, locale=language) if m.id}
    assert set(catalog) == marked_messages()
    for message, translation in catalog.items():
        assert translation, f"{message!r} is not translated into {language}"
        assert sorted(PLACEHOLDER.findall(translation)) == sorted(PLACEHOLDER.findall(message)), message


def test_the_chinese_notices_have_no_english_left_in_them():
    with catalog_path("zh").open("rb") as po:
        for message in read_po(po, locale="zh"):
            if message.id:
                words = PLACEHOLDER.sub("", message.string)
                assert not re.search(r"[A-Za-z]", words), message.string


PARAMS = {
    "decision": {"decision": "approve", "reason": "benign_confirmed", "enrollment_number": "SC261202-7KQ3M",
                 "waiting_period_end": "2027-03-02", "cover_start": "2027-03-03"},
    "deduction": {"deduction_on": "2026-12-14", "cases": 1234, "at_most": "1234", "enrollment_number": "SC261202-7KQ3M"},
    "waiting_period_end": {"cover_start": "2027-03-03", "enrollment_number": "SC261202-7KQ3M"},
    "deferred_reminder": {"enrolled_on": "2026-11-28", "enrollment_number": "SC261128-9EB33"},
}


@pytest.mark.parametrize("kind", sorted(PARAMS))
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_notice_and_its_template_fields_are_in_the_family_language(kind, language):
    text = texts.notice_text(kind, language, PARAMS[kind])
    assert script_language(text) == language
    fields = texts.template_fields(kind, language, PARAMS[kind])
    assert fields["remark"] == text and fields["keyword1"] == PARAMS[kind]["enrollment_number"]
    assert script_language(fields["first"]) == language


def test_numbers_money_and_dates_are_formatted_by_babel_for_each_language():
    zh, en = (texts.notice_text("deduction", language, PARAMS["deduction"]) for language in ("zh", "en"))
    assert "2026年12月14日" in zh and "共 1,234 例" in zh and "¥1,234.00" in zh
    assert "December 14, 2026" in en and "1,234 cases" in en and "CN¥1,234.00" in en
