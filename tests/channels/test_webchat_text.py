"""The web chat's text is shown as written: Markdown syntax escaped, one line per line (issue 21).

The browser test (test_webchat_browser.py) checks what the widget renders; these check the text it gets,
and that every message the channel emits goes through it, a step label and an enrollment number card too.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List

import pytest

from bot.channels.webchat import WebChatOutput
from bot.channels.webchat_text import as_markdown


@pytest.mark.parametrize("text, markdown", [
    ("身份证号：210102********0643", "身份证号：210102\\*\\*\\*\\*\\*\\*\\*\\*0643"),
    ("Name: Li Wei\nID number: 110105********0018", "Name: Li Wei  \nID number: 110105\\*\\*\\*\\*\\*\\*\\*\\*0018"),
    ("1. first\n- second\n# third", "1\\. first  \n\\- second  \n\\# third"),
    ("[click](javascript:alert(1))", "\\[click\\]\\(javascript:alert\\(1\\)\\)"),
    ("one\n\ntwo", "one\n\ntwo"),
    ("  indented\n    code?", "indented  \ncode?"),
    ("snake_case and `code` and a|b ~x~", "snake\\_case and \\`code\\` and a\\|b \\~x\\~"),
    ("价格：每人最多1元。", "价格：每人最多1元。"),
])
def test_plain_text_becomes_markdown_that_renders_as_that_text(text: str, markdown: str):
    assert as_markdown(text) == markdown


class FakeSio:
    def __init__(self) -> None:
        self.emitted: List[Dict[str, Any]] = []

    async def emit(self, event: str, data: Any, room: str = "", namespace: Any = None) -> None:
        self.emitted.append(data)


def test_every_message_is_escaped_and_the_step_and_number_card_get_their_own_class():
    sio = FakeSio()
    output = WebChatOutput(sio, "bot_uttered")
    asyncio.run(output.send_response("web:x", {
        "text": "身份证号：110105********0029\n手机号：139****5678",
        "buttons": [{"title": "正确，提交", "payload": "/affirm"}],
        "step": {"number": 9, "total": 9, "text": "第9步，共9步"},
    }))
    asyncio.run(output.send_response("web:x", {
        "text": "报名成功！", "enrollment_number_card": {"number": "SC261202-AB12", "text": "报名编号\nSC261202-AB12"}}))
    assert sio.emitted == [
        {"text": "第9步，共9步", "metadata": {"customCss": {"style": "class", "css": "enrollment-step"}}},
        {"text": "身份证号：110105\\*\\*\\*\\*\\*\\*\\*\\*0029  \n手机号：139\\*\\*\\*\\*5678",
         "quick_replies": [{"content_type": "text", "title": "正确，提交", "payload": "/affirm"}]},
        {"text": "报名成功！"},
        {"text": "报名编号  \nSC261202\\-AB12",
         "metadata": {"customCss": {"style": "class", "css": "enrollment-number-card"}}},
    ]
