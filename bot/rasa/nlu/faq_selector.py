"""Rasa's ResponseSelector, run only on messages read as a plan question.

The selector picks which plan question (faq/<topic>) a message asks. Its answer is used only when the
intent is `faq` (the rules answer with utter_faq), yet Rasa runs it on every message: an ID number, a
name or a "yes" in the middle of the form paid for it too, about a tenth of a turn's CPU (py-spy, issue
19). This subclass trains exactly as Rasa's does and skips the prediction when the classifiers read
another intent; such a message carries the list of retrieval intents and no selection, as a message the
selector found nothing for would.
"""
from __future__ import annotations

from typing import List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import RESPONSE_SELECTOR_PROPERTY_NAME, RESPONSE_SELECTOR_RETRIEVAL_INTENTS
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class FaqResponseSelector(ResponseSelector):
    """ResponseSelector that predicts a topic only for messages whose intent is a retrieval intent."""

    def _asks_a_retrieval_intent(self, message: Message) -> bool:
        intent = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        wanted = [self.retrieval_intent] if self.retrieval_intent else self.all_retrieval_intents
        return intent in wanted

    def process(self, messages: List[Message]) -> List[Message]:
        asked = [message for message in messages if self._asks_a_retrieval_intent(message)]
        asked_ids = {id(message) for message in asked}  # Message compares by content: two "好的" are equal
        for message in messages:
            if id(message) not in asked_ids:
                message.set(RESPONSE_SELECTOR_PROPERTY_NAME,
                            {RESPONSE_SELECTOR_RETRIEVAL_INTENTS: self.all_retrieval_intents}, add_to_output=True)
        if asked:
            super().process(asked)
        return messages
