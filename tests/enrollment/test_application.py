"""The order of the enrollment's questions, when an answer ends it, and what reaches the store."""
from datetime import datetime, timezone

import pytest

from bot.core import enrollment, typed_identity
from bot.core.enrollment import Application, ApplicationIncomplete, Ending
from bot.core.submission import Origin, submission_of
from tests.enrollment.helpers import (
    FATHER_ID, MOTHER_ID, SCREENING_KEYS, TODAY, TOO_OLD_ID, TOO_YOUNG_ID, answers,
)

CONVERSATION = Origin("rest:abc@1.000", "rest", "rest:abc", "zh")
AT = {key: datetime(2026, 11, 28, 3, 0, tzinfo=timezone.utc) for key in enrollment.CONSENTS}


def app(**overrides):
    return Application.of(answers(**overrides), TODAY)


def test_questions_come_one_at_a_time_in_order():
    empty = Application.of({}, TODAY)
    assert empty.questions() == ["privacy_consent"]
    partial = Application.of({"privacy_consent": True, "relationship": "mother", "member_name": "王秀英"}, TODAY)
    assert partial.questions() == ["privacy_consent", "relationship", "member_name", "id_number"]
    assert partial.ending is None


def test_the_privacy_notice_comes_before_any_personal_data_and_the_health_consent_before_health():
    order = app().questions()
    first_personal = min(order.index(key) for key in ("member_name", "id_number", "phone"))
    assert order.index("privacy_consent") < first_personal
    assert order.index("health_consent") == order.index("screening_h1") - 2  # member agreement between
    # with the relationship already given ("我想给我妈报名"), the notice still comes first
    assert Application.of({"relationship": "mother"}, TODAY).questions() == ["privacy_consent"]


def test_a_complete_confirmed_enrollment_ends_confirmed():
    assert app().ending is Ending.CONFIRMED
    assert app().questions()[-1] == "enrollment_confirmed"


def test_enrolling_oneself_asks_no_separate_member_agreement():
    questions = app(relationship="self", member_agreement=None).questions()
    assert "member_agreement" not in questions
    assert app(relationship="self", member_agreement=None).ending is Ending.CONFIRMED


@pytest.mark.parametrize("id_number, ending", [(TOO_YOUNG_ID, Ending.TOO_YOUNG), (TOO_OLD_ID, Ending.TOO_OLD)])
def test_an_age_outside_the_window_ends_it_right_after_the_id(id_number, ending):
    application = Application.of({"privacy_consent": True, "relationship": "mother", "member_name": "王",
                                  "id_number": id_number}, TODAY)
    assert application.ending is ending
    assert application.questions()[-1] == "id_number"  # no phone, no health question asked


@pytest.mark.parametrize("refused, ending", [
    ("privacy_consent", Ending.PRIVACY_REFUSED),
    ("health_consent", Ending.HEALTH_CONSENT_REFUSED),
    ("member_agreement", Ending.MEMBER_DISAGREES),
    ("truthful_declaration", Ending.DECLARATION_REFUSED),
    ("deduction_authorization", Ending.AUTHORIZATION_REFUSED),
])
def test_a_refused_consent_ends_it_there(refused, ending):
    keys = enrollment.all_answer_keys()
    later = {key: None for key in keys[keys.index(refused) + 1:]}
    application = app(**{refused: False, **later})
    assert application.ending is ending
    assert application.questions()[-1] == refused


def test_no_health_question_before_both_consents():
    application = Application.of({key: value for key, value in answers().items()
                                  if key in ("relationship", "member_name", "id_number", "phone")}, TODAY)
    assert application.questions()[-1] == "privacy_consent"
    assert not set(application.questions()) & set(SCREENING_KEYS)


def test_a_declining_yes_ends_the_screening_at_once():
    application = app(screening_h2="yes", **{key: None for key in SCREENING_KEYS[2:]},
                      truthful_declaration=None, deduction_authorization=None, enrollment_confirmed=None)
    assert application.ending is Ending.DECLINED
    assert application.decision.causes == ("H2",)
    assert application.questions()[-1] == "screening_h2"


def test_deferred_and_manual_review_wait_for_every_answer():
    waiting = app(screening_h5="yes", screening_h6=None)
    assert waiting.ending is None and waiting.questions()[-1] == "screening_h6"
    assert app(screening_h6="yes").ending is Ending.DEFERRED
    assert app(screening_h5="yes").ending is Ending.MANUAL_REVIEW
    assert app(screening_h3="not_sure").ending is Ending.MANUAL_REVIEW


