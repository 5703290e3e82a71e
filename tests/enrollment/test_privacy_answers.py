"""What an enroller hears about a person whose ID number they type (issue 14): their own member is
"already a member" with its number; someone else's member gets one neutral answer, the same in
withdrawal as "no membership"; too many look-ups are refused plainly. The clock is the test's."""
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions import privacy
from actions.enrollment import ActionConcludeEnrollment
from actions.enrollment_form import ValidateEnrollmentForm
from actions.withdrawal import ValidateWithdrawalForm
from bot.core import enrollment
from bot import store
from bot.core.enrollment import Application
from bot.core.submission import Origin, submission_of
from tests.enrollment.helpers import MOTHER_ID, TODAY, answers, tracker

DOMAIN = Domain.load("domain").as_dict()
START = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """The look-up clock, moved by the test."""
    now = {"at": START}
    monkeypatch.setattr(privacy, "now_utc", lambda: now["at"])
    return now


def enroll(engine, sender="rest:the-real-child"):
    at = {key: START for key in enrollment.CONSENTS}
    return store.submit_enrollment(engine, submission_of(
        Application.of(answers(), TODAY), Origin(f"{sender}@1", "rest", sender, "zh"), at))


def before_id():
    """The answers given before the ID number is asked (in the order the enrollment asks them)."""
    keys = list(answers())
    return {k: v for k, v in answers().items() if keys.index(k) < keys.index("id_number")}


async def type_id(text, sender):
    dispatcher = CollectingDispatcher()
    events = await ValidateEnrollmentForm().run(
        dispatcher, tracker(before_id(), text=text, extracted={"id_number": text}, sender=sender), DOMAIN)
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return values, dispatcher.messages


async def withdraw_id(text, sender):
    dispatcher = CollectingDispatcher()
    result = await ValidateWithdrawalForm().validate_withdrawal_id_number(
        text, dispatcher, tracker({}, text=text, sender=sender), DOMAIN)
    return result, dispatcher.messages


async def test_the_enroller_of_a_member_hears_already_a_member_with_the_number(enrollment_store):
    created = enroll(enrollment_store)
    values, messages = await type_id(MOTHER_ID, "rest:the-real-child")
    assert values["id_number"] is None
    assert [m["response"] for m in messages] == ["utter_already_member", "utter_enroll_someone_else"]
    assert messages[0]["enrollment_number"] == created.enrollment_number


async def test_anyone_else_gets_one_neutral_answer_without_the_number(enrollment_store):
    created = enroll(enrollment_store)
    values, messages = await type_id(MOTHER_ID, "rest:stranger")
    assert values["id_number"] is None
    assert [m["response"] for m in messages] == ["utter_membership_not_disclosed", "utter_enroll_someone_else"]
    assert created.enrollment_number not in str(messages)
    zh = [v["text"] for v in DOMAIN["responses"]["utter_membership_not_disclosed"]]
    assert not any(word in text for text in zh for word in ("成员", "会员", "已经"))  # confirms nothing
    assert all("转人工" in t or "talk to a human" in t
               for t in (v["text"] for v in DOMAIN["responses"]["utter_membership_not_disclosed"]))


async def test_a_person_who_is_not_a_member_can_be_enrolled_by_anyone(enrollment_store):
    values, messages = await type_id(MOTHER_ID, "rest:stranger")
    assert values["id_number"] == MOTHER_ID and messages == []


async def test_withdrawal_answers_the_same_for_no_membership_and_someone_elses(enrollment_store):
    nobodys = await withdraw_id(MOTHER_ID, "rest:stranger")
    enroll(enrollment_store)
    someone_elses = await withdraw_id(MOTHER_ID, "rest:stranger")
    own = await withdraw_id(MOTHER_ID, "rest:the-real-child")

    assert nobodys == someone_elses == ({"withdrawal_id_number": None},
                                        [nobodys[1][0]])
    assert nobodys[1][0]["response"] == "utter_withdrawal_not_member"
    assert own[0] == {"withdrawal_id_number": MOTHER_ID, "masked_id": "110105********0029"}


async def test_repeated_id_look_ups_from_one_sender_are_limited_and_said_plainly(enrollment_store, clock):
    enroll(enrollment_store)
    for minute in range(store.LookupLimit().max_lookups):
        clock["at"] = START + timedelta(minutes=minute)
        _, messages = await type_id(MOTHER_ID, "rest:prober")
        assert messages[0]["response"] == "utter_membership_not_disclosed"

    _, messages = await type_id(MOTHER_ID, "rest:prober")
    assert [m["response"] for m in messages] == ["utter_id_lookups_limited"]
    _, messages = await withdraw_id(MOTHER_ID, "rest:prober")  # withdrawal counts too
    assert [m["response"] for m in messages] == ["utter_id_lookups_limited"]
    texts = [v["text"] for v in DOMAIN["responses"]["utter_id_lookups_limited"]]
    assert any("转人工" in t for t in texts) and any("talk to a human" in t for t in texts)

    # Another family is not held up, and an hour later the prober may look again.
    assert (await type_id(MOTHER_ID, "rest:another-family"))[1][0]["response"] == "utter_membership_not_disclosed"
    clock["at"] = START + timedelta(minutes=61)
    _, messages = await type_id(MOTHER_ID, "rest:prober")
    assert messages[0]["response"] == "utter_membership_not_disclosed"


async def test_a_submission_racing_anothers_membership_is_not_told_about_it(enrollment_store):
    enroll(enrollment_store)  # became a member while the stranger was answering the questions
    dispatcher = CollectingDispatcher()
    await ActionConcludeEnrollment().run(dispatcher, tracker(answers(), sender="rest:stranger"), DOMAIN)
    responses = [m["response"] for m in dispatcher.messages]
    assert "utter_membership_not_disclosed" in responses
    assert "utter_already_member" not in responses and "utter_enrollment_done" not in responses
