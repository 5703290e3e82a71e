"""The enrollment actions as the action server runs them: a Tracker in, events and responses out."""
from datetime import datetime, timedelta, timezone

import pytest
from rasa.shared.core.domain import Domain
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollment import ActionConcludeEnrollment, ActionCorrectAnswer
from actions.enrollment_form import ValidateEnrollmentForm
from bot.core import enrollment
from bot import store
from bot.core.enrollment import Application
from bot.core.i18n import format_date
from bot.core.plan.clock import CHINA_TIME
from bot.core.submission import Origin, submission_of
from tests.enrollment.helpers import FATHER_ID, MOTHER_ID, SCREENING_KEYS, TODAY, answers, tracker

DOMAIN = Domain.load("domain").as_dict()


async def validate(slots, **kwargs):
    dispatcher = CollectingDispatcher()
    events = await ValidateEnrollmentForm().run(dispatcher, tracker(slots, **kwargs), DOMAIN)
    values = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    return values, [m.get("response") for m in dispatcher.messages]


def before(key):
    """The answers given before `key` is asked."""
    keys = list(answers())
    return {k: v for k, v in answers().items() if keys.index(k) < keys.index(key)}


# ---------------------------------------------------------------------------------------- the form


@pytest.mark.parametrize("typed, response", [
    ("1101051961031500", "utter_id_number_length"),
    ("110105196103150020", "utter_id_number_checksum"),
    ("110105196102300021", "utter_id_number_birth_date"),
    ("110105610315002", "utter_id_number_withdrawn_15_digit"),
    ("810000196103150027", "utter_id_number_unsupported_hk_mo_tw_permit"),
    ("910105196103150028", "utter_id_number_unsupported_foreign_permanent_resident"),
    ("110105.19610315.0029", "utter_id_number_characters"),
    ("不知道", "utter_id_number_help"),  # no number at all: what is needed, not a format error
])
async def test_each_id_failure_has_its_own_message_and_is_asked_again(typed, response):
    values, responses = await validate({**before("id_number"), "requested_slot": "id_number"}, text=typed,
                                       extracted={"id_number": typed})
    assert values["id_number"] is None
    assert response in responses


async def test_a_good_id_is_kept_normalised_with_its_mask_and_age():
    typed = "110105 19610315 002 9"
    values, responses = await validate(before("id_number"), text=typed, extracted={"id_number": typed})
    assert values["id_number"] == MOTHER_ID
    assert values["masked_id"] == "110105********0029"
    assert values["member_age"] >= 65
    assert responses == []


async def test_a_mother_whose_id_says_male_is_asked_about():
    values, responses = await validate(before("id_number"), text=FATHER_ID, extracted={"id_number": FATHER_ID})
    assert values["id_number"] is None
    assert responses == ["utter_id_sex_mismatch"]


async def test_a_stated_birth_date_must_agree_and_two_mismatches_offer_a_person():
    typed = f"{MOTHER_ID} 她是1961年4月15日出生的"
    values, responses = await validate(before("id_number"), text=typed, extracted={"id_number": typed})
    assert values["id_number"] is None and values["birth_date_mismatches"] == 1
    assert responses == ["utter_birth_date_mismatch"]
    values, responses = await validate({**before("id_number"), "birth_date_mismatches": 1.0},
                                       text=typed, extracted={"id_number": typed})
    assert responses == ["utter_birth_date_mismatch_person"]


async def test_an_active_member_is_told_so_at_the_id_only_to_their_enroller(enrollment_store):
    at = {k: datetime.now(timezone.utc) for k in enrollment.CONSENTS}
    store.submit_enrollment(enrollment_store, submission_of(
        Application.of(answers(), TODAY), Origin("c1", "rest", "rest:other", "zh"), at))
    values, responses = await validate(before("id_number"), text=MOTHER_ID, extracted={"id_number": MOTHER_ID})
    assert values["id_number"] is None
    assert responses[:1] == ["utter_membership_not_disclosed"]
    values, responses = await validate(before("id_number"), text=MOTHER_ID, extracted={"id_number": MOTHER_ID},
                                       sender="rest:other")
    assert values["id_number"] is None
    assert responses[:1] == ["utter_already_member"]


@pytest.mark.parametrize("typed, response", [
    ("12345", "utter_phone_format"),
    ("139-1234-abcd", "utter_phone_characters"),
])
async def test_bad_phones_are_refused(typed, response):
    values, responses = await validate(before("phone"), text=typed, extracted={"phone": typed})
    assert values["phone"] is None and responses == [response]


