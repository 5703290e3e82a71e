"""The enrollment's step label ("第3步，共9步") comes from bot.core.enrollment's steps and rides on every form
question the response generator fills; the response giving the enrollment number carries its card."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core import enrollment
from bot.rasa.nlg import PlanResponseGenerator

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.from_directory(str(ROOT / "domain"))


@pytest.fixture(scope="module")
def generator(domain):
    def generate(name: str, language: str, **values):
        tracker = DialogueStateTracker.from_events("steps", [SlotSet("language", language),
                                                             SlotSet("relationship", "mother")],
                                                   slots=domain.slots)
        return asyncio.run(PlanResponseGenerator(domain=domain).generate(name, tracker, "webchat", **values))
    return generate


def test_every_answer_the_form_asks_is_in_exactly_one_step():
    steps = enrollment.form_steps()
    keys = [key for step in steps for key in step]
    assert sorted(keys) == sorted(enrollment.all_answer_keys()) and len(keys) == len(set(keys))
    assert enrollment.step_of(enrollment.ID_NUMBER) == (4, len(steps))
    assert enrollment.step_of("screening_h1") == enrollment.step_of("screening_h6")
    assert enrollment.step_of("cancel_confirm") is None


@pytest.mark.parametrize("language, question, label", [
    ("zh", "utter_ask_member_name", "第3步，共9步"),
    ("en", "utter_ask_member_name", "Step 3 of 9"),
    ("zh", "utter_ask_screening_h3", "第7步，共9步"),
    ("en", "utter_ask_enrollment_confirmed", "Step 9 of 9"),
])
def test_a_form_question_carries_its_step(generator, language, question, label):
    response = generator(question, language, member_name="王秀英", masked_id="1", masked_phone="2")
    assert response["step"]["text"] == label


def test_other_responses_carry_no_step_and_the_done_message_carries_the_number_card(generator):
    assert "step" not in generator("utter_greet", "zh")
    done = generator("utter_enrollment_done", "zh", enrollment_number="SC261202-AB12",
                    waiting_period_end="2027年1月1日", cover_start="2027年1月2日")
    assert done["enrollment_number_card"]["number"] == "SC261202-AB12"
    assert done["enrollment_number_card"]["text"].splitlines()[:2] == ["报名编号", "SC261202-AB12"]


@pytest.mark.parametrize("language, asked", [("zh", "请问周玉兰是您的什么人？"), ("en", "Who is 周玉兰 to you?")])
def test_the_relationship_question_once_the_name_is_known_asks_who_that_person_is(domain, language, asked):
    def ask(*events):
        tracker = DialogueStateTracker.from_events("named", [SlotSet("language", language), *events],
                                                   slots=domain.slots)
        return asyncio.run(PlanResponseGenerator(domain=domain).generate("utter_ask_relationship", tracker,
                                                                         "webchat"))
    assert asked not in ask()["text"]
    named = ask(SlotSet("member_name", "周玉兰"))
    assert asked in named["text"] and len(named["buttons"]) == 5
    assert named["step"] == ask()["step"]  # still the same step of the form


def test_the_relationship_question_asked_again_after_a_reason_has_no_second_thank_you(domain):
    from rasa.shared.core.events import BotUttered

    asked = BotUttered("谢谢。请问您要给谁报名？", metadata={"utter_action": "utter_ask_relationship"})
    tracker = DialogueStateTracker.from_events("again", [SlotSet("language", "zh"), asked], slots=domain.slots)
    again = asyncio.run(PlanResponseGenerator(domain=domain).generate("utter_ask_relationship", tracker, "webchat"))
    assert again["text"].startswith("请问您要给谁报名") and len(again["buttons"]) == 5
