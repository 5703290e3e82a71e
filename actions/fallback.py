"""What the assistant does when it cannot tell what to do next: say so and offer what it can do (after a
message of sounds only, "哦" or "hmm", outside the form: just whether there is anything else); the
second time in a row (bot.core.handoff.misunderstandings_in_a_row: sounds that say nothing, "哦" or "hmm",
never count), hand the conversation to a person.

The message that confused it is taken back out of the conversation (UserUtteranceReverted), so the
dialogue continues from where it was rather than from the misunderstanding.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import hand_over
from bot.core.answers import says_nothing
from bot.core.handoff import FALLBACK_ACTION, HandoffReason, misunderstandings_in_a_row
from bot.core.plan.config import load_plan


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return FALLBACK_ACTION

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if misunderstandings_in_a_row(tracker.events) >= load_plan().handoff.consecutive_misunderstandings:
            return [UserUtteranceReverted(), *await hand_over(dispatcher, tracker, HandoffReason.MISUNDERSTOOD)]
        # "哦" or "hmm" after an answer is not a misunderstanding to apologise for: offer more, briefly.
        sounds_only = says_nothing(tracker.latest_message.get("text") or "") and not tracker.active_loop_name
        dispatcher.utter_message(response="utter_anything_else" if sounds_only else "utter_clarify")
        return [UserUtteranceReverted()]
