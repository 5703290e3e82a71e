"""Applies bot.core.intent_rules to the model's reading of a message, after the classifiers.

- A request to join that states an age outside the plan's window becomes the age-limit question
  (intent `faq`, topic faq/age), so the rules answer with the age limit instead of starting a form.
- A "why do you need her ID number" read as the data-use question (faq/personal_data), as an answer or
  as a correction becomes `ask_why_asked`, so the reason for the question is given (actions.form_questions).
- A message read as nothing (nlu_fallback), with no number in it, whose next readings include one of
  the form's own requests (why a question is asked, doing it later) becomes that request
  (bot.core.intent_rules.form_request_behind).
- A relationship entity whose span holds more than the word ("替爸爸" in 我想替爸爸申請加入) gets the plan
  value of the word in it (bot.core.answers.relationship_value), so the slot says "father", not the span.

No training, no featurizer: a few regular-expression checks per message.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, INTENT,
                                       INTENT_RANKING_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message

from bot.core.answers import relationship_value
from bot.core.intent_rules import FALLBACK_INTENT, asks_to_join_at_age_outside, asks_why_a_field_is_needed, \
    form_request_behind
from bot.core.plan import load_plan

SELECTOR = "response_selector"
RETRIEVAL_INTENT = "faq"
AGE_TOPIC = "faq/age"
DATA_TOPIC = "faq/personal_data"
# What the model may have read a sign-up with an age as.
_JOINING_READINGS = {"enroll", "inform", FALLBACK_INTENT, RETRIEVAL_INTENT}
# What the model may have read a why-question as: an answer ("inform", so at the ID prompt "要身份证号码干啥"
# would be checked as an ID number), a correction, or nothing.
_WHY_READINGS = {"inform", "correct", FALLBACK_INTENT}


def _topic(message: Message) -> Text | None:
    selected = (message.get(SELECTOR) or {}).get("default") or {}
    return (selected.get("response") or {}).get("intent_response_key")


def _set_intent(message: Message, name: Text) -> None:
    message.set(INTENT, {"name": name, "confidence": 1.0}, add_to_output=True)


def _set_topic(message: Message, topic: Text) -> None:
    selector = dict(message.get(SELECTOR) or {})
    selected = dict(selector.get("default") or {"ranking": []})
    selected["response"] = {"responses": [], "confidence": 1.0, "intent_response_key": topic,
                            "utter_action": f"utter_{topic}"}
    selector["default"] = selected
    message.set(SELECTOR, selector, add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class IntentRules(GraphComponent):
    """Corrects readings the classifiers get wrong, by rule."""

    def __init__(self, age_min: int, age_max: int) -> None:
        self.age_min, self.age_max = age_min, age_max

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "IntentRules":
        ages = load_plan().age
        return cls(ages.min, ages.max)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            intent = (message.get(INTENT) or {}).get("name")
            topic = _topic(message)
            if intent in _JOINING_READINGS and not (intent == RETRIEVAL_INTENT and topic == AGE_TOPIC) \
                    and asks_to_join_at_age_outside(text, self.age_min, self.age_max):
                _set_intent(message, RETRIEVAL_INTENT)
                _set_topic(message, AGE_TOPIC)
            elif (intent in _WHY_READINGS or (intent == RETRIEVAL_INTENT and topic == DATA_TOPIC)) \
                    and asks_why_a_field_is_needed(text):
                _set_intent(message, "ask_why_asked")
            elif intent == FALLBACK_INTENT:
                ranking = [(str(reading.get("name")), float(reading.get("confidence") or 0.0))
                           for reading in message.get(INTENT_RANKING_KEY) or []]
                request = form_request_behind(text, ranking)
                if request is not None:
                    _set_intent(message, request)
            _name_relationships(message)
        return messages


def _name_relationships(message: Message) -> None:
    for entity in message.get(ENTITIES) or []:
        if entity.get(ENTITY_ATTRIBUTE_TYPE) == "relationship":
            value = relationship_value(str(entity.get(ENTITY_ATTRIBUTE_VALUE) or ""))
            if value is not None:
                entity[ENTITY_ATTRIBUTE_VALUE] = value
