"""How long the conversation store keeps an unfinished enrollment, and forgetting it after that.

A family that stops halfway (the ID card is not at hand) finds its answers again when it comes back, for
UNFINISHED_ENROLLMENT_DAYS (7) after its last message; after that the enrollment is forgotten with its
personal data (plan §8): every answer of it is emptied in every stored event of that conversation and the
member's name is blanked in its texts, as when a family cancels (bot.rasa.tracker_store). Finished, cancelled
and refused enrollments are forgotten at once, so only conversations whose answers are still set are
touched. `python -m bot conversations forget-unfinished` runs it (the notifier runs it every hour).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import func, select

from bot.core import enrollment, settings
from bot.rasa.conversation_files import overwrite_forgotten
from bot.rasa.tracker_store import NAME_SLOT, forgotten_event

ANSWER_SLOTS = frozenset({*enrollment.all_answer_keys(), "masked_id", "masked_phone", "member_age",
                          "birth_date_mismatches", "withdrawal_id_number"})


def retention() -> timedelta:
    return timedelta(days=float(settings.get("UNFINISHED_ENROLLMENT_DAYS")))


def _final_values(events: list[dict[str, Any]]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for data in events:
        if data.get("event") == "slot" and data.get("name") in ANSWER_SLOTS:
            values[data["name"]] = data.get("value")
    return values


def forget_unfinished(store: SQLTrackerStore, *, now: datetime, keep_for: timedelta | None = None) -> list[str]:
    """Forget the unfinished enrollments of conversations silent for longer than `keep_for` (default:
    UNFINISHED_ENROLLMENT_DAYS) at `now`; the sender ids whose answers were forgotten."""
    cutoff = (now - (keep_for or retention())).timestamp()
    event = store.SQLEvent
    forgotten: list[str] = []
    with store.session_scope() as session:
        silent = session.execute(select(event.sender_id).group_by(event.sender_id)
                                 .having(func.max(event.timestamp) < cutoff)).scalars().all()
        for sender_id in silent:
            rows = session.execute(select(event).where(event.sender_id == sender_id)
                                   .order_by(event.id)).scalars().all()
            events = [json.loads(row.data) for row in rows]
            if not any(value is not None for value in _final_values(events).values()):
                continue  # nothing unfinished: already forgotten when it ended
            names = frozenset(str(data["value"]) for data in events
                              if data.get("event") == "slot" and data.get("name") == NAME_SLOT
                              and isinstance(data.get("value"), str) and len(data["value"].strip()) >= 2)
            for row, data in zip(rows, events):
                kept = forgotten_event(data, ANSWER_SLOTS, names)
                if kept != data:
                    row.data = json.dumps(kept)
            forgotten.append(sender_id)
        session.commit()
    if forgotten:
        overwrite_forgotten(store.engine)
    return forgotten
