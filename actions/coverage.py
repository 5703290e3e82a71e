"""What a number of cases costs a member: "if there are 40 cases this period, how much do I pay?".

The number comes from the `case_count` entity (DIET), or, when DIET found none, from the message itself
("40个案例", "四十个案例", "forty cases"); bot.core.case_numbers reads it. The plan core says what that many cases can cost at most
(bot.core.plan.contributions.most_for_cases); the answer is a domain response, and bot.rasa.nlg fills in the
per-case cap and the management fee from the plan configuration.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from bot.core import i18n
from bot.core.case_numbers import number_before_cases, parse_case_count
from bot.core.plan.config import load_plan
from bot.core.plan.contributions import most_for_cases

CASE_COUNT_ENTITY = "case_count"


class ActionEstimateContribution(Action):
    """Answers with the most a member pays for the number of cases the user named."""

    def name(self) -> Text:
        return "action_estimate_contribution"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = language_of(tracker)
        case_text = _case_text(tracker)
        if case_text is None:
            dispatcher.utter_message(response="utter_contribution_estimate_ask_cases")
            return []
        try:
            cases = parse_case_count(case_text)
        except ValueError:
            dispatcher.utter_message(response="utter_contribution_estimate_bad_number", case_text=case_text)
            return []
        if cases == 0:
            dispatcher.utter_message(response="utter_contribution_estimate_no_cases")
            return []
        plan = load_plan()
        dispatcher.utter_message(
            response="utter_contribution_estimate",
            case_count=i18n.format_number(cases, language),
            most_for_cases=i18n.format_money(most_for_cases(cases, plan=plan), language, plan.currency),
        )
        return []


def _case_text(tracker: Tracker) -> Optional[str]:
    """The number of cases as the user wrote it: the entity if DIET found one, else a number that the
    message puts next to a word for cases; None when the message names no number."""
    for value in tracker.get_latest_entity_values(CASE_COUNT_ENTITY):
        if str(value).strip():
            return str(value).strip()
    return number_before_cases(tracker.latest_message.get("text") or "")
