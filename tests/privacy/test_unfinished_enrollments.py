"""An unfinished enrollment is kept for the family to come back to, then forgotten (plan §8), with a test
clock: what an operator finds in the conversation store before and after."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from bot.rasa.conversation_retention import forget_unfinished
from bot.store.sealed_slots import unseal
from bot.rasa.tracker_store import stored_events
from tests.privacy.scan import files_holding
from tests.privacy.test_conversation_store import ID, new_tracker, turn

LAST_MESSAGE = datetime(2026, 11, 28, 10, 0, tzinfo=timezone.utc)


def at(tracker, moment: datetime):
    for event in tracker.events:
        event.timestamp = moment.timestamp()
    return tracker


async def unfinished(store):
    tracker = new_tracker()
    turn(tracker, "同意", ("privacy_consent", True))
    turn(tracker, "她叫王秀英", ("member_name", "王秀英"), bot="请输入王秀英的18位居民身份证号码。")
    turn(tracker, ID, ("id_number", ID), ("masked_id", "110105********0029"))
    await store.save(at(tracker, LAST_MESSAGE))
    return tracker.sender_id


async def test_kept_for_seven_days_after_the_last_message(store):
    sender = await unfinished(store)
    assert sender not in forget_unfinished(store, now=LAST_MESSAGE + timedelta(days=6, hours=23))
    again = await store.retrieve(sender)
    assert again.get_slot("member_name") == "王秀英" and unseal(again.get_slot("id_number")) == ID


async def test_forgotten_with_its_personal_data_after_that(store, tmp_path):
    sender = await unfinished(store)
    assert sender in forget_unfinished(store, now=LAST_MESSAGE + timedelta(days=7, minutes=1))
    kept = stored_events(store, sender)
    assert "王秀英" not in str(kept) and "请输入＊＊＊的18位居民身份证号码。" in str(kept)
    if store.engine.dialect.name == "sqlite":  # nor on the disk, while the store is open
        assert files_holding(tmp_path, "王秀英") == []
    assert all(e["value"] is None for e in kept if e["event"] == "slot")
    again = await store.retrieve(sender)
    assert again.get_slot("privacy_consent") is None and again.get_slot("masked_id") is None
    # Running again (every hour) finds nothing left to forget.
    assert sender not in forget_unfinished(store, now=LAST_MESSAGE + timedelta(days=8))


async def test_a_conversation_with_nothing_unfinished_is_left_as_it_is(store):
    tracker = new_tracker()
    turn(tracker, "等待期多长？")
    await store.save(at(tracker, LAST_MESSAGE))
    before = stored_events(store, tracker.sender_id)
    assert tracker.sender_id not in forget_unfinished(store, now=LAST_MESSAGE + timedelta(days=30))
    assert stored_events(store, tracker.sender_id) == before


async def test_the_notifier_forgets_unfinished_enrollments_on_its_hourly_round(tmp_path, monkeypatch):
    """`python -m bot notify` keeps the promise: its housekeeping forgets what is past the retention."""
    import asyncio

    from bot.notify.__main__ import forget_unfinished_hourly
    from bot.rasa.tracker_store import PrivateTrackerStore
    from tests.privacy.conftest import DOMAIN

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "")
    local = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    sender = await unfinished(local)
    stop = asyncio.Event()
    stop.set()  # one round, then stop
    await forget_unfinished_hourly(lambda: LAST_MESSAGE + timedelta(days=8), stop)
    assert "王秀英" not in str(stored_events(local, sender))
