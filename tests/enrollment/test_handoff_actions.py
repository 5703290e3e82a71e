"""Handing over to a person: the ticket, the pause, the message, and the triggers that lead there."""
from datetime import datetime, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollment import ActionConcludeEnrollment
from actions.fallback import ActionDefaultFallback
from actions import handoff
from actions.handoff import ActionHandoff
from bot import store
from tests.enrollment.helpers import MOTHER_ID, answers, tracker

DOMAIN = Domain.load("domain").as_dict()


def event_names(events):
    return [e["event"] for e in events]


@pytest.mark.parametrize("hours, response", [("00:00-24:00", "utter_handoff_now"),
                                            ("00:00-00:01", "utter_handoff_later")])
async def test_asking_for_a_person_opens_a_ticket_pauses_and_says_when(enrollment_store, monkeypatch,
                                                                        hours, response):
    monkeypatch.setenv("STAFF_HOURS", hours)
    # 10:00 in China: inside 00:00-24:00, outside 00:00-00:01, whenever the test runs
    monkeypatch.setattr(handoff, "now_utc", lambda: datetime(2026, 6, 1, 2, 0, tzinfo=timezone.utc))
    dispatcher = CollectingDispatcher()
    slots = {k: v for k, v in answers().items() if k in ("relationship", "member_name", "id_number")}
    events = await ActionHandoff().run(dispatcher, tracker(slots, text="转人工", intent="ask_human"), DOMAIN)
    assert "pause" in event_names(events)
    assert {"event": "slot", "name": "requested_slot", "value": None, "timestamp": None} in events
    assert [m["response"] for m in dispatcher.messages] == [response]
    (ticket,) = store.list_waiting_tickets(enrollment_store)
    assert ticket.reason == "user_request" and ticket.language == "zh"
    assert ticket.summary["relationship"] == "mother" and ticket.summary["member_age"] >= 65
    assert MOTHER_ID not in str(ticket.summary) and "王秀英" not in str(ticket.summary)


async def test_a_person_asked_for_after_a_refusal_carries_the_reason(enrollment_store):
    await ActionHandoff().run(CollectingDispatcher(), tracker({"handoff_reason": "contest_declined"},
                                                                intent="ask_human"), DOMAIN)
    assert store.list_waiting_tickets(enrollment_store)[0].reason == "contest_declined"


async def test_asking_twice_keeps_one_ticket(enrollment_store):
    for _ in range(2):
        await ActionHandoff().run(CollectingDispatcher(), tracker({}, intent="ask_human"), DOMAIN)
    assert len(store.list_waiting_tickets(enrollment_store)) == 1


async def test_manual_review_pauses_for_a_person(enrollment_store):
    dispatcher = CollectingDispatcher()
    events = await ActionConcludeEnrollment().run(dispatcher, tracker(
        answers(screening_h5="yes", truthful_declaration=None, deduction_authorization=None,
                enrollment_confirmed=None)), DOMAIN)
    assert "pause" in event_names(events)
    (ticket,) = store.list_waiting_tickets(enrollment_store)
    assert ticket.reason == "manual_review" and ticket.summary["enrollment_number"]


async def test_the_first_misunderstanding_clarifies_the_second_hands_over(enrollment_store):
    first = tracker({}, text="qwzx", intent="nlu_fallback")
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultFallback().run(dispatcher, first, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify"]
    assert "pause" not in event_names(events)

    second = tracker({}, text="plmokn", intent="nlu_fallback")
    second.events[-1:-1] = [{"event": "action", "name": "action_default_fallback"},
                            {"event": "rewind"}, {"event": "action", "name": "action_listen"}]
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultFallback().run(dispatcher, second, DOMAIN)
    assert "pause" in event_names(events)
    assert store.list_waiting_tickets(enrollment_store)[0].reason == "misunderstood"


async def test_an_unsupported_document_prepares_the_reason_for_a_person():
    from actions.enrollment_form import ValidateEnrollmentForm
    keys = list(answers())
    before = {k: v for k, v in answers().items() if keys.index(k) < keys.index("id_number")}
    events = await ValidateEnrollmentForm().run(
        CollectingDispatcher(), tracker(before, text="810000196103150027",
                                        extracted={"id_number": "810000196103150027"}), DOMAIN)
    assert {e["name"]: e["value"] for e in events if e["event"] == "slot"}["handoff_reason"] == "unsupported_document"


@pytest.mark.parametrize("sounds, then", [("哦", "哈哈"), ("oh", "hmm"), ("哈哈", "qwzx")])
async def test_sounds_that_say_nothing_never_count_towards_a_handover(enrollment_store, sounds, then):
    # A family says "哦" after an answer, then laughs: the assistant asks whether there is anything else,
    # and no one is handed to staff; a real misunderstanding after a sound is still only the first.
    second = tracker({}, text=then, intent="nlu_fallback", active_loop=None)  # after a plan answer
    second.events[-1:-1] = [{"event": "user", "text": sounds, "parse_data": {"intent": {"name": "nlu_fallback"}}},
                            {"event": "action", "name": "action_default_fallback"},
                            {"event": "rewind"}, {"event": "action", "name": "action_listen"}]
    dispatcher = CollectingDispatcher()
    events = await ActionDefaultFallback().run(dispatcher, second, DOMAIN)
    expected = "utter_clarify" if then == "qwzx" else "utter_anything_else"
    assert [m["response"] for m in dispatcher.messages] == [expected]
    assert "pause" not in event_names(events)
    assert store.list_waiting_tickets(enrollment_store) == []


async def test_a_sound_in_the_middle_of_the_form_still_gets_what_the_assistant_can_do():
    dispatcher = CollectingDispatcher()
    await ActionDefaultFallback().run(dispatcher, tracker({}, text="呃", intent="nlu_fallback"), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_clarify"]


async def test_two_misunderstandings_around_a_sound_are_still_two(enrollment_store):
    third = tracker({}, text="plmokn", intent="nlu_fallback")
    third.events[-1:-1] = [{"event": "user", "text": "qwzx", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                           {"event": "action", "name": "action_default_fallback"}, {"event": "rewind"},
                           {"event": "user", "text": "哦", "parse_data": {"intent": {"name": "nlu_fallback"}}},
                           {"event": "action", "name": "action_default_fallback"}, {"event": "rewind"}]
    events = await ActionDefaultFallback().run(CollectingDispatcher(), third, DOMAIN)
    assert "pause" in event_names(events)
