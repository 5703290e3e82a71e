"""退订 / stop: record that the family wants no more notices (bot.store.outbox.opt_out_of_notices) and
say what still comes (the required reminder before each deduction)."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from actions.enrollment_answers import conversation_of
from actions.replies import say
from bot.store.outbox import opt_out_of_notices
from bot.store.aio import configured_store


class ActionStopNotices(Action):
    def name(self) -> Text:
        return "action_stop_notices"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[EventType]:
        language = language_of(tracker)
        sender_id = conversation_of(tracker, language).sender_id
        await configured_store().run(opt_out_of_notices, sender_id, now=datetime.now(timezone.utc))
        say(dispatcher, "utter_notices_stopped", language)
        return []
