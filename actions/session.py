"""Starting a conversation session: carry the slots over, seed the language from the channel, and offer
to carry on an enrollment the user left unfinished.

A channel may say which language its page or user prefers (`{"language": "zh"|"en"}` in the message
metadata, e.g. the web chat's language switch); that seeds the `language` slot until the user's own
words say otherwise.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, EventType, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollment_answers import is_enrolling
from bot.core.language import normalise_language


class ActionSessionStart(Action):
    def name(self) -> Text:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        events: List[EventType] = [SessionStarted()]
        # Carry every slot over (session_config.carry_over_slots_to_new_session), so an enroller who
        # comes back finds their answers where they left them.
        events.extend(
            SlotSet(name, value)
            for name, value in tracker.current_slot_values().items()
            if value is not None and name != "session_started_metadata"
        )
        metadata = tracker.get_slot("session_started_metadata") or {}
        language = normalise_language(metadata.get("language")) if isinstance(metadata, dict) else None
        if language:
            events.append(SlotSet("language", language))
        if is_enrolling(tracker):
            dispatcher.utter_message(response="utter_offer_resume")
            events += [SlotSet("pending_offer", "resume"), SlotSet("requested_slot", None)]
        events.append(ActionExecuted("action_listen"))
        return events
