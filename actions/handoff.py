"""Handing the conversation to support staff: a ticket in the store, the conversation paused, the user
told when a person will reply.

The ticket's summary is what staff see first: the relationship, the member's age and how far the
screening got, never the name, ID number or phone (bot.core.enrollment.handoff_summary). Pausing also clears
the form's pending question, so nothing the user types while staff are in charge can answer a consent or
a check; the form asks it again when the assistant is back.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import language_of
from actions.enrollment_answers import application_of, conversation_of, store_engine
from actions.replies import say
from bot.core import enrollment
from bot import store
from bot.core.handoff import HandoffReason, announcement

log = logging.getLogger(__name__)


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason,
                    extra: Optional[Dict[Text, Any]] = None) -> List[EventType]:
    """Open (or find) the ticket, tell the user, and pause: the events that do it."""
    language = language_of(tracker)
    summary = {**enrollment.handoff_summary(application_of(tracker)), **(extra or {})}
    try:
        await asyncio.to_thread(
            store.create_handoff_ticket, store_engine(), conversation_id=tracker.sender_id,
            channel=conversation_of(tracker, language).channel, language=language, reason=reason.value,
            summary=summary)
    except SQLAlchemyError:
        log.exception("could not open a handoff ticket")
        say(dispatcher, "utter_handoff_unavailable", language)
        return []
    response, values = announcement(language, datetime.now(timezone.utc))
    say(dispatcher, response, language, **values)
    # A paused conversation predicts nothing, not even listening; record the listen so that when staff
    # hand back (resume + the resume_conversation intent) the rules see an ordinary user turn.
    return [SlotSet("handoff_reason", None), SlotSet("requested_slot", None), ConversationPaused(),
            ActionExecuted("action_listen")]


class ActionHandoff(Action):
    """The user asked for a person ("转人工"): hand over, with the reason a person was last offered."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        reason = HandoffReason.from_hint(tracker.get_slot("handoff_reason"), HandoffReason.USER_REQUEST)
        return await hand_over(dispatcher, tracker, reason)
