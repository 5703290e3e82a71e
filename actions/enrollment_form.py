"""The enrollment form's validator: asks what bot.enrollment says is due and checks each answer.

Questions come from `Application.questions()`, so the form stops by itself when an answer ends the
enrollment (age, a refused consent, a screening outcome); `action_conclude_enrollment` then explains.
Every answer the form receives is checked by actions.enrollment_answers; an answer that does not fit is
refused with a reason and the form asks again.
"""
from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.conversation import language_of
from actions.enrollment_answers import application_of, check_answer
from actions.replies import send
from bot.sealed_slots import unseal


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
        due = set(await self.required_slots(self.domain_slots(domain), dispatcher, tracker, domain))
        language = language_of(tracker)
        updates: Dict[Text, Any] = {}
        for key, value in tracker.slots_to_validate().items():
            if key not in due:
                continue
            # A prefilled answer (a resumed enrollment) comes from the conversation store sealed.
            checked = await asyncio.to_thread(check_answer, key, unseal(value), tracker)
            send(dispatcher, checked, language)
            updates.update(checked.slots)
            tracker.slots.update(checked.slots)  # later checks see earlier answers
        return [SlotSet(key, value) for key, value in updates.items()]
