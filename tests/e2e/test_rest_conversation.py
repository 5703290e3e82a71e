"""The assistant as a user meets it through the REST channel: it answers in their language and keeps
conversations across a restart."""
import uuid

import pytest

from bot.core.language import script_language

pytestmark = pytest.mark.rasa_server


def new_sender() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}"


def test_hello_in_chinese_gets_chinese(running_assistant):
    replies = running_assistant.texts(new_sender(), "你好")
    assert replies, "the assistant must answer a greeting"
    assert script_language(replies[0]) == "zh"
    assert "防癌互助计划" in replies[0]


def test_hello_in_english_gets_english_with_the_plan_figures(running_assistant):
    replies = running_assistant.texts(new_sender(), "hello")
    assert script_language(replies[0]) == "en"
    assert "CN¥100,000" in replies[0]  # the severe payout, from the plan configuration, Babel-formatted
    assert "{" not in replies[0]


def test_the_conversation_follows_the_user_from_one_language_to_the_other(running_assistant):
    sender = new_sender()
    assert script_language(running_assistant.texts(sender, "你好")[0]) == "zh"
    assert script_language(running_assistant.texts(sender, "what is this plan?")[0]) == "en"
    assert script_language(running_assistant.texts(sender, "请说中文")[0]) == "zh"


def test_channel_metadata_seeds_the_language_until_the_user_writes(running_assistant):
    sender = new_sender()
    # Digits carry no language: the channel's hint decides.
    replies = running_assistant.texts(sender, "/greet", metadata={"language": "en"})
    assert script_language(replies[0]) == "en"


def test_unclear_input_gets_a_clarifying_answer_never_silence(running_assistant):
    replies = running_assistant.texts(new_sender(), "qwzx plmokn")
    assert replies and script_language(replies[0]) == "en"


def test_conversation_survives_a_restart(running_assistant):
    sender = new_sender()
    running_assistant.texts(sender, "你好")
    running_assistant.texts(sender, "这是什么计划")
    running_assistant.restart()
    events = running_assistant.tracker(sender)["events"]
    said = [e.get("text") for e in events if e.get("event") == "user"]
    assert said[:2] == ["你好", "这是什么计划"]
    assert running_assistant.texts(sender, "再见"), "the conversation carries on after the restart"
