"""What reaches the event broker, whichever path publishes it: no typed ID number or phone; and the
consumer counts each published event once, however often it reads it."""
from __future__ import annotations

import sqlite3

import pytest
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.insight.consumer import figures, keep
from bot.insight.sources import SqlBrokerSource
from bot.rasa.tracker_store import PrivateTrackerStore
from bot.store import engine_for, upgrade_schema
from bot.store.insight import read_position
from tests.privacy.scan import numbers_in

DOMAIN = Domain.load("domain")
ID, PHONE = "110105196103150029", "13912345678"
TYPED_ID, TYPED_PHONE = "110105 1961-0315 0029", "+86 139-1234-5678"


def turn(sender: str) -> DialogueStateTracker:
    return DialogueStateTracker.from_events(sender, [
        ActionExecuted("action_listen"), UserUttered("我想给我妈报名", intent={"name": "enroll"}),
        ActiveLoop("enrollment_form"), SlotSet("requested_slot", "id_number"), ActionExecuted("action_listen"),
        UserUttered(f"她的身份证 {TYPED_ID}，手机 {TYPED_PHONE}", intent={"name": "inform"}),
        SlotSet("id_number", ID), SlotSet("phone", PHONE),
    ], slots=DOMAIN.slots)


@pytest.fixture
def broker_db(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    return tmp_path / "insight-events.db"


def published(path) -> str:
    with sqlite3.connect(path) as connection:
        return " ".join(row[0] for row in connection.execute("SELECT data FROM events ORDER BY id"))


async def test_the_sql_broker_receives_the_protected_events(tmp_path, broker_db):
    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(broker_db)))
    await store.save(turn("family-1"))
    text = published(broker_db)
    assert "sealed:" in text and "110105********0029" in text  # the answers are there, protected
    assert numbers_in(text, [ID, PHONE]) == []


async def test_when_the_store_fails_rasas_fallback_publishes_the_protected_events_too(tmp_path, broker_db):
    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(broker_db)))
    failing = FailSafeTrackerStore(store)  # what Rasa wraps every tracker store in

    async def broken_save(tracker):
        raise OSError("disk full")

    store.save = broken_save
    await failing.save(turn("family-2"))  # Rasa's in-memory fallback saves and publishes the raw turn
    text = published(broker_db)
    assert "family-2" in text and "sealed:" in text
    assert numbers_in(text, [ID, PHONE]) == []


async def test_each_event_is_counted_once_however_often_it_is_read(tmp_path, broker_db):
    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(broker_db)))
    await store.save(turn("family-3"))
    url = f"sqlite:///{tmp_path / 'enrollment.db'}"
    upgrade_schema(url)
    engine = engine_for(url)
    source = SqlBrokerSource(f"sqlite:///{broker_db}")

    batch = source.read(read_position(engine, source.name))
    assert keep(engine, batch, source.name) > 0
    first = figures(engine)
    assert dict(first.funnel())["started"] == 1 and dict(first.drop_offs()) == {"id_number": 1}
    assert source.read(read_position(engine, source.name)).events == []  # the position moved on
    assert keep(engine, source.read(0), source.name) == 0  # read again from the start: nothing new
    assert keep(engine, batch) == 0  # a redelivered batch (RabbitMQ): nothing new
    assert figures(engine).rows() == first.rows()
    with engine.connect() as connection:
        kept = " ".join(str(row) for row in connection.exec_driver_sql("SELECT * FROM insight_facts"))
    assert "set" in kept and numbers_in(kept, [ID, PHONE]) == [] and "身份证" not in kept
    source.close()


def test_the_local_sql_broker_writes_ahead_like_the_conversation_store(tmp_path, broker_db):
    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(broker_db)))
    store.event_broker.publish({"sender_id": "someone", "event": "action", "name": "action_listen"})
    with sqlite3.connect(broker_db) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
