"""A family that stops at the ID question comes back the next day and carries on at that question.

The next day is made by moving the conversation's stored events one day into the past (the conversation
store is the assistant's clock for sessions), so no test waits or reads the wall clock."""
from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from bench.conversations import member_id_number

pytestmark = pytest.mark.rasa_server
DAY = 24 * 3600


def a_day_passes(assistant, sender: str) -> None:
    with sqlite3.connect(assistant.data_dir / "tracker.db") as connection:
        rows = connection.execute("SELECT id, data FROM events WHERE sender_id = ?", (sender,)).fetchall()
        for row_id, data in rows:
            event = json.loads(data)
            event["timestamp"] -= DAY
            connection.execute("UPDATE events SET timestamp = timestamp - ?, data = ? WHERE id = ?",
                               (DAY, json.dumps(event), row_id))


@pytest.mark.parametrize("script", [
    ("我想给我妈报名", "同意", "她叫王秀英", "你好", "好的", "身份证", member_id_number(91003, female=True), "手机"),
    ("I'd like to enroll my mother", "I agree", "her name is Mary Li", "hello", "yes", "ID", member_id_number(91004, female=True),
     "mobile"),
])
def test_an_enrollment_left_at_the_id_question_is_resumed_there_the_next_day(running_assistant, script):
    start, consent, name, hello, carry_on, id_question, id_number, phone_question = script
    sender = f"later-{uuid.uuid4().hex[:8]}"
    for message in (start, consent):
        running_assistant.texts(sender, message)
    assert id_question in " ".join(running_assistant.texts(sender, name))

    a_day_passes(running_assistant, sender)
    welcome = " ".join(running_assistant.texts(sender, hello))
    assert "欢迎回来" in welcome or "welcome back" in welcome.lower(), welcome
    assert id_question in " ".join(running_assistant.texts(sender, carry_on))
    assert phone_question in " ".join(running_assistant.texts(sender, id_number))