def test_an_eligible_screening_goes_on_to_the_declaration():
    application = app(truthful_declaration=None, deduction_authorization=None, enrollment_confirmed=None)
    assert application.ending is None
    assert application.questions()[-1] == "truthful_declaration"


def test_the_submission_is_rebuilt_and_checked_from_the_answers():
    submission = submission_of(app(), CONVERSATION, AT)
    assert submission.outcome == "eligible" and submission.enrollment_status == "active"
    assert submission.id_number == MOTHER_ID and submission.birth_date.isoformat() == "1961-03-15"
    assert submission.cover_start.isoformat() == "2027-02-27"
    assert submission.waiting_period_end.isoformat() == "2027-02-26"
    assert {c.kind for c in submission.consents} == {
        "privacy_notice", "health_information", "member_agreement", "truthful_declaration",
        "deduction_authorization"}
    member_agreement = next(c for c in submission.consents if c.kind == "member_agreement")
    assert (member_agreement.given_by, member_agreement.answered_by) == ("member", "enroller")
    assert submission.authorization.per_case_cap == 1


def test_a_declined_submission_has_no_authorization_and_only_the_answers_given():
    submission = submission_of(
        app(screening_h1="yes", **{key: None for key in SCREENING_KEYS[1:]}), CONVERSATION, AT)
    assert submission.outcome == "declined"
    assert submission.outcome_reasons == ("H1",)
    assert submission.screening_answers == {"H1": "yes"}
    assert submission.authorization is None


@pytest.mark.parametrize("tampered", [
    {"health_consent": None},           # a consent never given
    {"id_number": "110105196103150020"},  # a bad check character slipped into the slot
    {"relationship": "uncle"},
    {"phone": "12345"},
])
def test_a_tampered_answer_is_never_stored(tampered):
    with pytest.raises(ApplicationIncomplete):
        submission_of(app(**tampered), CONVERSATION, AT)


def test_nothing_is_stored_for_an_age_or_consent_ending():
    with pytest.raises(ApplicationIncomplete):
        submission_of(app(id_number=TOO_OLD_ID), CONVERSATION, AT)
    with pytest.raises(ApplicationIncomplete):
        submission_of(app(privacy_consent=False), CONVERSATION, AT)


@pytest.mark.parametrize("text, expected", [
    ("她叫王秀英", "王秀英"),
    ("我妈叫张淑芬。", "张淑芬"),
    ("名字是李桂兰", "李桂兰"),
    ("her name is Mary Li", "Mary Li"),
    ("My mother's name is Wang Fang", "Wang Fang"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),
])
def test_names_are_read_from_natural_answers(text, expected):
    assert typed_identity.read_name(text) == expected


def test_id_numbers_and_phones_are_read_from_natural_answers():
    assert typed_identity.read_id_number("她的身份证是 110105 19610315 002 9", TODAY).number == MOTHER_ID
    assert typed_identity.read_phone("她手机是 +86 139-1234-5678") == "13912345678"
    assert typed_identity.stated_birth_date(f"{MOTHER_ID}，1961年3月15日出生") .isoformat() == "1961-03-15"
    assert typed_identity.stated_birth_date(MOTHER_ID) is None


def test_a_mother_with_a_male_id_is_a_contradiction():
    father = typed_identity.read_id_number(FATHER_ID, TODAY)
    mother = typed_identity.read_id_number(MOTHER_ID, TODAY)
    assert enrollment.sex_contradicts("mother", father)
    assert not enrollment.sex_contradicts("mother", mother)
    assert not enrollment.sex_contradicts("self", father)


def test_the_handoff_summary_holds_no_identity():
    summary = enrollment.handoff_summary(app(screening_h5="yes"), "SC261128-ABCDE")
    text = str(summary)
    assert MOTHER_ID not in text and "13912345678" not in text and "王秀英" not in text
    assert summary["member_age"] == 65 and summary["screening_progress"] == "6/6"
    # Masked, for the queue to tell families apart and to show which number a call-back goes to.
    assert summary["member_name"] == "王＊英" and summary["phone"] == "139****5678"


def test_the_other_parent_is_offered():
    assert enrollment.other_parent("mother") == "father"
    assert enrollment.other_parent("father_in_law") == "mother_in_law"
    assert enrollment.other_parent("self") is None
