"""The enrollment's ends and turns: concluding it, cancelling, correcting an answer, the other parent.

Thin adapters: what an ending means and what gets stored is decided by bot.core.enrollment; these actions
read the conversation, call it and the store, and answer with domain responses.
"""
from __future__ import annotations

import asyncio
import logging
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import language_of
from actions.enrollment_answers import (
    answered_at,
    application_of,
    conversation_of,
    reset_answers,
    store_engine,
)
from actions.corrections import correct
from actions.handoff import hand_over
from actions.replies import say
from bot.core.submission import submission_of
from bot.core import enrollment
from bot import store
from bot.core.enrollment import ApplicationIncomplete, Ending
from bot.core.handoff import HandoffReason

log = logging.getLogger(__name__)

# What each ending says, beyond storing.
_ENDING_RESPONSES: Dict[Ending, List[Text]] = {
    Ending.TOO_YOUNG: ["utter_age_too_young"],
    Ending.TOO_OLD: ["utter_age_too_old"],
    Ending.PRIVACY_REFUSED: ["utter_privacy_refused"],
    Ending.HEALTH_CONSENT_REFUSED: ["utter_privacy_refused"],
    Ending.MEMBER_DISAGREES: ["utter_member_disagrees"],
    Ending.DECLARATION_REFUSED: ["utter_declaration_refused"],
    Ending.AUTHORIZATION_REFUSED: ["utter_authorization_refused"],
    Ending.DEFERRED: ["utter_screening_deferred"],
}


def _slot_events(values: Dict[Text, Any]) -> List[EventType]:
    return [SlotSet(name, value) for name, value in values.items()]


class ActionConcludeEnrollment(Action):
    """Explains how the enrollment ended, stores what the plan keeps, and offers what comes next."""

    def name(self) -> Text:
        return "action_conclude_enrollment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        app = application_of(tracker)
        ending = app.ending
        if ending is None:
            return []
        member = {"member_name": app.answer(enrollment.MEMBER_NAME)}
        if app.age_check is not None:
            member["member_age"] = app.age_check.age

        result = None
        if ending.stores_enrollment:
            result = await _stored(dispatcher, tracker, app, language)
            if isinstance(result, list):  # not stored: the form asks again
                return result

        events: List[EventType] = _slot_events(reset_answers())
        for response in _ENDING_RESPONSES.get(ending, []):
            say(dispatcher, response, language, **member)
        events += _explain_screening(dispatcher, app, ending, language, member)
        if ending is Ending.MANUAL_REVIEW and result is not None:
            events += await hand_over(dispatcher, tracker, HandoffReason.MANUAL_REVIEW,
                                      {"enrollment_number": result.enrollment_number})
        if ending is Ending.CONFIRMED and result is not None:
            events += _confirmed(dispatcher, app, result, language)
        return events


async def _stored(dispatcher: CollectingDispatcher, tracker: Tracker, app: enrollment.Application,
                  language: str) -> "store.SubmissionResult | List[EventType]":
    """The enrollment stored, or the events that send the form back when it cannot be."""
    try:
        submission = submission_of(app, conversation_of(tracker, language), answered_at(tracker))
        return await asyncio.to_thread(store.submit_enrollment, store_engine(), submission)
    except ApplicationIncomplete as problem:
        # Something was skipped (e.g. an answer typed as an intent payload): ask again.
        log.warning("enrollment incomplete at conclusion: %s", problem)
        say(dispatcher, "utter_how_to_correct", language)
        return [SlotSet("enrollment_confirmed", None), FollowupAction("enrollment_form")]
    except SQLAlchemyError:
        log.exception("the enrollment store failed while submitting")
        say(dispatcher, "utter_store_unavailable", language)
        return [SlotSet("enrollment_confirmed", None),
                SlotSet("handoff_reason", HandoffReason.STORE_FAILURE.value),
                FollowupAction("enrollment_form")]


