"""Applies bot.core.intent_rules to the model's reading of a message, after the classifiers.

- A request to join that states an age outside the plan's window becomes the age-limit question
  (intent `faq`, topic faq/age), so the rules answer with the age limit instead of starting a form.
- A "why do you need her ID number" read as a question about the data or the phone, as an answer or as
  a correction, and "身份证号非填不可吗" read as any plan question but the document one, becomes
  `ask_why_asked`, so the reason for the question is given (actions.form_questions).
- Another document offered instead of the ID, or a parent who cannot take calls, read as an answer, a
  yes or no, a correction or nothing, becomes that plan question (faq/which_document, faq/whose_phone);
  a remark about the document or the phone (not a question) read as another plan question becomes that
  one. So does a question offering another document read as the phone or data question ("can I give her
  passport number instead?"), and one telling the parent cannot take calls and offering the family's own
  number read as any other ("my dad is hard of hearing, can I leave my number instead" is not leaving).
- A request to enroll a mother or a father and nothing else ("可以帮我爸登记一下吗", "how can I sign my mum
  up") read as a plan question, as unsure, as out of scope or as nothing becomes `enroll`
  (bot.core.intent_rules.asks_to_enroll_a_parent), with the parent marked as the relationship when the
  model marked none; read as an answer (给我爸报, at the "for whom" prompt) it stays.
- A sign-up read as `enroll` that asks what it costs ("给我爸报名要交多少钱") becomes the cost question
  (faq/free_to_join): the family asked a price, not to start.
- A message made only of plain yes words or only of plain no words ("没毛病", "係啊，冇錯", "spot on", "nah")
  is `affirm` or `deny` whatever the model read (bot.core.intent_rules.plain_yes_or_no): the consents and
  the screening take their value from that intent.
- An answer to a health question said as a sentence ("她前年查出过乳腺癌", "no weight loss, no bleeding") is
  `affirm`, `deny` or `not_sure` as it says (bot.core.intent_rules.health_answer), unless the model read a
  request of the conversation (to pause, cancel, change language, ...): the model had read "她前年查出过乳腺癌"
  as no, which at the first screening question would have enrolled a parent with a cancer history. Read as
  a request to enroll, it is taken only when it is not sure ("这个要问我爸才知道"): a remark about a parent's
  health at the start of a conversation is not a screening answer.
- A message of sounds only ("啊", "hmm") is read as nothing (nlu_fallback), whatever the model made of it.
- Several answers in one message (an ID number or phone and another answer, no correction, no question)
  read as a correction, a plan question or nothing become `inform`: the form takes them all.
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
from rasa.shared.nlu.constants import (ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START,
                                       ENTITY_ATTRIBUTE_TYPE, ENTITY_ATTRIBUTE_VALUE, EXTRACTOR, INTENT,
                                       INTENT_RANKING_KEY, TEXT)
from rasa.shared.nlu.training_data.message import Message

from bot.core.answers import relationship_span, relationship_value, says_nothing
from bot.core.intent_rules import (FALLBACK_INTENT, asks_if_a_field_is_required, asks_to_enroll_a_parent,
                                   asks_to_join_at_age_outside, asks_what_it_costs, asks_why_a_field_is_needed,
                                   form_request_behind, gives_several_answers, is_a_question, mentions_phone,
                                   health_answer, offers_another_document, offers_own_number, plain_yes_or_no,
                                   tells_phone_trouble)
from bot.core.plan import load_plan

SELECTOR = "response_selector"
RETRIEVAL_INTENT = "faq"
AGE_TOPIC = "faq/age"
DATA_TOPIC = "faq/personal_data"
DOCUMENT_TOPIC = "faq/which_document"
PHONE_TOPIC = "faq/whose_phone"
COST_TOPIC = "faq/free_to_join"
# The plan questions a why-question about a field may have been taken for (one read as the document
# question stays: "why the ID card and not her passport" is answered by which documents will do).
_FIELD_TOPICS = {DATA_TOPIC, PHONE_TOPIC}
# What the model may have read a sign-up with an age as.
_JOINING_READINGS = {"enroll", "inform", FALLBACK_INTENT, RETRIEVAL_INTENT}
# What the model may have read a why-question as: an answer ("inform", so at the ID prompt "要身份证号码干啥"
# would be checked as an ID number), a correction, or nothing.
_WHY_READINGS = {"inform", "correct", FALLBACK_INTENT}
# What the model may have read a remark about the document or the phone as (我爸从来不接电话 → deny,
# "my dad never answers his phone" → correct).
_REMARK_READINGS = {"inform", "correct", "deny", "affirm", "not_sure", "out_of_scope", FALLBACK_INTENT}
# What the model may have read several answers in one message as ("mother, Rose Bill, 13698765432" → correct).
# What the model may have read a request to enroll a parent as (怎么给我妈报名 → faq, "can you help me put my dad
# on the plan" → out_of_scope).
_REQUEST_READINGS = {RETRIEVAL_INTENT, "not_sure", "out_of_scope", FALLBACK_INTENT}
# What the model may have read a health answer said as a sentence as (她前年查出过乳腺癌 → deny, "he isn't
# waiting for any test results" → faq, 没在等什么检查结果 → ask_human): anything but a request of the conversation.
_HEALTH_READINGS = {"affirm", "deny", "not_sure", "inform", "correct", RETRIEVAL_INTENT, FALLBACK_INTENT,
                    "out_of_scope", "ask_meaning", "greet", "goodbye", "ask_human"}
_ANSWERS_READINGS = {"correct", RETRIEVAL_INTENT, "deny", "affirm", "not_sure", "out_of_scope", FALLBACK_INTENT}


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
            plan_question = intent == RETRIEVAL_INTENT
            # a remark (not a question) the model read as an answer, a yes or no, nothing or a plan question
            remark = intent in _REMARK_READINGS or (plan_question and not is_a_question(text))
            yes_or_no = plain_yes_or_no(text)
            health = health_answer(text) if yes_or_no is None and intent in _HEALTH_READINGS | {"enroll"} \
                else None
            if intent == "enroll" and health != "not_sure":
                health = None
            if says_nothing(text):
                _set_intent(message, FALLBACK_INTENT)
            elif yes_or_no is not None:
                if intent != yes_or_no:
                    _set_intent(message, yes_or_no)
            elif health is not None:
                if intent != health:
                    _set_intent(message, health)
            elif intent in _JOINING_READINGS and not (intent == RETRIEVAL_INTENT and topic == AGE_TOPIC) \
                    and asks_to_join_at_age_outside(text, self.age_min, self.age_max):
                _set_intent(message, RETRIEVAL_INTENT)
                _set_topic(message, AGE_TOPIC)
            elif (intent in _WHY_READINGS or (plan_question and topic in _FIELD_TOPICS)) \
                    and asks_why_a_field_is_needed(text):
                _set_intent(message, "ask_why_asked")
            elif plan_question and topic != DOCUMENT_TOPIC and asks_if_a_field_is_required(text):
                _set_intent(message, "ask_why_asked")
            elif intent in _ANSWERS_READINGS and gives_several_answers(text):
                _set_intent(message, "inform")
            elif (remark or (plan_question and topic in _FIELD_TOPICS and not mentions_phone(text))) \
                    and topic != DOCUMENT_TOPIC and offers_another_document(text):
                _set_intent(message, RETRIEVAL_INTENT)
                _set_topic(message, DOCUMENT_TOPIC)
            elif (remark or (plan_question and offers_own_number(text))) and topic != PHONE_TOPIC \
                    and tells_phone_trouble(text):
                _set_intent(message, RETRIEVAL_INTENT)
                _set_topic(message, PHONE_TOPIC)
            elif intent in _REQUEST_READINGS and asks_to_enroll_a_parent(text):
                _set_intent(message, "enroll")
                _mark_relationship(message, text)
            elif intent == "enroll" and asks_what_it_costs(text):
                _set_intent(message, RETRIEVAL_INTENT)
                _set_topic(message, COST_TOPIC)
            elif intent == FALLBACK_INTENT:
                ranking = [(str(reading.get("name")), float(reading.get("confidence") or 0.0))
                           for reading in message.get(INTENT_RANKING_KEY) or []]
                request = form_request_behind(text, ranking)
                if request is not None:
                    _set_intent(message, request)
            _name_relationships(message)
        return messages


def _mark_relationship(message: Message, text: Text) -> None:
    entities = list(message.get(ENTITIES) or [])
    found = relationship_span(text)
    if found is None or any(entity.get(ENTITY_ATTRIBUTE_TYPE) == "relationship" for entity in entities):
        return
    start, end, value = found
    entities.append({ENTITY_ATTRIBUTE_TYPE: "relationship", ENTITY_ATTRIBUTE_VALUE: value,
                     ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end, EXTRACTOR: "IntentRules"})
    message.set(ENTITIES, entities, add_to_output=True)


def _name_relationships(message: Message) -> None:
    for entity in message.get(ENTITIES) or []:
        if entity.get(ENTITY_ATTRIBUTE_TYPE) == "relationship":
            value = relationship_value(str(entity.get(ENTITY_ATTRIBUTE_VALUE) or ""))
            if value is not None:
                entity[ENTITY_ATTRIBUTE_VALUE] = value
