"""The conversation (tracker) store keeps no ID number or phone: what an operator who opens the database,
or reads the event stream, would find after real turns. SQLite (local) and PostgreSQL (production)."""
from __future__ import annotations

import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.store.sealed_slots import is_sealed, unseal
from bot.rasa.tracker_store import PrivateTrackerStore, stored_events
from tests.privacy.scan import numbers_in, numbers_in_files

DOMAIN = Domain.load("domain")
ID, PHONE = "110105196103150029", "13912345678"
TYPED_ID, TYPED_PHONE = "110105 1961-0315 0029", "+86 139-1234-5678"


class CollectingBroker:
    """Stands in for Kafka/RabbitMQ: what would be published."""

    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    broker = CollectingBroker()
    if request.param == "sqlite":
        made = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                   event_broker=broker)
    else:
        url, _admin = request.getfixturevalue("postgres_server")
        monkeypatch.setenv("CONVERSATION_SEAL_KEY", "k" * 43 + "=")
        server = make_url(url)
        made = PrivateTrackerStore(domain=DOMAIN, dialect="postgresql", host=server.host, port=server.port,
                                   db=server.database, username=server.username, event_broker=broker)
    made.broker = broker
    yield made
    made.engine.dispose()


def turn(tracker, text, *slots, bot=None):
    tracker.update(UserUttered(text, {"name": "inform"}, [{"entity": "x", "value": text}], {"text": text}))
    for name, value in slots:
        tracker.update(SlotSet(name, value))
    if bot:
        tracker.update(BotUttered(bot))
    tracker.update(ActionExecuted("action_listen"))


def new_tracker():
    sender = f"web:{uuid.uuid4().hex}"
    return DialogueStateTracker.from_events(sender, [ActionExecuted("action_session_start"), SessionStarted(),
                                                     ActionExecuted("action_listen")], slots=DOMAIN.slots)


async def test_typed_numbers_are_masked_and_answers_sealed_yet_readable_by_the_assistant(store, tmp_path):
    tracker = new_tracker()
    turn(tracker, "她叫王秀英", ("member_name", "王秀英"))
    turn(tracker, f"她的身份证是{TYPED_ID}", ("id_number", f"她的身份证是{TYPED_ID}"), ("id_number", ID),
         ("masked_id", "110105********0029"))
    await store.save(tracker)
    turn(tracker, f"手机 {TYPED_PHONE}", ("phone", TYPED_PHONE), ("phone", PHONE), bot=f"手机号：{PHONE}，对吗？")
    await store.save(tracker)

    kept = stored_events(store, tracker.sender_id)
    assert numbers_in(str(kept), [ID, PHONE]) == []
    assert numbers_in(str(store.broker.published), [ID, PHONE]) == []
    if store.engine.dialect.name == "sqlite":
        assert numbers_in_files(tmp_path, [ID, PHONE]) == {}
    user_texts = [e["text"] for e in kept if e["event"] == "user"]
    assert user_texts[1] == "她的身份证是110105********0029" and user_texts[2] == "手机 861******5678"

    again = await store.retrieve(tracker.sender_id)  # the next turn, or another replica
    assert is_sealed(again.get_slot("id_number")) and is_sealed(again.get_slot("phone"))
    assert unseal(again.get_slot("id_number")) == ID and unseal(again.get_slot("phone")) == PHONE
    assert again.get_slot("member_name") == "王秀英" and again.get_slot("masked_id") == "110105********0029"


async def test_a_cleared_enrollment_is_forgotten_in_every_earlier_event(store):
    tracker = new_tracker()
    turn(tracker, "她叫王秀英", ("member_name", "王秀英"), bot="请输入王秀英的18位居民身份证号码。")
    turn(tracker, ID, ("id_number", ID))
    await store.save(tracker)
    turn(tracker, "不报了", ("member_name", None), ("id_number", None), ("phone", None))
    await store.save(tracker)

    kept = stored_events(store, tracker.sender_id)
    assert [e["value"] for e in kept if e["event"] == "slot" and e["name"] in ("id_number", "member_name")] \
        == [None] * 4
    assert "王秀英" not in str(kept) and "请输入＊＊＊的18位居民身份证号码。" in str(kept)
    assert (await store.retrieve(tracker.sender_id)).get_slot("id_number") is None


