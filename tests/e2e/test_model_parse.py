"""What the running model reads (GET /model/parse on the shared assistant): a plan question gets its topic
from the selector, a form answer skips the selector (bot.rasa.nlu.faq_selector), and the server warmed
the model before opening its port (bot.rasa.warm_up)."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.rasa_server


def parsed(assistant, text: str) -> dict:
    return assistant.request("POST", "/model/parse", {"text": text})


@pytest.mark.parametrize("text", ["等待期多久", "How long is the waiting period?"])
def test_a_plan_question_gets_its_topic(running_assistant, text):
    reading = parsed(running_assistant, text)
    assert reading["intent"]["name"] == "faq"
    assert reading["response_selector"]["default"]["response"]["intent_response_key"].startswith("faq/")


@pytest.mark.parametrize("text", ["好的", "13912345678", "yes"])
def test_a_form_answer_skips_the_selector(running_assistant, text):
    reading = parsed(running_assistant, text)
    assert reading["intent"]["name"] != "faq"
    assert "default" not in reading["response_selector"]
    assert "faq" in reading["response_selector"]["all_retrieval_intents"]


def test_the_model_was_warmed_before_the_first_conversation(running_assistant):
    log = (running_assistant.data_dir / "Rasa-server.log").read_text(encoding="utf-8", errors="replace")
    assert "model warmed up in" in log
