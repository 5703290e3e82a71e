"""Leaving the plan through the assistant: only one's own enrollment, on an explicit yes."""
from datetime import datetime, timezone

from rasa.shared.core.domain import Domain
from rasa_sdk.executor import CollectingDispatcher

from actions.withdrawal import ActionWithdraw, ValidateWithdrawalForm
from bot.core import enrollment
from bot import store
from bot.core.enrollment import Application
from bot.core.submission import Origin, submission_of
from tests.enrollment.helpers import MOTHER_ID, TODAY, answers, tracker

DOMAIN = Domain.load("domain").as_dict()
ENROLLER = "rest:tester"


def enroll(engine, sender=ENROLLER):
    at = {key: datetime.now(timezone.utc) for key in enrollment.CONSENTS}
    return store.submit_enrollment(engine, submission_of(
        Application.of(answers(), TODAY), Origin("c1", "rest", sender, "zh"), at))


async def check_id(text, sender=ENROLLER):
    dispatcher = CollectingDispatcher()
    result = await ValidateWithdrawalForm().validate_withdrawal_id_number(
        text, dispatcher, tracker({}, text=text, sender=sender), DOMAIN)
    return result, [m["response"] for m in dispatcher.messages]


async def test_the_enroller_can_withdraw_after_confirming_and_hears_the_dues_rule(enrollment_store):
    created = enroll(enrollment_store)
    result, responses = await check_id(MOTHER_ID)
    assert result == {"withdrawal_id_number": MOTHER_ID, "masked_id": "110105********0029"} and responses == []
    dispatcher = CollectingDispatcher()
    await ActionWithdraw().run(dispatcher, tracker({"withdrawal_id_number": MOTHER_ID,
                                                    "withdrawal_confirmed": True}), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_withdrawn"]
    assert store.get_enrollment(enrollment_store, created.enrollment_number).status == "withdrawn"
    actions = [r.action for r in store.list_audit(enrollment_store, f"enrollment:{created.enrollment_number}")]
    assert "enrollment.withdrawn" in actions


async def test_no_means_nothing_changes(enrollment_store):
    created = enroll(enrollment_store)
    dispatcher = CollectingDispatcher()
    await ActionWithdraw().run(dispatcher, tracker({"withdrawal_id_number": MOTHER_ID,
                                                    "withdrawal_confirmed": False}), DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_withdrawal_kept"]
    assert store.get_enrollment(enrollment_store, created.enrollment_number).status == "active"


async def test_someone_else_cannot_withdraw_a_member_they_did_not_enroll(enrollment_store):
    enroll(enrollment_store, sender="rest:the-real-child")
    result, responses = await check_id(MOTHER_ID)
    # Said exactly as when there is no membership: nobody learns here who is a member.
    assert result == {"withdrawal_id_number": None} and responses == ["utter_withdrawal_not_member"]


async def test_no_membership_and_bad_numbers_are_said_plainly(enrollment_store):
    assert (await check_id(MOTHER_ID))[1] == ["utter_withdrawal_not_member"]
    assert (await check_id("110105196103150020"))[1] == ["utter_id_number_checksum"]
