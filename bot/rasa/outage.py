"""What the Rasa server does when a custom action fails: a bounded wait, an apology, a person on offer.

Rasa 3.6 waits up to five minutes for the action server and, when a custom action fails, logs it and
carries on with the action's events dropped: the user hears nothing, and an answer that the form's
validation never saw can stay in its slot. `install()` puts a guard around every action the Rasa
server runs (`bot.rasa.server` calls it before Rasa starts):

- each action gets ACTION_TIMEOUT_SECONDS (default 5) to finish;
- when it fails or runs out of time, the user is told in their language that something went wrong and
  that "转人工" / "talk to a human" brings in a person (`utter_assistant_problem`); answers the user
  gave this turn are cleared, so the form asks again instead of keeping an unchecked value; the turn
  ends there, so nothing else is tried against a broken action server;
- if the action that failed was the handoff itself, the Rasa server opens the ticket in the store and
  pauses the conversation on its own, so a person can be reached while the action server is down;
- if the session start failed, Rasa's own session start runs instead.

Only the action's name and the kind of failure are logged (and counted: assistant_action_failures_total),
never the conversation.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, List, Optional

from rasa.core.actions.action import (
    Action,
    ActionExecutionRejection,
    ActionSessionStart,
    create_bot_utterance,
)
from rasa.core.channels import OutputChannel
from rasa.core.nlg import NaturalLanguageGenerator
from rasa.core.processor import MessageProcessor
from rasa.shared.core.constants import ACTION_LISTEN_NAME, ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ConversationPaused,
    Event,
    FollowupAction,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import SQLAlchemyError

from bot.core import enrollment, settings
from bot.core.handoff import CLEARED_SLOTS, HandoffReason, handover
from bot.core.language import DEFAULT_LANGUAGE, normalise_language
from bot.core.plan.clock import today_in_china
from bot.metrics import ACTION_FAILURES, code_name
from bot.store.sealed_slots import unsealed
from bot.store.aio import configured_store

log = logging.getLogger(__name__)

HANDOFF_ACTION = "action_handoff"
PROBLEM_RESPONSE = "utter_assistant_problem"


class GuardedAction:
    """An action as the processor sees it, with `run` bounded in time and never failing silently."""

    def __init__(self, action: Action, timeout_s: float) -> None:
        self._action = action
        self._timeout_s = timeout_s

    def __getattr__(self, name: str) -> Any:
        return getattr(self._action, name)

    async def run(self, output_channel: OutputChannel, nlg: NaturalLanguageGenerator,
                  tracker: DialogueStateTracker, domain: Domain) -> List[Event]:
        try:
            return await asyncio.wait_for(self._action.run(output_channel, nlg, tracker, domain),
                                          self._timeout_s)
        except ActionExecutionRejection:
            raise  # not a failure: the processor lets the policies choose another action
        except Exception as problem:  # noqa: BLE001 - every failure gets the same answer for the user
            name = self._action.name()
            kind = "timed out" if isinstance(problem, asyncio.TimeoutError) else type(problem).__name__
            log.warning("action %s failed (%s); the user is told and offered a person", name, kind)
            ACTION_FAILURES.labels(action=code_name(name),
                                   kind="timeout" if kind == "timed out" else "error").inc()
            return await recover(name, output_channel, nlg, tracker, domain)


async def recover(action_name: str, output_channel: OutputChannel, nlg: NaturalLanguageGenerator,
                  tracker: DialogueStateTracker, domain: Domain) -> List[Event]:
    """The events that stand in for a failed action's."""
    if action_name == ACTION_SESSION_START_NAME:
        return await ActionSessionStart().run(output_channel, nlg, tracker, domain)
    if action_name == HANDOFF_ACTION:
        handed_over = await hand_over(output_channel, nlg, tracker)
        if handed_over is not None:
            return handed_over
    return [await utterance(PROBLEM_RESPONSE, nlg, tracker, output_channel),
            *[SlotSet(slot, None) for slot in unchecked_answers(tracker)],
            SlotSet("handoff_reason", HandoffReason.ASSISTANT_PROBLEM.value),
            FollowupAction(ACTION_LISTEN_NAME)]


def unchecked_answers(tracker: DialogueStateTracker) -> List[str]:
    """Enrollment answers set since the user's latest message: no validation has accepted them."""
    answer_keys = set(enrollment.all_answer_keys())
    unchecked: List[str] = []
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            break
        if isinstance(event, SlotSet) and event.key in answer_keys and event.key not in unchecked:
            unchecked.append(event.key)
    return unchecked


async def hand_over(output_channel: OutputChannel, nlg: NaturalLanguageGenerator,
                    tracker: DialogueStateTracker) -> Optional[List[Event]]:
    """The handoff without the action server: a ticket, the announcement, the pause (None: store down)."""
    language = normalise_language(tracker.get_slot("language")) or DEFAULT_LANGUAGE
    reason = HandoffReason.from_hint(tracker.get_slot("handoff_reason"), HandoffReason.ASSISTANT_PROBLEM)
    application = enrollment.Application.of(enrollment.answers_in_slots(unsealed(tracker.get_slot)), today_in_china())
    decided = handover(application, reason, language, datetime.now(timezone.utc))
    try:
        await configured_store().open_handoff_ticket(decided, conversation_id=tracker.sender_id,
                                                     channel=tracker.get_latest_input_channel() or "unknown")
    except SQLAlchemyError:
        log.exception("could not open a handoff ticket from the Rasa server either")
        return None
    return [await utterance(decided.response, nlg, tracker, output_channel, **decided.values),
            *(SlotSet(slot, None) for slot in CLEARED_SLOTS), ConversationPaused(),
            ActionExecuted(ACTION_LISTEN_NAME)]


async def utterance(response: str, nlg: NaturalLanguageGenerator, tracker: DialogueStateTracker,
                    output_channel: OutputChannel, **values: Any) -> Event:
    message = await nlg.generate(response, tracker, output_channel.name(), **values)
    return create_bot_utterance(message or {"text": response})


def install(timeout_s: Optional[float] = None) -> None:
    """Guard every action the Rasa server runs from now on (idempotent)."""
    if getattr(MessageProcessor._run_action, "guarded", False):
        return
    limit = timeout_s if timeout_s is not None else settings.action_timeout_seconds()
    unguarded = MessageProcessor._run_action

    async def _run_action(self: MessageProcessor, action: Action, *args: Any, **kwargs: Any) -> bool:
        return await unguarded(self, GuardedAction(action, limit), *args, **kwargs)

    _run_action.guarded = True  # type: ignore[attr-defined]
    MessageProcessor._run_action = _run_action  # type: ignore[method-assign]
