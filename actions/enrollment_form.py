"""The enrollment form's validator: asks what bot.core.enrollment says is due and checks each answer.

Questions come from `Application.questions()`, so the form stops by itself when an answer ends the
enrollment (age, a refused consent, a screening outcome); `action_conclude_enrollment` then explains.
Every answer the form receives is checked by actions.enrollment_answers; an answer that does not fit is
refused with a reason and the form asks again.

Answers are read as a person would (bot.core.answers): once the privacy notice is agreed, several answers in
one message ("我妈叫王秀英，身份证号……，手机……") are all taken, each checked, and only what is missing is
asked. At the name prompt a plausible name is the name whatever words it is made of, while a question
or a request is given back to the conversation's rules (the form is rejected for this turn, so the FAQ
or the handoff answers, and the form asks again). A name typed where the relationship is asked ("王秀英",
"给李建国报", "for Nancy Tang") is kept, and the question comes back as "who is 王秀英 to you?" (bot.rasa.nlg's
"_named" form). A correction typed where a yes/no answer is expected
("手机号不是这个，是139…") changes that earlier answer (actions.corrections). At the ID or phone prompt, a
message with no number in it is not checked as a number: it gets what the question needs (which ID, whose
phone, how to stop for now) and the question again. A health answer said as a sentence about another health
question than the one on screen (a raised tumour marker typed at the treatment question) goes where
bot.core.screening_topics places it, and the question on screen is asked again.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import language_of
from actions.corrections import correct
from actions.enrollment_answers import application_of, check_answer
from actions.replies import say, send
from bot.core import answers, enrollment, screening_topics, slots
from bot.store.sealed_slots import unseal

# Answers about who the member is: several can come in one message.
IDENTITY_ANSWERS = (enrollment.RELATIONSHIP, enrollment.MEMBER_NAME, enrollment.ID_NUMBER, enrollment.PHONE)
# Intents the conversation's rules answer in the middle of the form (data/enrollment, data/faq, ...).
ANSWERED_BY_RULES = {"faq", "ask_plan_overview", "bot_challenge", "estimate_contribution", "ask_why_asked",
                     "ask_meaning", "pause_enrollment", "cancel", "correct", "ask_human", "withdraw", "switch_language"}

# At the ID or phone prompt a message with no number in it is not an answer to check ("他只有护照", "老人没手机",
# "不知道"): it gets what the question needs and how to stop for now, and the question again.
_NUMBER_HELP = {enrollment.ID_NUMBER: "utter_id_number_help", enrollment.PHONE: "utter_phone_help"}

# Actions that run between a message and the form without answering it.
_NOT_AN_ANSWER = {"action_listen", "action_extract_slots", "enrollment_form", "validate_enrollment_form", None}


def _answered_by_a_rule(tracker: Tracker) -> bool:
    """Whether a rule has already answered the latest message (the FAQ, the reason for a question): the
    form then runs again only to ask its question, and the message must not be read, or refused, twice."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") not in _NOT_AN_ANSWER:
            return True
    return False


class ValidateEnrollmentForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_enrollment_form"

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return application_of(tracker).questions()

    async def get_validation_events(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[EventType]:
        app = application_of(tracker)
        due = set(app.questions())
        language = language_of(tracker)
        asked = tracker.get_slot(slots.REQUESTED_SLOT)
        text = tracker.latest_message.get("text") or ""
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        candidates = {key: value for key, value in tracker.slots_to_validate().items() if key in due}
        typed = not text.startswith("/")  # a button or a hand-typed payload is taken as it is

        if typed and asked in candidates and answers.says_correction(text) and (
                asked not in IDENTITY_ANSWERS or answers.read_correction(text).field not in (None, asked)):
            corrected = await asyncio.to_thread(correct, tracker, text,
                                                next(tracker.get_latest_entity_values("field"), None))
            if corrected.understood:
                for response, values in corrected.responses:
                    say(dispatcher, response, language, **values)
                return [SlotSet(asked, None), *(SlotSet(k, v) for k, v in corrected.slots.items())]

        if typed and asked in IDENTITY_ANSWERS and not _answered_by_a_rule(tracker):
            several = self._several_answers(app, asked, text, candidates)
            if several is None:
                if intent in ANSWERED_BY_RULES and not self._answers_question(asked, text):
                    return [SlotSet(asked, None), ActionExecutionRejected(self.form_name())]
            else:
                candidates = several
            if several is None and asked in _NUMBER_HELP and asked in candidates \
                    and not answers.carries_number(text):
                say(dispatcher, _NUMBER_HELP[asked], language)
                return [SlotSet(asked, None)]

        if typed and asked in candidates and asked in app.screening_keys:
            placed = self._place_health_answer(app, asked, candidates[asked], text)
            if placed is not None:
                response, number, events = placed
                say(dispatcher, response, language, number=number)
                return events

        updates: Dict[Text, Any] = {}
        for key in [k for k in IDENTITY_ANSWERS if k in candidates] + \
                   [k for k in candidates if k not in IDENTITY_ANSWERS]:
            value = candidates[key]
            if value is None:
                updates[key] = None
                continue
            # A prefilled answer (a resumed enrollment) comes from the conversation store sealed.
            checked = await asyncio.to_thread(check_answer, key, unseal(value), tracker)
            send(dispatcher, checked, language)
            updates.update(checked.slots)
            tracker.slots.update(checked.slots)  # later checks see earlier answers
        return [SlotSet(key, value) for key, value in updates.items()]

    @staticmethod
    def _place_health_answer(app: enrollment.Application, asked: Text, answer: Any,
                             text: Text) -> tuple[Text, int | None, List[EventType]] | None:
        """The reply, the question number it names and the events for a health answer that belongs to
        another question than `asked` (bot.core.screening_topics), else None."""
        ids = [q.id for q in app.plan.screening.questions]
        placed = screening_topics.placement(ids[app.screening_keys.index(asked)], answer, text, ids)
        if placed.where == "here":
            return None
        events: List[EventType] = [SlotSet(asked, None)]  # the question on screen is asked again
        if placed.where == "earlier" and placed.question_id:
            events.insert(0, SlotSet(enrollment.screening_answer_key(placed.question_id), "yes"))
            return "utter_screening_answer_changed", placed.number, events
        if placed.where == "later":
            return "utter_screening_asked_later", placed.number, events
        return "utter_screening_asks_another_thing", None, events

    @staticmethod
    def _answers_question(asked: Text, text: Text) -> bool:
        """Whether the text is an answer to the identity question on screen despite its intent."""
        if asked == enrollment.MEMBER_NAME:
            return answers.read_name_answer(text).kind is answers.NameReading.NAME
        if asked == enrollment.ID_NUMBER:
            return bool(answers.ID_LIKE.search(answers.normalised(text)))
        if asked == enrollment.PHONE:
            return bool(answers.PHONE_LIKE.search(answers.normalised(text)))
        return answers.relationship_in(text) is not None

    @staticmethod
    def _several_answers(app: enrollment.Application, asked: Text, text: Text,
                         candidates: Dict[Text, Any]) -> Dict[Text, Any] | None:
        """The answers to check when the message holds more than the one asked for (and the privacy
        notice is agreed), else None. Answers already given are not overwritten: that is a correction."""
        if app.answer(enrollment.PRIVACY_CONSENT) is not True:
            return None
        found = answers.read_answers(text)
        extra = {key: value for key, value in found.items()
                 if key in IDENTITY_ANSWERS and key != asked and app.answer(key) is None}
        if not extra:
            return None
        taken: Dict[Text, Any] = {**candidates, **extra}
        if asked == enrollment.RELATIONSHIP and enrollment.relationship_allowed(candidates.get(asked)):
            taken[asked] = candidates[asked]  # the NLU's relationship entity, already canonical
        elif asked in found:
            taken[asked] = found[asked]
        else:
            taken[asked] = None  # not in this message: asked again once the others are taken
        return taken
