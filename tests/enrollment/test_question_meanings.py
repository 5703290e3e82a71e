""""什么意思？" in the middle of the form (issue 21): a health question in plain words, another question's
reason, and outside the form an offer to say which part is unclear."""
from __future__ import annotations

from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions.form_questions import ActionExplainQuestion, reason_for
from tests.enrollment.helpers import tracker

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("asked, expected", [
    ("screening_h3", "utter_meaning_screening_h3"),
    ("screening_h6", "utter_meaning_screening_h6"),
    ("id_number", "utter_why_id_number"),
])
async def test_a_question_is_explained_by_what_is_on_screen(asked, expected):
    dispatcher = CollectingDispatcher()
    await ActionExplainQuestion().run(dispatcher, tracker({"requested_slot": asked}, text="什么意思？",
                                                          intent="ask_meaning"), {})
    assert [m["response"] for m in dispatcher.messages] == [expected]


def test_every_health_question_has_a_plain_explanation_in_both_languages():
    domain = Domain.from_directory(str(ROOT / "domain"))
    for number in range(1, 7):
        variations = domain.responses[f"utter_meaning_screening_h{number}"]
        languages = {c["value"] for v in variations for c in v.get("condition", []) if c["name"] == "language"}
        assert languages == {"zh", "en"}


@pytest.mark.parametrize("asked, typed, expected", [
    ("phone", "no idea why you want this", "utter_why_phone"),  # "id" in "idea" is not the ID
    ("phone", "why do you need her ID", "utter_why_id_number"),
    ("id_number", "what are the names for", "utter_why_member_name"),
    ("id_number", "为什么要手机号", "utter_why_phone"),
])
def test_a_why_question_is_answered_for_the_field_it_names_as_a_whole_word(asked, typed, expected):
    assert reason_for(asked, typed) == expected
