"""Questions about the form itself: "为什么要身份证号？" gets the reason for the question on screen, and
"什么意思？" on a health question gets that question in plain words (utter_meaning_screening_h1…).

Thin adapter: which reason belongs to which question is a table here; the texts are domain responses.
The form asks its question again afterwards (data/enrollment/form_questions.yml).
"""
from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from actions.replies import say
from bot.core import slots

_REASONS = {
    "relationship": "utter_why_relationship",
    "member_name": "utter_why_member_name",
    "id_number": "utter_why_id_number",
    "phone": "utter_why_phone",
    "privacy_consent": "utter_why_consent",
    "health_consent": "utter_why_consent",
    "member_agreement": "utter_why_relationship",
    "truthful_declaration": "utter_why_declaration",
    "deduction_authorization": "utter_why_declaration",
    "enrollment_confirmed": "utter_why_declaration",
}
_WORDS = {  # a question that names what it asks about ("为什么要手机号") wins over the one on screen
    "phone": ("手机", "电话", "phone", "mobile", "number for"),
    "id_number": ("身份证", "证件", "id", "id number"),
    "member_name": ("名字", "姓名", "name"),
    "screening_h1": ("健康", "病", "health"),
}
# English words count only whole, a plural too ("id" is not the start of "no idea"); Chinese ones anywhere.
_NAMED = {key: re.compile("|".join(rf"(?<![a-z]){re.escape(word)}s?(?![a-z])" if word.isascii() else re.escape(word)
                                   for word in words))
          for key, words in _WORDS.items()}


def reason_for(question: str | None, text: str) -> Text:
    lowered = text.lower()
    for key, named in _NAMED.items():
        if named.search(lowered):
            question = key
            break
    if question and question.startswith("screening_"):
        return "utter_why_screening"
    return _REASONS.get(question or "", "utter_why_consent")


def meaning_of(question: str | None, text: str) -> Text:
    """A health question in plain words; for another question, why it is asked; outside the form, an
    offer to say which part is unclear."""
    if question and question.startswith("screening_"):
        return f"utter_meaning_{question}"
    if question:
        return reason_for(question, text)
    return "utter_meaning_other"


class ActionExplainQuestion(Action):
    def name(self) -> Text:
        return "action_explain_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        asked = tracker.get_slot(slots.REQUESTED_SLOT) if tracker.active_loop_name else None
        text = tracker.latest_message.get("text") or ""
        if (tracker.latest_message.get("intent") or {}).get("name") == "ask_meaning":
            say(dispatcher, meaning_of(asked, text), language_of(tracker))
        else:
            say(dispatcher, reason_for(asked, text), language_of(tracker))
        return []
