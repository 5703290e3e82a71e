"""A jieba tokenizer for one model serving Chinese and English, mixed in one message if need be.

Rasa's JiebaTokenizer keeps the spaces of mixed text ("我妈妈 is 65") as tokens of their own, which breaks
featurization and training on such text. jieba already keeps English words whole, so dropping the
whitespace tokens is all that one bilingual model needs.
"""
from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True
)
class BilingualTokenizer(JiebaTokenizer):
    """JiebaTokenizer without whitespace tokens."""

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        tokens = super().tokenize(message, attribute)
        return [token for token in tokens if token.text.strip()]
