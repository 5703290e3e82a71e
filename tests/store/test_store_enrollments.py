"""Submitting enrollments: what gets stored, idempotency, 'already a member', withdrawal and re-joining."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.core.identity import parse_id_number
from bot.store import (
    Actor,
    ConsentGiven,
    cancel_deduction_authorization,
    find_active_membership_by_id_number,
    get_enrollment,
    list_audit,
    list_enrollments,
    record_consent,
    submit_enrollment,
    withdraw_membership,
)
from bot.store.models import ConsentRecord, Enrollment, Member
from store_samples import NOW, TODAY, id_number, submission

OPERATOR = Actor("operator", "ops")


def count(engine, model) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_submission_stores_everything_the_assistant_collected(engine):
    result = submit_enrollment(engine, submission())

    assert result.status == "created"
    assert result.enrollment_status == "active"
    assert re.fullmatch(r"SC261128-[0-9A-HJKMNP-TV-Z]{5}", result.enrollment_number)
    assert result.masked_id == "110105********1234"
    assert (result.enrolled_on, result.waiting_period_end, result.cover_start) == (
        TODAY, TODAY + timedelta(days=90), TODAY + timedelta(days=91))

    shown = get_enrollment(engine, result.enrollment_number.lower())  # typed in lower case by staff
    assert shown.member_name == "王秀英"
    assert shown.masked_id == "110105********1234"
    assert shown.masked_phone == "139****5678"
    assert shown.relationship == "mother" and shown.enroller == "rest:daughter-1"
    assert shown.screening_answers == {f"H{i}": "no" for i in range(1, 7)}
    assert shown.outcome_reasons == ("all_answers_no",)
    assert {c.kind for c in shown.consents} == {
        "privacy_notice", "health_information", "member_agreement", "truthful_declaration",
        "deduction_authorization"}
    agreement = next(c for c in shown.consents if c.kind == "member_agreement")
    assert (agreement.given_by, agreement.answered_by, agreement.version) == (
        "member", "enroller", "member-agreement-2026-11")
    assert agreement.given_at == NOW
    assert shown.authorization.per_case_cap == Decimal("1.00")
    assert shown.authorization.schedule == "14th and 28th of each month"
    assert shown.authorization.cancelled_at is None

    [entry] = list_audit(engine, subject=f"enrollment:{result.enrollment_number}")
    assert entry.action == "enrollment.submitted"
    assert entry.actor.kind == "assistant" and entry.details["status"] == "active"


def test_submitting_again_from_the_same_conversation_returns_the_first_enrollment(engine):
    first = submit_enrollment(engine, submission())
    again = submit_enrollment(engine, submission(phone="13800000000"))

    assert again.status == "existing"
    assert again.enrollment_number == first.enrollment_number
    assert count(engine, Enrollment) == 1 and count(engine, Member) == 1


def test_the_same_person_typed_differently_is_still_found(engine):
    first = submit_enrollment(engine, submission())
    typed = id_number()
    typed = f"{typed[:6]} {typed[6:14]}-{typed[14:]}".lower()
    again = submit_enrollment(engine, submission(conversation_id="rest:daughter-1#2", id_number=typed))
    assert again.status == "already_member"
    assert again.enrollment_number == first.enrollment_number


def test_the_enroller_of_an_active_membership_hears_already_a_member_with_its_number(engine):
    first = submit_enrollment(engine, submission())

    result = submit_enrollment(engine, submission(conversation_id="rest:daughter-1#2"))

    assert result.status == "already_member"
    assert result.enrollment_number == first.enrollment_number
    assert result.masked_id == "110105********1234"
    assert result.cover_start == first.cover_start
    assert count(engine, Enrollment) == 1
    assert [e.action for e in list_audit(engine, subject=f"enrollment:{first.enrollment_number}")] == [
        "enrollment.already_member", "enrollment.submitted"]


def test_another_enroller_learns_nothing_about_an_active_membership(engine):
    first = submit_enrollment(engine, submission())
    other_child = submission(conversation_id="wx:son", sender_id="wx:son", channel="wechat",
                             relationship="mother")

    result = submit_enrollment(engine, other_child)

    assert result.status == "not_disclosed"
    assert (result.enrollment_number, result.enrollment_status, result.enrolled_on, result.cover_start) == (
        None, None, None, None)
    assert result.masked_id == "110105********1234"  # the number they typed, nothing more
    assert count(engine, Enrollment) == 1
    assert [e.action for e in list_audit(engine, subject=f"enrollment:{first.enrollment_number}")] == [
        "enrollment.not_disclosed", "enrollment.submitted"]


def test_the_database_refuses_a_second_active_membership_even_past_the_functions(engine):
    submit_enrollment(engine, submission())
    declined = submit_enrollment(engine, submission(
        conversation_id="c2", id_number=id_number(sequence="456"), outcome="declined"))
    with pytest.raises(Exception, match="(?i)unique|duplicate"):
        with Session(engine) as session, session.begin():
            row = session.execute(select(Enrollment).where(
                Enrollment.enrollment_number == declined.enrollment_number)).scalar_one()
            row.member_id = session.execute(select(Enrollment.member_id).where(
                Enrollment.status == "active")).scalar_one()
            row.status = "active"


def test_outcomes_other_than_eligible_are_recorded_but_are_not_memberships(engine):
    declined = submit_enrollment(engine, submission(
        outcome="declined", outcome_reasons=["H1_yes"], authorization=None, waiting_period_end=None,
        cover_start=None, screening_answers={"H1": "yes"}))
    assert (declined.status, declined.enrollment_status) == ("created", "declined")
    assert find_active_membership_by_id_number(engine, id_number()) is None

    # Later, in a new conversation, the results are different: joining is not blocked by the old record.
    joined = submit_enrollment(engine, submission(conversation_id="rest:daughter-1#2"))
    assert joined.status == "created" and joined.enrollment_status == "active"
    assert joined.enrollment_number != declined.enrollment_number


def test_eligible_without_a_deduction_authorization_is_not_an_active_membership(engine):
    result = submit_enrollment(engine, submission(authorization=None))
    assert result.enrollment_status == "eligible"
    assert find_active_membership_by_id_number(engine, id_number()) is None


def test_find_active_membership_by_id_number(engine):
    result = submit_enrollment(engine, submission())
    found = find_active_membership_by_id_number(engine, id_number())
    assert found.enrollment_number == result.enrollment_number
    assert found.masked_id == "110105********1234"
    assert find_active_membership_by_id_number(engine, id_number(sequence="999")) is None


def test_withdrawing_ends_the_membership_and_rejoining_starts_a_new_one(engine):
    first = submit_enrollment(engine, submission())

    withdrawn = withdraw_membership(engine, OPERATOR, enrollment_number=first.enrollment_number)
    assert (withdrawn.status, withdrawn.enrollment_number, withdrawn.masked_id) == (
        "withdrawn", first.enrollment_number, "110105********1234")
    assert get_enrollment(engine, first.enrollment_number).status == "withdrawn"
    assert get_enrollment(engine, first.enrollment_number).withdrawn_at is not None
    assert find_active_membership_by_id_number(engine, id_number()) is None
    [entry, _] = list_audit(engine, subject=f"enrollment:{first.enrollment_number}")
    assert (entry.action, entry.actor) == ("enrollment.withdrawn", OPERATOR)

    # Re-joining, even from the same conversation, is a new enrollment with its own (new) dates.
    later = TODAY + timedelta(days=30)
    again = submit_enrollment(engine, submission(enrolled_on=later, waiting_period_end=later + timedelta(90),
                                                 cover_start=later + timedelta(91)))
    assert again.status == "created"
    assert again.enrollment_number != first.enrollment_number
    assert again.cover_start == later + timedelta(91)
    assert find_active_membership_by_id_number(engine, id_number()).enrollment_number == again.enrollment_number
    assert count(engine, Member) == 1


def test_withdrawing_by_id_number_and_twice(engine):
    first = submit_enrollment(engine, submission())
    assert withdraw_membership(engine, OPERATOR, id_number=id_number()).status == "withdrawn"
    twice = withdraw_membership(engine, OPERATOR, enrollment_number=first.enrollment_number)
    assert (twice.status, twice.enrollment_status) == ("not_active", "withdrawn")
    assert withdraw_membership(engine, OPERATOR, id_number=id_number(sequence="999")).status == "not_found"
    assert withdraw_membership(engine, OPERATOR, enrollment_number="SC000000-XXXXX").status == "not_found"
    with pytest.raises(ValueError):
        withdraw_membership(engine, OPERATOR)


def test_enrollment_numbers_are_unique(engine):
    numbers = {
        submit_enrollment(engine, submission(conversation_id=f"c{n}", id_number=id_number(sequence=f"{n:03d}")))
        .enrollment_number
        for n in range(30)
    }
    assert len(numbers) == 30
    assert [e.enrollment_number for e in list_enrollments(engine)] != []
    assert len(list_enrollments(engine, status="active")) == 30


def test_a_consent_given_before_submission_is_kept(engine):
    record_consent(engine, conversation_id="rest:x", channel="rest", sender_id="rest:x",
                   consent=ConsentGiven("privacy_notice", "privacy-2026-11", NOW))
    with Session(engine) as session:
        [row] = session.execute(select(ConsentRecord)).scalars().all()
        assert (row.kind, row.text_version, row.enrollment_id, row.given_by) == (
            "privacy_notice", "privacy-2026-11", None, "enroller")


def test_cancelling_the_deduction_authorization(engine):
    result = submit_enrollment(engine, submission())
    assert cancel_deduction_authorization(engine, result.enrollment_number, OPERATOR) is True
    assert get_enrollment(engine, result.enrollment_number).authorization.cancelled_at is not None
    assert cancel_deduction_authorization(engine, result.enrollment_number, OPERATOR) is False


def test_bad_submissions_are_refused_before_the_database():
    with pytest.raises(ValueError, match="outcome"):
        submission(outcome="maybe")
    with pytest.raises(ValueError, match="H2"):
        submission(screening_answers={"H2": "perhaps"})
    with pytest.raises(ValueError, match="sex"):
        submission(sex="unknown")
    with pytest.raises(ValueError, match="consent kind"):
        ConsentGiven("marketing", "v1", NOW)


def test_the_sex_from_bot_identity_is_stored_as_text(engine):
    parsed = parse_id_number(id_number(), today=TODAY)
    result = submit_enrollment(engine, submission(sex=parsed.sex, birth_date=parsed.birth_date))
    assert get_enrollment(engine, result.enrollment_number).sex == parsed.sex.value


def test_a_submission_never_shows_personal_data_in_its_repr():
    text = repr(submission())
    assert id_number() not in text and "13912345678" not in text and "王秀英" not in text
