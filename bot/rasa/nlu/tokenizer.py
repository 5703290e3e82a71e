"""A jieba tokenizer for one model serving Chinese and English, in either Chinese script.

Rasa's JiebaTokenizer keeps the spaces of mixed text ("我妈妈 is 65") as tokens of their own, which breaks
featurization and training on such text. jieba already keeps English words whole, so dropping the
whitespace tokens is all that one bilingual model needs.

Traditional Chinese (我想給我媽報名) is converted to simplified before tokenizing (bot.core.chinese_script), so the
model trained on simplified text understands both; the words of written Cantonese (冇, 係, 得唔得) are first
read as Mandarin words of the same length (bot.core.cantonese). The text as typed and its script are kept on the
message; bot.rasa.nlu.language_tagger puts the typed text back at the end of the pipeline, so slots and actions
see what the user wrote.
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.core.cantonese import as_mandarin
from bot.core.chinese_script import script_of, to_simplified

TEXT_AS_TYPED = "text_as_typed"
CHINESE_SCRIPT = "chinese_script"


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class BilingualTokenizer(JiebaTokenizer):
    """JiebaTokenizer without whitespace tokens, reading traditional Chinese and Cantonese as simplified Mandarin."""

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if text:
                script = script_of(text)
                if script is not None:
                    message.set(CHINESE_SCRIPT, script)
                mandarin = as_mandarin(text)
                if script == "traditional" or mandarin != text:
                    message.set(TEXT_AS_TYPED, text)
                    message.set(TEXT, to_simplified(mandarin))
        return super().process(messages)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        return [token for token in tokens if token.text.strip()]