async def test_phones_with_country_code_and_dashes_are_normalised():
    values, _ = await validate(before("phone"), text="+86 139-1234-5678", extracted={"phone": "+86 139-1234-5678"})
    assert values["phone"] == "13912345678"


async def test_a_yes_is_not_a_name():
    values, responses = await validate(before("member_name"), text="是的", intent="affirm",
                                       extracted={"member_name": "是的"})
    assert values["member_name"] is None and responses == ["utter_name_expected"]


async def test_someone_who_cannot_be_enrolled_is_told_who_can():
    values, responses = await validate({"privacy_consent": True}, text="我奶奶", entities=[{"entity": "relationship", "value": "奶奶"}],
                                       extracted={"relationship": "奶奶"})
    assert values["relationship"] is None and responses == ["utter_relationship_not_allowed"]


async def test_a_screening_answer_that_is_no_choice_is_asked_again_with_a_hint():
    values, responses = await validate(before("screening_h1"), text="我妈身体挺好", extracted={"screening_h1": "我妈身体挺好"})
    assert values["screening_h1"] is None and responses == ["utter_answer_yes_no_not_sure"]


async def test_a_consent_needs_an_explicit_yes():
    values, responses = await validate(before("privacy_consent"), text="嗯……", extracted={"privacy_consent": "嗯……"})
    assert values["privacy_consent"] is None and responses == ["utter_answer_yes_or_no"]


async def test_the_form_asks_only_what_is_due():
    form = ValidateEnrollmentForm()
    due = await form.required_slots([], CollectingDispatcher(), tracker(before("phone")), DOMAIN)
    assert due[-1] == "phone"
    declined = {**before("screening_h2"), "screening_h1": "yes"}
    due = await form.required_slots([], CollectingDispatcher(), tracker(declined), DOMAIN)
    assert due[-1] == "screening_h1"  # no more health questions after a declining answer


async def test_a_no_at_the_read_back_keeps_asking_and_says_how_to_correct():
    values, responses = await validate(before("enrollment_confirmed"), intent="deny",
                                       extracted={"enrollment_confirmed": False})
    assert values["enrollment_confirmed"] is None and responses == ["utter_how_to_correct"]


# ------------------------------------------------------------------------------------- corrections


async def test_a_correction_with_the_new_number_replaces_it_at_once():
    dispatcher = CollectingDispatcher()
    events = await ActionCorrectAnswer().run(dispatcher, tracker(
        answers(enrollment_confirmed=None), text="等一下，她的手机号是13800001111", intent="correct",
        entities=[{"entity": "field", "value": "phone"}]), DOMAIN)
    values = {e["name"]: e["value"] for e in events}
    assert values["phone"] == "13800001111" and values["masked_phone"] == "138****1111"
    assert values["enrollment_confirmed"] is None  # the read-back is shown again with the new number


async def test_a_correction_without_a_value_asks_again():
    dispatcher = CollectingDispatcher()
    events = await ActionCorrectAnswer().run(dispatcher, tracker(
        answers(), text="改一下身份证号", intent="correct", entities=[{"entity": "field", "value": "id_number"}]),
        DOMAIN)
    values = {e["name"]: e["value"] for e in events}
    assert values["id_number"] is None and values["enrollment_confirmed"] is None
    assert [m["response"] for m in dispatcher.messages] == ["utter_correction_ack"]


# -------------------------------------------------------------------------------------- conclusion


async def conclude(slots, sender="rest:tester"):
    dispatcher = CollectingDispatcher()
    events = await ActionConcludeEnrollment().run(dispatcher, tracker(slots, sender=sender), DOMAIN)
    return events, dispatcher.messages


async def test_a_confirmed_enrollment_is_stored_active_with_its_consents(enrollment_store):
    events, messages = await conclude(answers())
    done = next(m for m in messages if m["response"] == "utter_enrollment_done")
    number = done["enrollment_number"]
    assert done["cover_start"] and done["waiting_period_end"]
    view = store.get_enrollment(enrollment_store, number)
    assert view.status == "active" and view.masked_id == "110105********0029"
    assert {c.kind for c in view.consents} >= {"privacy_notice", "health_information", "deduction_authorization"}
    assert view.authorization is not None
    assert SlotSet("pending_offer", "other_parent") in events
    assert any(m["response"] == "utter_offer_other_parent_father" for m in messages)
    assert SlotSet("id_number", None) in events  # the answers are forgotten


