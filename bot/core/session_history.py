"""What the assistant reads from a conversation's history, whether or not the store condensed it.

A long session is condensed by the conversation store (bot.rasa.condensed_sessions): it starts the
session again with the state it had, so later turns read a short history. The events of that start
are marked (`condensed` in their metadata) and stand for earlier ones, so a reader of the history
that needs an earlier time finds it in the metadata:

- the session's start, which is the enrollment's submission key (`session_started_at`);
- when a slot got its value, e.g. when a consent was given (`set_at`).

Events are the dicts Rasa serialises (and the action server receives).
"""
from __future__ import annotations

from typing import Any, Mapping

CONDENSED = "condensed"
SESSION_STARTED_AT = "session_started_at"
SET_AT = "set_at"


def _metadata(event: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = event.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


def is_condensed(event: Mapping[str, Any]) -> bool:
    """True for an event the store added when it condensed a session (it repeats an earlier state)."""
    return bool(_metadata(event).get(CONDENSED))


def session_started_at(event: Mapping[str, Any]) -> float:
    """When the session a `session_started` event begins really started (a condensed start keeps it)."""
    at = _metadata(event).get(SESSION_STARTED_AT)
    return float(at if isinstance(at, (int, float)) else event.get("timestamp") or 0)


def set_at(event: Mapping[str, Any]) -> float:
    """When a slot event's value was really set (a condensed copy keeps the time of the original)."""
    at = _metadata(event).get(SET_AT)
    return float(at if isinstance(at, (int, float)) else event.get("timestamp") or 0)
