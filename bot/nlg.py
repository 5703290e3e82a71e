"""Rasa's response generator, with the plan's figures filled in for the conversation's language.

Responses stay in domain.yml with a Chinese and an English variation each. Wherever one says
{severe_payout}, {waiting_days} or {cover_start_if_joined_today}, the value comes from the plan
configuration at the moment the response is sent, formatted by Babel for zh or en (see bot.plan.facts),
so changing a number in the configuration changes every answer that mentions it. Values an action
passes explicitly win over the plan's.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.language import DEFAULT_LANGUAGE, normalise_language
from bot.plan.facts import plan_facts


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