async def test_submitting_twice_in_one_conversation_stores_one_enrollment(enrollment_store):
    await conclude(answers())
    await conclude(answers())
    assert len(store.list_enrollments(enrollment_store)) == 1


async def test_manual_review_stores_the_enrollment_and_opens_a_ticket(enrollment_store):
    _, messages = await conclude(answers(screening_h3="not_sure", truthful_declaration=None,
                                         deduction_authorization=None, enrollment_confirmed=None))
    responses = [m["response"] for m in messages]
    assert "utter_screening_manual_review" in responses and "utter_screening_reason_not_sure" in responses
    assert store.list_enrollments(enrollment_store)[0].status == "manual_review"
    (ticket,) = store.list_waiting_tickets(enrollment_store)
    assert ticket.reason == "manual_review" and ticket.summary["member_age"] >= 65


async def test_a_deferred_family_is_told_when_the_reminder_comes_and_how_to_stop_it(enrollment_store):
    from bot.store.outbox import list_notices

    _, messages = await conclude(answers(screening_h6="yes", truthful_declaration=None,
                                         deduction_authorization=None, enrollment_confirmed=None))
    assert [m["response"] for m in messages] == ["utter_screening_deferred", "utter_deferred_reminder_promised"]
    [enrollment] = store.list_enrollments(enrollment_store)
    [notice] = list_notices(enrollment_store, enrollment_number=enrollment.enrollment_number)
    assert enrollment.status == "deferred" and notice.kind == "deferred_reminder"
    promised = messages[1]["deferred_reminder_date"]  # formatted by Babel for the family's language
    assert promised == format_date(enrollment.enrolled_on + timedelta(days=30), "zh")
    assert notice.due_at.astimezone(CHINA_TIME).date() == enrollment.enrolled_on + timedelta(days=30)


async def test_declined_gives_the_reason_and_offers_a_person(enrollment_store):
    _, messages = await conclude(answers(screening_h1="yes", **{k: None for k in SCREENING_KEYS[1:]},
                                         truthful_declaration=None, deduction_authorization=None,
                                         enrollment_confirmed=None))
    responses = [m["response"] for m in messages]
    assert responses == ["utter_screening_declined", "utter_screening_reason_h1", "utter_offer_person_to_contest"]
    assert store.list_enrollments(enrollment_store)[0].status == "declined"


async def test_a_refused_consent_stores_nothing(enrollment_store):
    _, messages = await conclude({**before("health_consent"), "health_consent": False})
    assert [m["response"] for m in messages] == ["utter_privacy_refused"]
    assert store.list_enrollments(enrollment_store) == []


async def test_a_typed_payload_that_skipped_a_consent_is_not_stored(enrollment_store):
    events, messages = await conclude(answers(health_consent=None))
    # The application is not finished without the consent, so there is no ending and nothing to store.
    assert events == [] and messages == []
    assert store.list_enrollments(enrollment_store) == []


async def test_a_store_outage_is_said_plainly_and_a_retry_stores_exactly_one(enrollment_store, monkeypatch):
    working_url = str(enrollment_store.url)
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg2://nobody@127.0.0.1:1/down?connect_timeout=2")
    events, messages = await conclude(answers())
    assert [m["response"] for m in messages] == ["utter_store_unavailable"]
    # The answers are kept and the read-back is asked again, so confirming once more resubmits.
    assert SlotSet("enrollment_confirmed", None) in events
    assert {"event": "followup", "name": "enrollment_form", "timestamp": None} in events
    assert SlotSet("id_number", None) not in events
    monkeypatch.setenv("DATABASE_URL", working_url)
    assert store.list_enrollments(enrollment_store) == []  # nothing half-written
    await conclude(answers())
    await conclude(answers())
    assert len(store.list_enrollments(enrollment_store)) == 1


async def test_a_resumed_form_keeps_the_answers_given_before_even_sealed():
    """Coming back: the form starts again after "好的" and checks the answers it finds (which the
    conversation store keeps sealed) without refusing the name for the "yes"."""
    from bot.store.sealed_slots import seal

    prefilled = {**before("phone"), "id_number": seal(MOTHER_ID)}
    values, responses = await validate(prefilled, text="好的", intent="affirm",
                                       extracted={"member_name": "王秀英", "id_number": seal(MOTHER_ID)})
    assert values["member_name"] == "王秀英" and values["id_number"] == MOTHER_ID
    assert responses == []
