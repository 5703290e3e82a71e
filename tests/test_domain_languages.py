"""Every response the assistant can send exists in Chinese and in English."""
import re
from pathlib import Path

import pytest
import yaml

from bot.core.language import script_language

ROOT = Path(__file__).resolve().parent.parent


def all_responses():
    responses = {}
    for path in sorted((ROOT / "domain").rglob("*.yml")) + sorted((ROOT / "data").rglob("*.yml")):
        content = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        responses.update(content.get("responses") or {})
    return responses


def languages_of(variations):
    found = set()
    for variation in variations:
        for condition in variation.get("condition") or []:
            if condition.get("name") == "language":
                found.add(condition.get("value"))
    return found


RESPONSES = all_responses()


def test_there_are_responses():
    assert "utter_greet" in RESPONSES


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_response_has_chinese_and_english(name):
    variations = RESPONSES[name]
    assert languages_of(variations) >= {"zh", "en"}, f"{name} lacks a zh or en variation"
    for variation in variations:
        assert variation.get("text", "").strip() or variation.get("custom"), f"{name} has an empty variation"
        languages = languages_of([variation])
        assert len(languages) == 1, f"{name}: every variation is for exactly one language"


@pytest.mark.parametrize("name", sorted(RESPONSES))
def test_chinese_variations_are_written_in_chinese(name):
    for variation in RESPONSES[name]:
        (language,) = languages_of([variation])
        text = variation.get("text", "")
        # Remove placeholders such as {severe_payout} before judging the script.
        plain = re.sub(r"\{[^{}]+\}", "", text)
        assert script_language(plain) == language, f"{name}'s {language} variation reads as another language"
