"""Written Cantonese (冇, 係, 得唔得) is read as Mandarin by the model; the user's words are kept as typed."""
import pytest

from bot.core.cantonese import _WORDS, as_mandarin


@pytest.mark.parametrize("typed, mandarin", [
    ("佢冇癌症", "他沒癌症"), ("係，佢同意", "是，他同意"), ("我媽六十五歲得唔得", "我媽六十五歲行不行"),
    ("每期要俾幾多錢", "每期要給多少錢"), ("點解要身份證", "為何要身份證"), ("唔該晒", "謝謝晒"),
])
def test_the_words_of_written_cantonese_become_mandarin_words(typed, mandarin):
    assert as_mandarin(typed) == mandarin


def test_every_word_keeps_its_length_so_entity_positions_stay_right():
    assert all(len(cantonese) == len(mandarin) for cantonese, mandarin in _WORDS.items())


@pytest.mark.parametrize("text", ["和您的關係", "沒關係", "我想给我妈报名", "王秀英", "I want to join", ""])
def test_mandarin_and_the_traditional_word_for_relationship_are_left_alone(text):
    assert as_mandarin(text) == text

