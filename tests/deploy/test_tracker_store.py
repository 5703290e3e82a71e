"""The local conversation store (bot/rasa/tracker_store.py, endpoints.yml): Rasa's SQL store on SQLite, tuned,
and what it saves is there for a new process."""
from __future__ import annotations

import sqlite3

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import read_endpoint_config

from bot.core.settings import PROJECT_ROOT
from bot.rasa.tracker_store import PrivateTrackerStore

DOMAIN = Domain.from_yaml("version: '3.1'\nslots:\n  language: {type: text, mappings: [{type: custom}]}\n")


async def test_endpoints_yml_gives_the_tuned_store_and_a_saved_turn_outlives_the_store(tmp_path, monkeypatch):
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "")
    config = read_endpoint_config(str(PROJECT_ROOT / "endpoints.yml"), "tracker_store")
    store = TrackerStore.create(config, domain=DOMAIN)
    assert isinstance(getattr(store, "_tracker_store", store), PrivateTrackerStore)

    tracker = DialogueStateTracker.from_events("someone", [
        ActionExecuted("action_listen"), UserUttered("你好"), SlotSet("language", "zh")], slots=DOMAIN.slots)
    await store.save(tracker)

    again = TrackerStore.create(config, domain=DOMAIN)  # as after a restart
    restored = await again.retrieve("someone")
    assert restored.get_slot("language") == "zh"
    assert [e.text for e in restored.events if isinstance(e, UserUttered)] == ["你好"]

    with sqlite3.connect(tmp_path / "tracker.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
