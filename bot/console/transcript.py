"""A conversation as staff read it: who said what, in order, taken from the events of Rasa's tracker.

User messages, the assistant's messages and staff replies (bot events whose metadata names a `staff_id`)
become lines; the moments a person took over or handed back become marker lines (once per change: the
assistant and the console may both pause); everything else in the tracker (actions, slots, sessions) is
left out. Texts stay as written except that ID numbers and phone numbers are masked (first 6 and last 4
characters of an ID, first 3 and last 4 digits of a phone, bot.core.personal_data): staff need to see that a
number was given, not the number. Escaping is the page's job.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, Optional

from bot.core.personal_data import mask_personal_numbers

Speaker = Literal["user", "assistant", "staff", "paused", "resumed"]

# Rasa files an intent triggered through its HTTP API as a user message with this text prefix
# (rasa.shared.core.constants.EXTERNAL_MESSAGE_PREFIX); nobody typed it, so it is not shown.
EXTERNAL_MESSAGE_PREFIX = "EXTERNAL: "


@dataclass(frozen=True)
class TranscriptLine:
    speaker: Speaker
    text: str  # "" for markers and for messages without text (an image, a card)
    at: datetime
    staff_id: Optional[int] = None
    buttons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Conversation:
    lines: tuple[TranscriptLine, ...]
    paused: bool  # a person has it: the assistant predicts nothing
    latest_input_channel: Optional[str]  # where the user last wrote from; replies are pushed there


def conversation_from_tracker(tracker: dict[str, Any]) -> Conversation:
    """The transcript in a tracker as Rasa's GET /conversations/{id}/tracker returns it."""
    lines: list[TranscriptLine] = []
    paused = False
    for line in map(_line, tracker.get("events") or []):
        if line is None or (line.speaker == "paused" and paused) or (line.speaker == "resumed" and not paused):
            continue
        paused = {"paused": True, "resumed": False}.get(line.speaker, paused)
        lines.append(line)
    return Conversation(lines=tuple(lines), paused=bool(tracker.get("paused")),
                        latest_input_channel=tracker.get("latest_input_channel"))


def _line(event: dict[str, Any]) -> Optional[TranscriptLine]:
    kind = event.get("event")
    at = datetime.fromtimestamp(float(event.get("timestamp") or 0), timezone.utc)
    if kind == "user":
        text = event.get("text") or ""
        if text.startswith(EXTERNAL_MESSAGE_PREFIX):
            return None
        return TranscriptLine("user", mask_personal_numbers(text), at)
    if kind == "bot":
        metadata = event.get("metadata") or {}
        buttons = tuple(mask_personal_numbers(str(b.get("title", "")))
                        for b in (event.get("data") or {}).get("buttons") or [] if isinstance(b, dict))
        staff_id = _staff_id(metadata.get("staff_id"))
        return TranscriptLine("staff" if staff_id is not None else "assistant",
                              mask_personal_numbers(event.get("text") or ""), at,
                              staff_id=staff_id, buttons=buttons)
    if kind == "pause":
        return TranscriptLine("paused", "", at)
    if kind == "resume":
        return TranscriptLine("resumed", "", at)
    return None


def _staff_id(value: Any) -> Optional[int]:
    try:
        return None if value is None else int(value)
    except (TypeError, ValueError):
        return None
