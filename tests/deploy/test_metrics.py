"""The operations metrics counted where things happen (bot/metrics): a custom action that times out or
fails in the Rasa server, a database error of the store, a new handoff ticket (not a repeated one); and
labels that stay fixed code names whatever a caller sends."""
from __future__ import annotations

import asyncio

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.exc import OperationalError

from bot import metrics
from bot.core.handoff import HandoffReason
from bot.rasa.outage import GuardedAction
from bot.store import create_handoff_ticket, engine_for, upgrade_schema

DOMAIN = Domain.load("domain")


def counted(metric, **labels) -> float:
    return metric.labels(**labels)._value.get()


class Broken:
    def __init__(self, slow: bool) -> None:
        self.slow = slow

    def name(self) -> str:
        return "action_check_identity"

    async def run(self, *_args):
        if self.slow:
            await asyncio.sleep(5)
        raise ConnectionError("action server gone")


class Generator:
    async def generate(self, *_args, **_values):
        return {"text": "sorry"}


class Channel:
    def name(self) -> str:
        return "rest"


@pytest.mark.parametrize("slow, kind", [(True, "timeout"), (False, "error")])
async def test_an_action_the_rasa_server_gives_up_on_is_counted_by_kind(slow, kind):
    before = counted(metrics.ACTION_FAILURES, action="action_check_identity", kind=kind)
    tracker = DialogueStateTracker.from_events("metrics-outage", [], slots=DOMAIN.slots)
    events = await GuardedAction(Broken(slow), 0.05).run(Channel(), Generator(), tracker, DOMAIN)
    assert events  # the user was answered
    assert counted(metrics.ACTION_FAILURES, action="action_check_identity", kind=kind) == before + 1


def test_store_errors_and_new_handoffs_are_counted(tmp_path):
    url = f"sqlite:///{tmp_path / 'enrollment.db'}"
    upgrade_schema(url)
    engine = engine_for(url)
    errors = counted(metrics.STORE_ERRORS, store="enrollment", error="operationalerror")
    with pytest.raises(OperationalError), engine.connect() as connection:
        connection.exec_driver_sql("SELECT * FROM no_such_table")
    assert counted(metrics.STORE_ERRORS, store="enrollment", error="operationalerror") == errors + 1

    handoffs = counted(metrics.HANDOFFS, reason="misunderstood")
    for _ in range(2):  # asking again returns the open ticket: one handoff
        create_handoff_ticket(engine, conversation_id="metrics-1", channel="rest", language="zh",
                              reason=HandoffReason.MISUNDERSTOOD.value, summary={})
    create_handoff_ticket(engine, conversation_id="metrics-2", channel="rest", language="zh",
                          reason="someone's free text", summary={})
    assert counted(metrics.HANDOFFS, reason="misunderstood") == handoffs + 1
    assert counted(metrics.HANDOFFS, reason="other") >= 1


@pytest.mark.parametrize("given, label", [("rest", "rest"), ("webchat", "webchat"), ("wx:o6_abc", "other"),
                                          (None, "other"), ("13912345678", "other")])
def test_a_channel_label_is_one_of_the_channels(given, label):
    assert metrics.channel_label(given) == label


@pytest.mark.parametrize("given, label", [("action_handoff", "action_handoff"), ("王秀英", "other"),
                                          ("Action Handoff", "other"), ("a" * 200, "other"), (7, "other")])
def test_an_action_label_is_a_code_name(given, label):
    assert metrics.code_name(given) == label
