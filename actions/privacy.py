"""What the assistant may tell an enroller about the person whose ID number they typed.

A thin adapter over the store's rule (bot.store.look_up_member): the enroller of an active membership
hears "already a member" with its number; anyone else hears one neutral answer that neither confirms nor
denies a membership, and a person is offered; too many look-ups from one sender are refused plainly. The
count is kept in the store, so every action-server replica shares it.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Optional, Text, Tuple

from rasa_sdk import Tracker

from bot import store
from bot.store import MemberLookup
from bot.store.aio import configured_engine
from bot.core import slots


def now_utc() -> datetime:
    """The time a look-up is counted at (tests replace it with their clock)."""
    return datetime.now(timezone.utc)


def member_lookup(tracker: Tracker, id_number: str) -> MemberLookup:
    """Look the (normalised) ID number up for this conversation's enroller, counting the look-up."""
    from actions.enrollment_answers import conversation_of  # that module uses this one

    conversation = conversation_of(tracker, tracker.get_slot(slots.LANGUAGE) or "zh")
    return store.look_up_member(configured_engine(), id_number, sender_id=conversation.sender_id,
                                channel=conversation.channel, at=now_utc())


def enrollment_refusal(lookup: MemberLookup) -> Optional[List[Tuple[Text, Dict[Text, Any]]]]:
    """The responses that stop enrolling this person, or None when they can be enrolled."""
    if lookup.status == "limited":
        return [("utter_id_lookups_limited", {})]
    if lookup.status == "yours":
        return [("utter_already_member", {"masked_id": lookup.masked_id,
                                          "enrollment_number": lookup.enrollment_number}),
                ("utter_enroll_someone_else", {})]
    if lookup.status == "not_disclosed":
        return [("utter_membership_not_disclosed", {}), ("utter_enroll_someone_else", {})]
    return None


def withdrawal_refusal(lookup: MemberLookup) -> Optional[Text]:
    """The response that refuses a withdrawal, the same for "no membership" and "not yours"; None when
    this enroller may withdraw the member."""
    if lookup.status == "limited":
        return "utter_id_lookups_limited"
    return None if lookup.may_act else "utter_withdrawal_not_member"
