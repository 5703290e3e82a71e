"""Handing the conversation to support staff: a ticket in the store, the conversation paused, the user
told when a person will reply.

What a handoff is (the ticket's summary, what the user is told, which slots it clears) is decided once in
bot.core.handoff.handover; the Rasa server's outage guard carries out the same handoff when the action
server is down.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from actions.conversation import language_of
from actions.enrollment_answers import application_of, conversation_of
from actions.replies import say
from bot.core.handoff import CLEARED_SLOTS, HandoffReason, handover
from bot.store.aio import configured_store
from bot.core import slots

log = logging.getLogger(__name__)


def now_utc() -> datetime:
    """The time a handoff is decided at, for staff hours (tests replace it with their clock)."""
    return datetime.now(timezone.utc)


async def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason,
                    extra: Optional[Dict[Text, Any]] = None) -> List[EventType]:
    """Open (or find) the ticket, tell the user, and pause: the events that do it."""
    language = language_of(tracker)
    decided = handover(application_of(tracker), reason, language, now_utc(), extra)
    try:
        await configured_store().open_handoff_ticket(decided, conversation_id=tracker.sender_id,
                                                     channel=conversation_of(tracker, language).channel)
    except SQLAlchemyError:
        log.exception("could not open a handoff ticket")
        say(dispatcher, "utter_handoff_unavailable", language)
        return []
    say(dispatcher, decided.response, language, **decided.values)
    # A paused conversation predicts nothing, not even listening; record the listen so that when staff
    # hand back (resume + the resume_conversation intent) the rules see an ordinary user turn.
    return [*(SlotSet(slot, None) for slot in CLEARED_SLOTS), ConversationPaused(),
            ActionExecuted("action_listen")]


class ActionHandoff(Action):
    """The user asked for a person ("转人工"): hand over, with the reason a person was last offered."""

    def name(self) -> Text:
        return "action_handoff"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        reason = HandoffReason.from_hint(tracker.get_slot(slots.HANDOFF_REASON), HandoffReason.USER_REQUEST)
        return await hand_over(dispatcher, tracker, reason)