async def test_a_correction_keeps_the_new_answer_and_forgets_the_old(store):
    tracker = new_tracker()
    turn(tracker, PHONE, ("phone", PHONE))
    await store.save(tracker)
    turn(tracker, "手机号错了，应该是13800001111", ("phone", None), ("phone", "13800001111"))
    await store.save(tracker)

    again = await store.retrieve(tracker.sender_id)
    assert unseal(again.get_slot("phone")) == "13800001111"
    phones = [unseal(e["value"]) for e in stored_events(store, tracker.sender_id)
              if e["event"] == "slot" and e["name"] == "phone"]
    assert phones == [None, None, "13800001111"]


async def test_a_failed_check_in_one_turn_keeps_nothing_and_rewrites_nothing_earlier(store):
    tracker = new_tracker()
    turn(tracker, "你好")
    await store.save(tracker)
    turn(tracker, "1101051961031500", ("id_number", "1101051961031500"), ("id_number", None))
    await store.save(tracker)
    values = [e["value"] for e in stored_events(store, tracker.sender_id) if e["event"] == "slot"]
    assert values == [None, None]


def test_a_shared_store_without_the_seal_key_refuses_to_start(monkeypatch, postgres_server):
    url, _admin = postgres_server
    monkeypatch.delenv("CONVERSATION_SEAL_KEY", raising=False)
    server = make_url(url)
    with pytest.raises(RuntimeError, match="CONVERSATION_SEAL_KEY"):
        PrivateTrackerStore(domain=DOMAIN, dialect="postgresql", host=server.host, port=server.port,
                            db=server.database, username=server.username)


async def test_the_operator_command_scrubs_conversations_stored_before_the_protection(tmp_path, monkeypatch,
                                                                                     capsys):
    from rasa.core.tracker_store import SQLTrackerStore

    from bot.ops.cli import main

    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("TRACKER_DB", str(tmp_path / "old-tracker.db"))
    monkeypatch.setenv("ACTION_ENDPOINT_URL", "http://localhost:5055/webhook")
    monkeypatch.setenv("ACTION_SERVER_SECRET", "")
    old = SQLTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "old-tracker.db"))
    tracker = new_tracker()
    turn(tracker, f"身份证 {TYPED_ID}", ("id_number", ID))
    turn(tracker, TYPED_PHONE, ("phone", PHONE))
    await old.save(tracker)
    assert numbers_in(str(stored_events(old)), [ID, PHONE]) == [ID, PHONE]  # as before this wave
    old.engine.dispose()

    assert main(["conversations", "scrub"]) == 0
    assert "4 of" in capsys.readouterr().out  # two messages and two slots
    assert numbers_in_files(tmp_path, [ID, PHONE]) == {}
    assert main(["conversations", "scrub"]) == 0  # again: nothing left to do
    assert "0 of" in capsys.readouterr().out

    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "old-tracker.db"))
    again = await store.retrieve(tracker.sender_id)
    assert unseal(again.get_slot("id_number")) == ID and unseal(again.get_slot("phone")) == PHONE


def test_a_failed_write_of_the_conversation_store_never_logs_its_values(store):
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    with pytest.raises(SQLAlchemyError) as failure:
        with store.engine.connect() as connection:
            connection.execute(text("INSERT INTO no_such_table VALUES (:phone)"), {"phone": PHONE})
    assert "SQL parameters hidden" in str(failure.value)
    if store.engine.dialect.name == "sqlite":
        # (PostgreSQL's own error text quotes the statement psycopg2 sent, values included; our checks
        # run before any write, so such an error is not expected in practice: see the README.)
        assert PHONE not in str(failure.value)
