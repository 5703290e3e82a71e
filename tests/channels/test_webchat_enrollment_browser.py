"""A whole enrollment in the web chat, in a real browser, in each language, on a phone and on a desktop.

What a family sees (issue 21): the starter buttons on the greeting, the step label on every form question
("第3步，共9步"), buttons at least 44 px, a health question in plain words on "什么意思？", the short
authorization after a mid-form question, the read-back with the masked ID exactly as stored and one line
per field, and the enrollment number as a card with a copy button. A screenshot of each step is kept
under results/screenshots/<language>-<width>/. Needs the trained model (`running_assistant`).
"""
from __future__ import annotations

import json
import random
import re
import pytest
from sqlalchemy import text

from bot import store
from bot.core.identity import check_character, mask_id_number, mask_phone
from bot.core.language import script_language

from .webchat_page import DESKTOP, PHONE, Chat, bot_texts, settle

pytestmark = [pytest.mark.browser, pytest.mark.rasa_server]


def fresh_id_number(female: bool) -> str:
    """A valid ID number of someone born in 1961 in Shenyang, not enrolled by another test."""
    sequence = random.randrange(10, 99) * 10 + random.choice([0, 2, 4, 6, 8] if female else [1, 3, 5, 7, 9])
    first = f"21010219610315{sequence:03d}"
    return first + check_character(first)


SCRIPTS = {
    "zh": {
        "start": "给父母报名", "starters": ["给父母报名", "保障什么", "要花多少钱", "找人工客服"],
        "agree": "同意", "relationship": "妈妈", "name": "王秀英", "female": True, "member_agrees": "本人同意",
        "no": "没有", "meaning": "什么意思？", "meaning_marker": "简单说", "declare": "确认属实",
        "mid_form": "扣款授权能取消吗", "authorize": "同意扣款授权", "submit": "正确，提交",
        "step": "第{n}步，共9步", "copy": "复制编号", "copied": "已复制",
        "read_back": ["最后请核对一下信息：", "姓名：{name}", "身份证号：{masked_id}", "关系：母亲",
                      "手机号：{masked_phone}", "都正确吗？确认后就提交报名。"],
        "short_authorization": "您同意开通上面说的自动扣款授权吗？",
    },
    "en": {
        "start": "Enroll a parent", "starters": ["Enroll a parent", "What it covers", "What it costs",
                                                 "Talk to a person"],
        "agree": "I agree", "relationship": "My father", "name": "Li Wei", "female": False,
        "member_agrees": "Yes, they agree", "no": "No", "meaning": "what does that mean?",
        "meaning_marker": "In plain words", "declare": "I confirm",
        "mid_form": "can I cancel the payment authorization", "authorize": "I authorize",
        "submit": "Correct, submit", "step": "Step {n} of 9", "copy": "Copy number", "copied": "Copied",
        "read_back": ["Finally, please check these details:", "Name: {name}", "ID number: {masked_id}",
                      "Relationship: your father", "Mobile: {masked_phone}",
                      "Is everything correct? Once you confirm, I'll submit the enrollment."],
        "short_authorization": "Do you authorize the recurring deductions described above?",
    },
}


def assert_buttons_are_touch_sized(chat: Chat) -> None:
    sizes = chat.reply_sizes()
    assert sizes, "the question has buttons"
    assert all(box["height"] >= 44 and box["width"] >= 44 for box in sizes), sizes


def assert_step(chat: Chat, script: dict, number: int) -> None:
    assert chat.last_step_label() == script["step"].format(n=number)


def enrollment_status(assistant, number: str) -> str:
    engine = store.engine_for(f"sqlite:///{assistant.data_dir / 'enrollment.db'}")
    with engine.connect() as connection:
        return connection.execute(text("SELECT status FROM enrollments WHERE enrollment_number = :n"),
                                  {"n": number}).scalar_one()


