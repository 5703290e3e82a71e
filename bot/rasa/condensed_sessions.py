"""Condensed sessions: a long conversation session starts again in the store with the state it has, so
every later turn reads, replays and sends a short history (issue 19: a turn at turn 300 costs what it
costs at turn 3).

Rasa reads back and replays every event of the latest session on every turn; RulePolicy builds a state
for every action in it, and each custom action is sent all of it again. Rasa's own remedy, a new session
after a while, reads as a conversation starting (our action_session_start offers to resume an
enrollment, and the submission key changes). Instead, when a turn leaves the latest session with
CONVERSATION_CONDENSE_AFTER events or more (bot.core.settings), the store appends a *condensed start* after it:

    action_session_start, session_started, one slot event for each slot that is set, (a pause),
    action_listen, then a copy of the last turn (from the user's message to its end)

and since Rasa's read takes the events from the latest `session_started` on, the next turn reads that.
It is Rasa's own state, not an approximation of it: the slots (and a staff pause) are those of a replay
up to the last turn, and the last turn is replayed as it happened (its slot events and reverts
included), so the policies see the same last turn and the same slots. It is not done:

- while a form is active, or when the last turn started, ended or interrupted one: the form's history
  decides what MemoizationPolicy sees, and the state at a cut inside it would not be exactly Rasa's;
- when the last turn was a fallback (fallbacks in a row are counted from the history, actions/fallback.py),
  or restarted, reset or started a session.

What readers of the history need from before the cut is kept (bot.core.session_history): the session's
start time (the enrollment's submission key), each slot's time (a consent's answer time), the last user
message (session expiry, the input channel, a REST resend by message id). Every condensed event is marked
`condensed`, and a read of all sessions (transcripts, the console, `GET /conversations/{id}/tracker`)
leaves them out, so the conversation as the family had it is unchanged. The store's forgetting rewrites
every stored event of a sender, the copies too.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Optional

from rasa.shared.core.constants import ACTION_DEFAULT_FALLBACK_NAME, ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.events import ActionExecuted, ConversationPaused, Event, SessionStarted, SlotSet
from rasa.shared.core.slots import Slot
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.session_history import CONDENSED, SESSION_STARTED_AT, SET_AT, session_started_at, set_at

NOT_IN_THE_LAST_TURN = frozenset({"restart", "session_started", "reset_slots", "active_loop", "loop_interrupted"})
AFTER_THE_LAST = 0.001
"""The condensed start's time is this much after the session's last event: Rasa's read takes the events
from the latest start's time on, so every earlier event must be before it."""


def due(tracker: DialogueStateTracker, after: int) -> bool:
    """Whether the session this tracker holds (as just saved) is long enough to condense, at a point
    where it may be."""
    return 0 < after <= len(tracker.events) and tracker.active_loop_name is None


def _marked(metadata: Optional[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {**(metadata or {}), CONDENSED: True, **more}


def _copy(data: dict[str, Any], at: float) -> dict[str, Any]:
    extra = {SET_AT: set_at(data)} if data.get("event") == "slot" else {}
    return {**data, "timestamp": at, "metadata": _marked(data.get("metadata"), **extra)}


def condensed_start(sender_id: str, session: list[dict[str, Any]], slots: Iterable[Slot],
                    read: Callable[[list[dict[str, Any]]], list[Event]]) -> Optional[list[dict[str, Any]]]:
    """The events that start `session` (the latest session's stored events, in order) again with the
    state it has, to be appended after it; None where it must not be condensed (see the module).
    `read` turns stored events into Rasa's (the store's `deserialised`)."""
    cut = next((index for index in range(len(session) - 1, -1, -1) if session[index].get("event") == "user"), None)
    if not cut:
        return None
    last_turn = session[cut:]
    if any(data.get("event") in NOT_IN_THE_LAST_TURN
           or (data.get("event") == "action" and data.get("name") == ACTION_DEFAULT_FALLBACK_NAME) for data in last_turn):
        return None
    started = next((data for data in reversed(session[:cut]) if data.get("event") == "session_started"), None)
    if started is None:
        return None
    before = DialogueStateTracker.from_events(sender_id, read(session[:cut]), list(slots))
    if before.active_loop_name is not None:
        return None
    times: dict[str, float] = {}
    for happened in before.applied_events():
        if isinstance(happened, SlotSet):
            times[happened.key] = set_at(happened.as_dict())
    at = max(float(data.get("timestamp") or 0) for data in session) + AFTER_THE_LAST
    start = [
        ActionExecuted(ACTION_SESSION_START_NAME, timestamp=at, metadata=_marked(None)),
        SessionStarted(timestamp=at, metadata=_marked(None, **{SESSION_STARTED_AT: session_started_at(started)})),
    ]
    start += [SlotSet(name, slot.value, timestamp=at, metadata=_marked(None, **{SET_AT: times.get(name, at)}))
              for name, slot in before.slots.items() if slot.value != slot.initial_value]
    if before.is_paused():
        start.append(ConversationPaused(timestamp=at, metadata=_marked(None)))
    start.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=at, metadata=_marked(None)))
    return [event.as_dict() for event in start] + [_copy(data, at) for data in last_turn]
