"""The conversation (tracker) store keeps no ID number or phone: what an operator who opens the database,
or reads the event stream, would find after real turns. SQLite (local) and PostgreSQL (production)."""
from __future__ import annotations

import uuid

import pytest
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.engine import make_url

from bot.store.sealed_slots import is_sealed, unseal
from bot.rasa.tracker_store import BLANK, PrivateTrackerStore, blank_names, stored_events
from tests.privacy.conftest import DOMAIN
from tests.privacy.scan import files_holding, numbers_in, numbers_in_files

ID, PHONE = "110105196103150029", "13912345678"
TYPED_ID, TYPED_PHONE = "110105 1961-0315 0029", "+86 139-1234-5678"


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


async def test_an_enrollment_number_stays_whole_in_the_store_even_when_it_looks_like_a_phone(store):
    # SC261128-06597: the random part came out all digits, 11 digits with the date. Masked, the family's
    # and staff's copy of the number read "261****6597" and the case could not be found from it.
    number = "SC261128-06597"
    tracker = new_tracker()
    turn(tracker, "确认提交", ("enrollment_number", number), bot=f"报名成功！申请编号：{number}")
    await store.save(tracker)

    kept = stored_events(store, tracker.sender_id)
    assert number in [e.get("value") for e in kept if e["event"] == "slot"]
    assert f"报名成功！申请编号：{number}" in [e.get("text") for e in kept if e["event"] == "bot"]
    assert (await store.retrieve(tracker.sender_id)).get_slot("enrollment_number") == number

async def test_a_cleared_enrollment_is_forgotten_in_every_earlier_event(store, tmp_path):
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
    if store.engine.dialect.name == "sqlite":  # nor on the disk, while the store (and its pool) is open
        assert files_holding(tmp_path, "王秀英") == []


async def test_an_answer_held_as_typed_is_blanked_whole_with_the_name_read_from_it(store):
    tracker = new_tracker()
    turn(tracker, "她叫王秀英", ("member_name", "她叫王秀英"), ("member_name", "王秀英"),
         bot="请输入王秀英的18位居民身份证号码。")
    await store.save(tracker)
    turn(tracker, "正确，提交", ("member_name", None))
    await store.save(tracker)

    kept = stored_events(store, tracker.sender_id)
    assert [e["text"] for e in kept if e["event"] == "user"][0] == BLANK * 5
    assert "王秀英" not in str(kept) and "请输入＊＊＊的18位居民身份证号码。" in str(kept)


def test_blanking_does_not_depend_on_the_order_the_names_come_in():
    # The names are a set: its order changes with Python's hash seed, from one process to the next.
    for names in (("她叫王秀英", "王秀英"), ("王秀英", "她叫王秀英")):
        assert blank_names({"text": "她叫王秀英，王秀英"}, names) == {"text": BLANK * 5 + "，" + BLANK * 3}


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


async def test_a_long_conversation_is_read_back_as_rasa_reads_it_every_event_once_and_in_order(store):
    """Each turn starts from the store (as the Rasa server's does): after 120 turns in two sessions, the
    store holds every message once and in order, the first answer is still known, and what it reads back
    is what Rasa's own SQL store would read (the latest session for a turn, every session for the API)."""
    from rasa.core.tracker_store import SQLTrackerStore

    store.condense_after = 0  # Rasa's read as it is; a condensed session is tests/store/test_condensed_sessions.py
    tracker = new_tracker()
    turn(tracker, "她叫王秀英", ("member_name", "王秀英"))
    said = ["她叫王秀英"]
    for n in range(120):
        if n == 60:  # a new session carries the answers over, as action_session_start does
            for event in (ActionExecuted("action_session_start"), SessionStarted(), SlotSet("member_name", "王秀英"),
                          ActionExecuted("action_listen")):
                tracker.update(event)
        turn(tracker, f"等待期多久？第{n}次", bot=f"等待期是90天。第{n}次")
        said.append(f"等待期多久？第{n}次")
        await store.save(tracker)
        tracker = await store.retrieve(tracker.sender_id)

    kept = stored_events(store, tracker.sender_id)
    assert [e["text"] for e in kept if e["event"] == "user"] == said
    assert [e["text"] for e in kept if e["event"] == "bot"] == [f"等待期是90天。第{n}次" for n in range(120)]
    assert tracker.get_slot("member_name") == "王秀英"
    for every_session in (False, True):
        rasa_reads = await SQLTrackerStore._retrieve(store, tracker.sender_id, every_session)
        ours = await store._retrieve(tracker.sender_id, every_session)
        assert [e.as_dict() for e in ours.events] == [e.as_dict() for e in rasa_reads.events]
        assert ours.current_slot_values() == rasa_reads.current_slot_values()
    assert len((await store.retrieve_full_tracker(tracker.sender_id)).events) == len(kept)


def test_events_read_back_are_the_events_rasa_reads_back_of_every_kind():
    """The store's reading of stored events (bot.rasa.tracker_store.deserialised) against Rasa's own,
    for every kind of event a conversation can hold."""
    from datetime import datetime

    from rasa.shared.core import events as rasa_events

    from bot.rasa.tracker_store import deserialised

    kinds = [
        ActionExecuted("action_session_start"), SessionStarted(), SlotSet("member_name", "王秀英"),
        UserUttered("等待期多久", {"name": "faq", "confidence": 0.9}, [{"entity": "x", "value": "y"}],
                    {"text": "等待期多久", "response_selector": {}}),
        rasa_events.DefinePrevUserUtteredFeaturization(False), BotUttered("90天", {"elements": None}, {"a": 1}),
        rasa_events.ActiveLoop("enrollment_form"), rasa_events.LoopInterrupted(True),
        rasa_events.ActionExecutionRejected("enrollment_form"), rasa_events.UserUtteranceReverted(),
        rasa_events.ActionReverted(), rasa_events.FollowupAction("action_listen"),
        rasa_events.ConversationPaused(), rasa_events.ConversationResumed(), rasa_events.AllSlotsReset(),
        rasa_events.ReminderScheduled("remind", datetime(2026, 11, 28, 9, 0), name="r1"),
        rasa_events.ReminderCancelled(name="r1"), rasa_events.AgentUttered("a staff reply"),
        rasa_events.EntitiesAdded([{"entity": "x", "value": "y"}]), rasa_events.Restarted(),
    ]
    stored = [event.as_dict() for event in kinds] + [{"event": None}, {"no": "event"}]
    ours, rasas = deserialised(stored), rasa_events.deserialise_events(stored)
    assert [e.as_dict() for e in ours] == [e.as_dict() for e in rasas]
    assert [type(e) for e in ours] == [type(e) for e in kinds]
