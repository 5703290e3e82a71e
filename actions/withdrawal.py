"""Leaving the plan through the assistant: find the membership by ID number, read out the dues rule,
withdraw on an explicit yes. Only the enroller who enrolled the member may do it here; anyone else hears
the same as when there is no membership (actions.privacy), so nobody learns who is a member."""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import privacy
from actions.conversation import language_of
from actions.enrollment_answers import check_choice, conversation_of, store_engine
from actions.replies import say
from bot.core import typed_identity
from bot import store
from bot.core.identity import IdentityError
from bot.core.plan.clock import today_in_china
from bot.store import Actor

_CLEARED = {"withdrawal_id_number": None, "withdrawal_confirmed": None, "masked_id": None}


class ValidateWithdrawalForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_withdrawal_form"

    async def validate_withdrawal_id_number(self, value: Any, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        language = language_of(tracker)
        try:
            member = typed_identity.read_id_number(str(value or ""), today_in_china())
        except IdentityError as problem:
            say(dispatcher, f"utter_id_number_{problem.code}", language)
            return {"withdrawal_id_number": None}
        lookup = await asyncio.to_thread(privacy.member_lookup, tracker, member.number)
        refusal = privacy.withdrawal_refusal(lookup)
        if refusal is not None:  # no membership and someone else's are answered alike
            say(dispatcher, refusal, language)
            return {"withdrawal_id_number": None}
        return {"withdrawal_id_number": member.number, "masked_id": lookup.masked_id}

    async def validate_withdrawal_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                            tracker: Tracker, domain: DomainDict) -> Dict[Text, Any]:
        checked = check_choice("withdrawal_confirmed", value)
        for response, _ in checked.responses:
            say(dispatcher, response, language_of(tracker))
        return checked.slots


class ActionWithdraw(Action):
    def name(self) -> Text:
        return "action_withdraw"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        events = [SlotSet(name, value) for name, value in _CLEARED.items()]
        id_number = tracker.get_slot("withdrawal_id_number")
        if tracker.get_slot("withdrawal_confirmed") is not True or not id_number:
            say(dispatcher, "utter_withdrawal_kept", language)
            return events
        actor = Actor("assistant", conversation_of(tracker, language).sender_id)
        result = await asyncio.to_thread(store.withdraw_membership, store_engine(), actor, id_number=id_number)
        if result.status != "withdrawn":
            say(dispatcher, "utter_withdrawal_not_member", language)
            return events
        say(dispatcher, "utter_withdrawn", language, masked_id=result.masked_id,
            withdrawal_number=result.enrollment_number)
        return events + [SlotSet("withdrawal_number", result.enrollment_number)]
