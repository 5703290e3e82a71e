"""What the assistant does when it cannot tell what to do next: say so and offer what it can do; the
second time in a row, hand the conversation to a person (sounds that say nothing, "哦" or "hmm", are
answered the same way but never count towards that).

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
from bot.core.handoff import HandoffReason
from bot.core.plan.config import load_plan

FALLBACK = "action_default_fallback"


def misunderstandings_in_a_row(tracker: Tracker) -> int:
    """How many of the assistant's latest turns, this one included, were fallbacks on a message that said
    something. A message of sounds only ("哦", "哈哈", "hmm": bot.core.answers.says_nothing) is not a
    misunderstanding: a family that laughs twice is not handed to a person. A fallback whose message is no
    longer in the history (a condensed session) counts."""
    count, in_fallback = 0, True  # the current turn is a fallback; its message is the latest user event
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if in_fallback and not says_nothing(event.get("text") or ""):
                count += 1
            in_fallback = False
        elif event.get("event") == "action" and event.get("name") not in ("action_listen", None):
            if event.get("name") != FALLBACK:
                break
            in_fallback = True
    return count + in_fallback


class ActionDefaultFallback(Action):
    def name(self) -> Text:
        return FALLBACK

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        if misunderstandings_in_a_row(tracker) >= load_plan().handoff.consecutive_misunderstandings:
            return [UserUtteranceReverted(), *await hand_over(dispatcher, tracker, HandoffReason.MISUNDERSTOOD)]
        dispatcher.utter_message(response="utter_clarify")
        return [UserUtteranceReverted()]
