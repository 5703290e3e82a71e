"""The plan-question training data: every topic has an answer, enough phrasings in each language, and
held-out phrasings that training never sees."""
from __future__ import annotations

from collections import Counter, defaultdict

import pytest
import yaml

from bot.core.language import script_language

from .common import ROOT

TRAINING_FILES = sorted((ROOT / "data").rglob("*.yml"))
HOLDOUT_FILES = sorted((ROOT / "tests" / "nlu_holdout").rglob("*.yml"))
FIRST_CONVERSATION_INTENTS = {"greet", "goodbye", "bot_challenge", "ask_plan_overview", "enroll",
                              "switch_language", "out_of_scope"}


def examples(files) -> dict[str, list[str]]:
    """Intent (faq/<topic> for plan questions) → example texts, entity annotations removed."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in files:
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in block:
                for line in block["examples"].splitlines():
                    text = line.strip()
                    if text.startswith("- "):
                        found[block["intent"]].append(_plain(text[2:]))
    return found


def _plain(text: str) -> str:
    import re
    return re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).strip()


TRAINING = examples(TRAINING_FILES)
HOLDOUT = examples(HOLDOUT_FILES)
RESPONSES = yaml.safe_load((ROOT / "domain" / "plan_questions.yml").read_text(encoding="utf-8"))["responses"]
TOPICS = sorted(intent for intent in TRAINING if intent.startswith("faq/"))
OWN_INTENTS = TOPICS + ["estimate_contribution"]


def test_every_topic_has_an_answer_and_every_answer_a_topic():
    assert {f"utter_{topic}" for topic in TOPICS} == {name for name in RESPONSES if name.startswith("utter_faq/")}


@pytest.mark.parametrize("intent", OWN_INTENTS)
def test_at_least_ten_training_phrasings_per_language(intent):
    languages = Counter(script_language(text) for text in TRAINING[intent])
    assert languages["zh"] >= 10 and languages["en"] >= 10, f"{intent}: {dict(languages)}"


@pytest.mark.parametrize("intent", OWN_INTENTS + sorted(FIRST_CONVERSATION_INTENTS))
def test_held_out_phrasings_in_both_languages(intent):
    languages = Counter(script_language(text) for text in HOLDOUT[intent])
    assert languages["zh"] >= 3 and languages["en"] >= 3, f"{intent}: {dict(languages)}"


def test_training_never_sees_the_held_out_phrasings():
    trained = {text.lower() for texts in TRAINING.values() for text in texts}
    leaked = [text for texts in HOLDOUT.values() for text in texts if text.lower() in trained]
    assert not leaked


def test_held_out_data_lives_outside_data():
    assert HOLDOUT_FILES and all("data" not in path.relative_to(ROOT).parts[:1] for path in HOLDOUT_FILES)


def test_no_phrasing_is_given_two_intents():
    owner: dict[str, str] = {}
    for intent, texts in TRAINING.items():
        for text in texts:
            assert owner.setdefault(text.lower(), intent) == intent, f"{text!r}: {owner[text.lower()]} and {intent}"
