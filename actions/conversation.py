"""Small readers of the conversation state that every action shares."""
from __future__ import annotations

from rasa_sdk import Tracker

from bot.core.language import DEFAULT_LANGUAGE, Language, normalise_language


def language_of(tracker: Tracker) -> Language:
    """The language the conversation is currently in (the `language` slot), zh when unknown."""
    return normalise_language(tracker.get_slot("language")) or DEFAULT_LANGUAGE
