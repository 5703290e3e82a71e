"""Rasa's response generator, with the plan's figures filled in for the conversation's language.

Responses stay in domain.yml with a Chinese and an English variation each. Wherever one says
{severe_payout}, {waiting_days} or {cover_start_if_joined_today}, the value comes from the plan
configuration at the moment the response is sent, formatted by Babel for zh or en (see bot.core.plan.facts),
so changing a number in the configuration changes every answer that mentions it. Values an action
passes explicitly win over the plan's.

A user who writes traditional Chinese (the `chinese_script` slot, see bot.core.chinese_script) gets the
Chinese responses in traditional characters. The response's own words and button titles are converted
before the values are filled in, so a name or another answer is shown exactly as the user typed it.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.core.chinese_script import to_traditional
from bot.core.language import DEFAULT_LANGUAGE, normalise_language
from bot.core.plan.facts import plan_facts


class PlanResponseGenerator(TemplatedNaturalLanguageGenerator):
    """Domain responses, filled with the plan's facts in the user's language."""

    def __init__(
        self, endpoint_config: Optional[EndpointConfig] = None, domain: Optional[Domain] = None
    ) -> None:
        super().__init__(domain.responses if domain else {})

    async def generate(
        self,
        utter_action: Text,
        tracker: DialogueStateTracker,
        output_channel: Text,
        **kwargs: Any,
    ) -> Optional[Dict[Text, Any]]:
        language = normalise_language(tracker.get_slot("language")) or DEFAULT_LANGUAGE
        values = {**plan_facts(language), **kwargs}
        return await super().generate(utter_action, tracker, output_channel, **values)

    def _fill_response(
        self, response: Dict[Text, Any], filled_slots: Optional[Dict[Text, Any]] = None, **kwargs: Any
    ) -> Dict[Text, Any]:
        slots = filled_slots or {}
        if slots.get("chinese_script") == "traditional" and normalise_language(slots.get("language")) == "zh":
            response = in_traditional(response)
        return super()._fill_response(response, filled_slots, **kwargs)


def in_traditional(response: Dict[Text, Any]) -> Dict[Text, Any]:
    """A response's text and button titles in traditional characters (placeholders are left alone)."""
    converted = dict(response)
    if isinstance(converted.get("text"), str):
        converted["text"] = to_traditional(converted["text"])
    if converted.get("buttons"):
        converted["buttons"] = [{**button, "title": to_traditional(str(button.get("title", "")))}
                                for button in converted["buttons"]]
    return converted