def _explain_screening(dispatcher: CollectingDispatcher, app: enrollment.Application, ending: Ending,
                       language: str, member: Dict[Text, Any]) -> List[EventType]:
    """A declined or manual-review outcome with its reasons in plain words; a decline may be contested."""
    decision = app.decision
    if ending in (Ending.DECLINED, Ending.MANUAL_REVIEW) and decision is not None:
        say(dispatcher, "utter_screening_declined" if ending is Ending.DECLINED
            else "utter_screening_manual_review", language, **member)
        for cause in decision.causes:
            if cause not in decision.not_sure:
                say(dispatcher, f"utter_screening_reason_{cause.lower()}", language)
        if decision.caused_by_not_sure:
            say(dispatcher, "utter_screening_reason_not_sure", language)
        if ending is Ending.DECLINED:
            say(dispatcher, "utter_offer_person_to_contest", language)
    if ending is Ending.DECLINED:
        return [SlotSet("handoff_reason", HandoffReason.CONTEST_DECLINED.value)]
    return []


def _confirmed(dispatcher: CollectingDispatcher, app: enrollment.Application, result: "store.SubmissionResult",
               language: str) -> List[EventType]:
    """The enrollment number (or why there is none), then the offer to enroll the other parent."""
    events: List[EventType] = []
    if result.status == "already_member":
        say(dispatcher, "utter_already_member", language, masked_id=result.masked_id,
            enrollment_number=result.enrollment_number)
    elif result.status == "not_disclosed":  # someone else's member: say nothing about it
        say(dispatcher, "utter_membership_not_disclosed", language)
    else:
        say(dispatcher, "utter_enrollment_done", language, enrollment_number=result.enrollment_number,
            waiting_period_end=result.waiting_period_end, cover_start=result.cover_start)
        events.append(SlotSet("enrollment_number", result.enrollment_number))
    other = enrollment.other_parent(app.answer(enrollment.RELATIONSHIP))
    if other:
        events += [SlotSet("offered_relationship", other), SlotSet("pending_offer", "other_parent")]
        say(dispatcher, f"utter_offer_other_parent_{other}", language)
    return events


class ActionCancelEnrollment(Action):
    """Stops the enrollment after the user confirmed: nothing is stored, every answer is forgotten."""

    def name(self) -> Text:
        return "action_cancel_enrollment"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        say(dispatcher, "utter_enrollment_cancelled", language_of(tracker))
        return _slot_events(reset_answers())


class ActionCorrectAnswer(Action):
    """"改一下身份证号" / "wait, her number is 139…" / "上一题我点错了，其实有": change just that answer (and
    forget those that depend on it), checking a new value that came with the request at once; the form
    then asks whatever is missing and so returns to where the user was (actions.corrections)."""

    def name(self) -> Text:
        return "action_correct_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        field = next(tracker.get_latest_entity_values("field"), None)
        corrected = await asyncio.to_thread(correct, tracker, tracker.latest_message.get("text") or "", field)
        for response, values in corrected.responses:
            say(dispatcher, response, language, **values)
        return _slot_events({**corrected.slots, "requested_slot": None}) if corrected.understood else []


class ActionAcceptOffer(Action):
    """"Yes" to what was just offered: carry on an unfinished enrollment, or enroll the other parent with
    the relationship already known. The form runs next."""

    def name(self) -> Text:
        return "action_accept_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SlotSet("pending_offer", None), SlotSet("offered_relationship", None)]
        if tracker.get_slot("pending_offer") == "other_parent":
            events += [*_slot_events(reset_answers()),
                       SlotSet("relationship", tracker.get_slot("offered_relationship"))]
        return events


class ActionDeclineOffer(Action):
    """"No" to what was just offered; an unfinished enrollment that is not resumed is forgotten."""

    def name(self) -> Text:
        return "action_decline_offer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        events: List[EventType] = [SlotSet("pending_offer", None), SlotSet("offered_relationship", None)]
        if tracker.get_slot("pending_offer") == "resume":
            say(dispatcher, "utter_resume_declined", language_of(tracker))
            return events + _slot_events(reset_answers())
        say(dispatcher, "utter_anything_else", language_of(tracker))
        return events
