"""Tags every user message with the language to answer in, as a `language` entity, and its Chinese script.

The entity fills the `language` slot through an ordinary slot mapping, so the conversation follows the
user turn by turn with no extra action call. Messages without letters (an ID number, a phone number, an
emoji) get no tag and leave the slot as it was. The judgement itself lives in `bot.core.language`.

A Chinese message whose characters show a script gets a `chinese_script` entity (simplified or
traditional, see bot.core.chinese_script), which fills the slot of that name: bot.rasa.nlg answers in that script.
The tokenizer read a traditional message as simplified; this last component of the pipeline puts the
text back as typed, so a name stays as the user wrote it.
"""
from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.core.language import detect_language
from bot.rasa.nlu.tokenizer import CHINESE_SCRIPT, TEXT_AS_TYPED

LANGUAGE_ENTITY = "language"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False
)
class LanguageTagger(GraphComponent):
    """Adds a `language` entity (zh or en) to each message whose text shows a language."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "LanguageTagger":
        return cls()

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if message.get(TEXT_AS_TYPED):
                message.set(TEXT, message.get(TEXT_AS_TYPED))
            text = message.get(TEXT) or ""
            tags = {LANGUAGE_ENTITY: detect_language(text), CHINESE_SCRIPT: message.get(CHINESE_SCRIPT)}
            tags = {kind: value for kind, value in tags.items() if value}
            if not tags:
                continue
            entities = [
                e for e in message.get(ENTITIES, []) if e.get(ENTITY_ATTRIBUTE_TYPE) not in tags
            ]
            for kind, value in tags.items():
                entities.append(
                    {
                        ENTITY_ATTRIBUTE_TYPE: kind,
                        ENTITY_ATTRIBUTE_VALUE: value,
                        ENTITY_ATTRIBUTE_START: 0,
                        ENTITY_ATTRIBUTE_END: len(text),
                        EXTRACTOR: self.__class__.__name__,
                    }
                )
            message.set(ENTITIES, entities, add_to_output=True)
        return messages
