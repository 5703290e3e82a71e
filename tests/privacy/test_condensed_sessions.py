"""A long session is condensed by the conversation store (bot.rasa.condensed_sessions): each turn then
reads a short session, while the conversation as the family had it, its state, the submission key,
consent times and forgetting are all as before. SQLite and PostgreSQL, each turn read back from the
store as the Rasa server reads it."""
from __future__ import annotations

from rasa.shared.core.events import ActionExecuted, ActiveLoop, ConversationPaused, SlotSet, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa_sdk import Tracker

from actions.enrollment_answers import answered_at, conversation_of
from bot.rasa.tracker_store import stored_events
from tests.privacy.conftest import DOMAIN
from tests.privacy.test_conversation_store import new_tracker, turn

AFTER = 40


def sdk(tracker):
    """The tracker as the action server gets it."""
    return Tracker.from_dict(tracker.current_state(EventVerbosity.ALL))


async def talk(store, tracker, turns, start=0):
    """`turns` plan questions, each saved and read back as the Rasa server does; what was said."""
    said = []
    for n in range(start, start + turns):
        turn(tracker, f"等待期多久？第{n}次", bot=f"等待期是90天。第{n}次")
        said.append(f"等待期多久？第{n}次")
        await store.save(tracker)
        tracker = await store.retrieve(tracker.sender_id)
    return tracker, said


async def test_a_long_conversation_reads_a_short_session_and_keeps_every_message_once(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    turn(tracker, "我想给我妈报名", ("member_name", "王秀英"), ("privacy_consent", True), bot="好的")
    await store.save(tracker)
    key, consent_time = conversation_of(sdk(tracker), "zh").conversation_id, answered_at(sdk(tracker))
    tracker = await store.retrieve(tracker.sender_id)
    tracker, said = await talk(store, tracker, 100)

    assert len(tracker.events) < AFTER + 10  # not 400: the session was started again with its state
    assert tracker.get_slot("member_name") == "王秀英" and tracker.get_slot("privacy_consent") is True
    assert conversation_of(sdk(tracker), "zh").conversation_id == key  # one submission key, as before
    assert answered_at(sdk(tracker)) == consent_time  # the consent's time, not the condensing's
    assert tracker.latest_message.text == said[-1]

    whole = await store.retrieve_full_tracker(tracker.sender_id)
    users = [e.text for e in whole.events if isinstance(e, UserUttered)]
    assert users == ["我想给我妈报名", *said]  # the family's conversation, every message once, in order
    assert [e.text for e in whole.events if e.type_name == "bot"] == ["好的"] + [f"等待期是90天。第{n}次" for n in range(100)]
    assert whole.current_slot_values() == tracker.current_slot_values()


async def test_what_the_policies_see_of_the_last_turn_is_unchanged(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    tracker, _ = await talk(store, tracker, 12)  # about 48 events: condensed after the 10th or so
    whole = await store.retrieve_full_tracker(tracker.sender_id)
    assert len(tracker.events) < len(whole.events)
    assert tracker.past_states(DOMAIN)[-2:] == whole.past_states(DOMAIN)[-2:]
    last_user = tracker.get_last_event_for(UserUttered)
    assert last_user.message_id == whole.get_last_event_for(UserUttered).message_id  # a REST resend is found
    assert abs(last_user.timestamp - whole.get_last_event_for(UserUttered).timestamp) < 1  # session expiry


async def test_a_form_in_progress_is_not_condensed_until_it_ends(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    tracker.update(ActiveLoop("enrollment_form"))
    tracker, _ = await talk(store, tracker, 20)
    assert tracker.active_loop_name == "enrollment_form"
    assert len(tracker.events) > AFTER  # all of it: a cut inside a form is not Rasa's state
    tracker.update(ActiveLoop(None))
    tracker, _ = await talk(store, tracker, 2, start=20)  # the turn that ended the form is not the cut
    assert len(tracker.events) < AFTER and tracker.active_loop_name is None


async def test_a_staff_pause_and_the_last_fallback_stay_what_they_were(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    tracker, _ = await talk(store, tracker, 11)
    tracker.update(ConversationPaused())
    tracker, _ = await talk(store, tracker, 11, start=11)
    assert tracker.is_paused()
    whole = await store.retrieve_full_tracker(tracker.sender_id)
    assert len(tracker.events) < len(whole.events)

    tracker = new_tracker()
    for n in range(12):
        turn(tracker, f"嗯嗯{n}")
        tracker.update(ActionExecuted("action_default_fallback"))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        tracker = await store.retrieve(tracker.sender_id)
    assert sum(e.type_name == "action" and e.action_name == "action_default_fallback" for e in tracker.events) == 12


async def test_a_forgotten_answer_is_forgotten_in_the_condensed_copies_too(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    turn(tracker, "她叫王秀英", ("member_name", "王秀英"))
    tracker, _ = await talk(store, tracker, 30)
    assert sum(e.get("name") == "member_name" and e.get("value") == "王秀英" for e in stored_events(store, tracker.sender_id)) > 1

    turn(tracker, "不报了", ("member_name", None))
    await store.save(tracker)
    kept = stored_events(store, tracker.sender_id)
    assert "王秀英" not in str(kept)
    assert (await store.retrieve(tracker.sender_id)).get_slot("member_name") is None


async def test_a_tracker_saved_again_after_its_session_was_condensed_adds_just_its_new_events(store):
    store.condense_after = AFTER
    tracker = new_tracker()
    for n in range(12):
        turn(tracker, f"等待期多久？第{n}次")
        await store.save(tracker)  # the same tracker object, never read back: as a server-side caller does
    tracker.update(SlotSet("language", "zh"))
    await store.save(tracker)
    whole = await store.retrieve_full_tracker(tracker.sender_id)
    assert [e.as_dict() for e in whole.events] == [e.as_dict() for e in tracker.events]
    assert (await store.retrieve(tracker.sender_id)).get_slot("language") == "zh"


def test_a_setting_that_cannot_work_is_refused_by_name(monkeypatch):
    import pytest

    from bot.core.settings import SettingError
    from bot.core.settings import conversation_condense_after as condense_after

    for bad in ("many", "5", "-1"):
        monkeypatch.setenv("CONVERSATION_CONDENSE_AFTER", bad)
        with pytest.raises(SettingError, match="CONVERSATION_CONDENSE_AFTER"):
            condense_after()
    monkeypatch.setenv("CONVERSATION_CONDENSE_AFTER", "0")
    assert condense_after() == 0
    monkeypatch.delenv("CONVERSATION_CONDENSE_AFTER")
    assert condense_after() == 200