# Each language at one width and both widths covered: a whole enrollment takes over a minute in the
# browser, and the four combinations cost CI minutes it does not have.
@pytest.mark.parametrize("language, viewport", [("zh", PHONE), ("en", DESKTOP)], ids=["zh-phone", "en-desktop"])
def test_a_whole_enrollment_reads_right_on_screen(running_assistant, browser, axe_violations, language,
                                                  viewport):
    script = SCRIPTS[language]
    context = browser.new_context(locale="zh-CN" if language == "zh" else "en-US", viewport=viewport,
                                  permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    chat = Chat(page, f"{language}-{viewport['width']}")
    id_number = fresh_id_number(script["female"])
    phone = f"139{random.randrange(10**7, 10**8)}"
    page.goto(f"{running_assistant.url}/webhooks/webchat/?lang={language}")
    page.wait_for_selector(".rw-response", timeout=90_000)
    settle(page)
    chat.shot("greeting")
    assert axe_violations(page) == []

    # The greeting offers the four starters; the header leaves most of a phone's screen to the chat.
    assert [t.strip() for t in page.locator(".rw-reply").all_inner_texts()] == script["starters"]
    assert_buttons_are_touch_sized(chat)
    assert page.locator("header").bounding_box()["height"] <= 0.2 * viewport["height"]

    chat.tap(script["start"], "privacy")
    assert_step(chat, script, 1)
    assert_buttons_are_touch_sized(chat)
    chat.tap(script["agree"], "relationship")
    assert_step(chat, script, 2)
    chat.tap(script["relationship"], "name")
    assert_step(chat, script, 3)
    chat.type(script["name"], "id-number")
    assert_step(chat, script, 4)
    chat.type(id_number, "phone")
    assert_step(chat, script, 5)
    chat.type(phone, "health-consent")
    assert_step(chat, script, 6)
    chat.tap(script["agree"], "member-agreement")
    assert_step(chat, script, 6)
    chat.tap(script["member_agrees"], "health-1")
    assert_step(chat, script, 7)
    for question in range(1, 7):
        if question == 3:  # the jargon question, in plain words on request; the question stays open
            explained = chat.type(script["meaning"], "health-3-explained")
            assert any(reply.startswith(script["meaning_marker"]) for reply in explained), explained
            assert_step(chat, script, 7)
        chat.tap(script["no"], f"health-{question}-answered")
    assert_step(chat, script, 8)
    chat.tap(script["declare"], "authorization")
    assert_step(chat, script, 8)
    full_authorization = bot_texts(page)[-1]

    # A question in the middle: answered, then the authorization asked again in short.
    again = chat.type(script["mid_form"], "mid-form-question")
    assert again[-1].startswith(script["short_authorization"]) and again[-1] != full_authorization, again
    assert_buttons_are_touch_sized(chat)

    chat.tap(script["authorize"], "read-back")
    assert_step(chat, script, 9)
    read_back = page.locator(".rw-response").last
    expected = [line.format(name=script["name"], masked_id=mask_id_number(id_number),
                            masked_phone=mask_phone(phone)) for line in script["read_back"]]
    assert read_back.inner_text().strip().split("\n") == expected
    assert "********" in mask_id_number(id_number)
    assert read_back.locator("strong, em, ul, ol, code, a").count() == 0  # nothing read as Markdown

    done = chat.tap(script["submit"], "enrolled")
    assert all(script_language(reply) in (language, None) for reply in done), done
    number = running_assistant.tracker(f"web:{stored_session(page)}")["slots"]["enrollment_number"]
    assert number and enrollment_status(running_assistant, number) == "active"
    card = page.locator(".enrollment-number-card").last
    assert number in card.inner_text().split("\n")
    copy = card.locator("button.enrollment-copy")
    assert copy.inner_text() == script["copy"]
    copy.click()
    page.wait_for_timeout(300)
    assert copy.inner_text() == script["copied"]
    assert page.evaluate("navigator.clipboard.readText()") == number
    chat.shot("number-copied")
    assert axe_violations(page) == []  # the read-back, the buttons, the step labels and the card
    context.close()


def stored_session(page) -> str:
    return json.loads(page.evaluate("localStorage.getItem('chat_session')"))["session_id"]


def test_the_text_size_control_is_remembered(running_assistant, browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    chat = Chat(page, "text-size")
    page.goto(f"{running_assistant.url}/webhooks/webchat/")
    page.wait_for_selector(".rw-response", timeout=90_000)
    settle(page)

    def font_size() -> float:
        return float(re.sub("px$", "", page.locator(".rw-response .rw-markdown").first.evaluate(
            "element => getComputedStyle(element).fontSize")))

    normal = font_size()
    larger = page.get_by_role("button", name="字大一点")
    assert larger.bounding_box()["height"] >= 44
    larger.click()
    larger.click()
    chat.shot("larger-text")
    assert font_size() >= normal * 1.25
    page.reload()
    page.wait_for_selector(".rw-response", timeout=90_000)
    assert font_size() >= normal * 1.25  # remembered in this browser
    page.get_by_role("button", name="字小一点").click()
    assert normal < font_size() < normal * 1.25
    chat.shot("after-reload")
    context.close()


def test_a_family_typing_chinese_on_an_english_page_is_welcomed_in_chinese(running_assistant, browser):
    context = browser.new_context(locale="en-US", viewport=PHONE)
    page = context.new_page()
    chat = Chat(page, "typed-language")
    page.goto(f"{running_assistant.url}/webhooks/webchat/?lang=en")
    page.wait_for_selector(".rw-response", timeout=90_000)
    settle(page)
    assert script_language(bot_texts(page)[0]) == "en"
    welcome = chat.type("你好", "typed-chinese")
    assert script_language(welcome[0]) == "zh" and "报名助手" in welcome[0]
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "请输入消息…"
    assert [t.strip() for t in page.locator(".rw-reply").all_inner_texts()] == SCRIPTS["zh"]["starters"]
    for slip in ("qwzxv", "oh"):  # a slip of the keyboard, a sound: neither turns the page to English
        chat.type(slip, f"a-slip-{slip}")
        assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert page.locator(".rw-new-message").get_attribute("placeholder") == "请输入消息…"
    context.close()
