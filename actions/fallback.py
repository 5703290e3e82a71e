"""What the assistant does when it cannot tell what to do next: say so and offer what it can do.

The message that confused it is taken back out of the conversation (UserUtteranceReverted), so the
dialogue continues from where it was rather than from the misunderstanding.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        dispatcher.utter_message(response="utter_clarify")
        return [UserUtteranceReverted()]
