"""Rasa's response generator, with the plan's figures filled in for the conversation's language.

Responses stay in domain.yml with a Chinese and an English variation each. Wherever one says
{severe_payout}, {waiting_days} or {cover_start_if_joined_today}, the value comes from the plan
configuration at the moment the response is sent, formatted by Babel for zh or en (see bot.core.plan.facts),
so changing a number in the configuration changes every answer that mentions it. Values an action
passes explicitly win over the plan's.

A user who writes traditional Chinese (the `chinese_script` slot, see bot.core.chinese_script) gets the
Chinese responses in traditional characters. The response's own words and button titles are converted
before the values are filled in, so a name or another answer is shown exactly as the user typed it.

A form question asked again right after a mid-form question takes its short "_again" form where the
domain has one (the authorization is not repeated in full). A question asked once the member's name is
known takes its "_named" form where the domain has one: a family that answered "您要给谁报名？" with the
name is asked who that is ("王秀英是您的什么人？"), not the same question again.

Two things ride along with a response for the channels that can show them (the web chat does; the
others ignore them), kept in the bot message's metadata:
- `step`: the form's question says which step of the enrollment it is ("第3步，共9步"), from the steps
  bot.core.enrollment defines;
- `enrollment_number_card`: the response that gives a new enrollment number carries it with a card's text
  (number, and a hint to keep it), for a channel that shows it as a card with a copy button.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from bot.core import i18n
from bot.core.chinese_script import to_traditional
from bot.core.enrollment import MEMBER_NAME, step_of
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
        traditional = language == "zh" and tracker.get_slot("chinese_script") == "traditional"
        facts = plan_facts(language)
        if traditional:  # the plan's own figures ("10万元") are ours to write in the user's script
            facts = {name: to_traditional(value) if isinstance(value, str) else value for name, value in facts.items()}
        response = await super().generate(self._variant(utter_action, tracker), tracker, output_channel,
                                          **{**facts, **kwargs})
        if response is not None:
            found = extras(utter_action, language, kwargs)
            if traditional:
                found = {key: {**part, "text": to_traditional(part["text"])} for key, part in found.items()}
            response.update(found)
        return response

    def _variant(self, utter_action: Text, tracker: DialogueStateTracker) -> Text:
        """A form question asked again right after something else was said mid-form (a question, a reason,
        a correction offer) has a short form, "<question>_again", where the domain gives one: the family
        has just read the long one."""
        if not utter_action.startswith(QUESTION_PREFIX):
            return utter_action
        named = utter_action + NAMED_SUFFIX
        if named in self.responses and tracker.get_slot(MEMBER_NAME):
            return named
        again = utter_action + AGAIN_SUFFIX
        if again not in self.responses:
            return utter_action
        return again if last_question_asked(tracker) == utter_action else utter_action

    def _fill_response(
        self, response: Dict[Text, Any], filled_slots: Optional[Dict[Text, Any]] = None, **kwargs: Any
    ) -> Dict[Text, Any]:
        slots = filled_slots or {}
        if slots.get("chinese_script") == "traditional" and normalise_language(slots.get("language")) == "zh":
            response = in_traditional(response)
        return super()._fill_response(response, filled_slots, **kwargs)


STEP_LABELS = {"zh": "第{number}步，共{total}步", "en": "Step {number} of {total}"}
QUESTION_PREFIX = "utter_ask_"
AGAIN_SUFFIX = "_again"
NAMED_SUFFIX = "_named"
RESPONSES_GIVING_THE_NUMBER = frozenset({"utter_enrollment_done"})
NUMBER_CARDS = {
    "zh": "报名编号\n{number}\n请截图或抄下这个编号，以后查询报名时要用。",
    "en": "Enrollment number\n{number}\nPlease take a screenshot or write it down: you'll need it to ask about this enrollment.",
}


def last_question_asked(tracker: DialogueStateTracker) -> Optional[Text]:
    """The form question (utter_ask_…) the assistant asked last in this conversation, if any."""
    for event in reversed(tracker.events):
        if isinstance(event, BotUttered):
            action = (event.metadata or {}).get("utter_action") or ""
            if action.startswith(QUESTION_PREFIX):
                return action
    return None


def extras(utter_action: Text, language: str, values: Dict[Text, Any]) -> Dict[Text, Any]:
    """The step of a form question and the enrollment number of a response that gives it (see above)."""
    found: Dict[Text, Any] = {}
    step = step_of(utter_action[len(QUESTION_PREFIX):]) if utter_action.startswith(QUESTION_PREFIX) else None
    if step:
        number, total = step
        found["step"] = {"number": number, "total": total, "text": STEP_LABELS[language].format(
            number=i18n.format_number(number, language), total=i18n.format_number(total, language))}
    if utter_action in RESPONSES_GIVING_THE_NUMBER and values.get("enrollment_number"):
        number = str(values["enrollment_number"])
        found["enrollment_number_card"] = {"number": number, "text": NUMBER_CARDS[language].format(number=number)}
    return found


def in_traditional(response: Dict[Text, Any]) -> Dict[Text, Any]:
    """A response's text and button titles in traditional characters (placeholders are left alone)."""
    converted = dict(response)
    if isinstance(converted.get("text"), str):
        converted["text"] = to_traditional(converted["text"])
    if converted.get("buttons"):
        converted["buttons"] = [{**button, "title": to_traditional(str(button.get("title", "")))}
                                for button in converted["buttons"]]
    return converted
