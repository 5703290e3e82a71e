"""Staff decisions in the store: one decision per case, the waiting period from the decision day, the
family's notice queued in the same transaction, every step audited (on SQLite and PostgreSQL)."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timezone

from bot.store import create_staff, get_enrollment, list_audit, submit_enrollment
from bot.store.decisions import case_of_conversation, decide, get_decision
from bot.store.outbox import list_notices
from store_samples import id_number, submission

DECIDED_AT = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)  # 11:00 in China
DECIDED_ON = date(2026, 12, 2)


def manual_review(engine, **changes):
    values = dict(outcome="manual_review", outcome_reasons=["H5_yes"], authorization=None,
                  waiting_period_end=None, cover_start=None,
                  screening_answers={"H1": "no", "H2": "no", "H3": "no", "H4": "no", "H5": "yes", "H6": "no"})
    values.update(changes)
    return submit_enrollment(engine, submission(**values)).enrollment_number


def test_approving_makes_the_membership_active_from_the_decision_day_and_queues_the_notice(engine):
    number = manual_review(engine)
    staff = create_staff(engine, "li.na", "a long enough password")
    result = decide(engine, number, staff_id=staff.id, decision="approve", reason="benign_confirmed",
                    note="家属提供了良性报告 13912345678", now=DECIDED_AT, decided_on=DECIDED_ON)
    assert result.status == "decided"
    enrollment = get_enrollment(engine, number)
    assert enrollment.status == "active"
    assert enrollment.waiting_period_end == date(2027, 3, 2)  # 90 days after 2026-12-02
    assert enrollment.cover_start == date(2027, 3, 3)
    assert get_decision(engine, number).reason == "benign_confirmed"
    [notice] = list_notices(engine, enrollment_number=number)
    assert (notice.kind, notice.recipient, notice.language, notice.status) == ("decision", "rest:daughter-1",
                                                                                "zh", "pending")
    actions = [entry.action for entry in list_audit(engine, subject=f"enrollment:{number}")]
    assert "enrollment.approved_by_staff" in actions and "notice.queued" in actions
    for entry in list_audit(engine):
        assert "13912345678" not in str(entry.details)  # the note's words never reach the audit


def test_declining_records_the_reason(engine):
    number = manual_review(engine)
    staff = create_staff(engine, "li.na", "a long enough password")
    decide(engine, number, staff_id=staff.id, decision="decline", reason="suspected_tumour", note="",
           now=DECIDED_AT, decided_on=DECIDED_ON)
    assert get_enrollment(engine, number).status == "declined"
    assert get_decision(engine, number).decision == "decline"


def test_a_decision_at_night_is_told_the_family_at_nine_the_next_morning(engine):
    number = manual_review(engine)
    staff = create_staff(engine, "li.na", "a long enough password")
    night = datetime(2026, 12, 2, 14, 30, tzinfo=timezone.utc)  # 22:30 in China
    decide(engine, number, staff_id=staff.id, decision="decline", reason="suspected_tumour", note="",
           now=night, decided_on=DECIDED_ON)
    [notice] = list_notices(engine, enrollment_number=number)
    assert notice.due_at == datetime(2026, 12, 3, 1, 0, tzinfo=timezone.utc)  # 09:00 in China


def test_two_staff_members_deciding_at_once_give_one_decision(engine):
    number = manual_review(engine)
    first = create_staff(engine, "li.na", "a long enough password")
    second = create_staff(engine, "wang.fang", "a long enough password")
    barrier = threading.Barrier(2)

    def decide_as(staff_id, decision, reason):
        barrier.wait()
        return decide(engine, number, staff_id=staff_id, decision=decision, reason=reason, note="",
                      now=DECIDED_AT, decided_on=DECIDED_ON)

    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(decide_as, [first.id, second.id], ["approve", "decline"],
                                ["benign_confirmed", "suspected_tumour"]))
    assert sorted(r.status for r in results) == ["already_decided", "decided"]
    winner = next(r for r in results if r.status == "decided").decision
    loser = next(r for r in results if r.status == "already_decided").decision
    assert loser == winner  # the loser is shown the decision that stands
    assert get_enrollment(engine, number).status == ("active" if winner.decision == "approve" else "declined")
    assert len(list_notices(engine, enrollment_number=number)) == 1


def test_an_active_or_eligible_enrollment_cannot_be_decided(engine):
    number = submit_enrollment(engine, submission()).enrollment_number
    staff = create_staff(engine, "li.na", "a long enough password")
    result = decide(engine, number, staff_id=staff.id, decision="decline", reason="suspected_tumour", note="",
                    now=DECIDED_AT, decided_on=DECIDED_ON)
    assert result.status == "not_decidable"
    assert get_enrollment(engine, number).status == "active"


def test_a_contested_decline_can_be_approved(engine):
    number = manual_review(engine, outcome="declined", outcome_reasons=["H1_yes"])
    staff = create_staff(engine, "li.na", "a long enough password")
    result = decide(engine, number, staff_id=staff.id, decision="approve", reason="no_cancer_risk_found",
                    note="", now=DECIDED_AT, decided_on=DECIDED_ON)
    assert result.status == "decided" and get_enrollment(engine, number).status == "active"


def test_a_ticket_finds_the_case_the_assistant_stored_under_a_session_of_its_conversation(engine):
    # The assistant files an enrollment under "<sender>@<session start>"; the ticket names the sender.
    number = manual_review(engine, conversation_id="web:tab-9@1764640000.123", sender_id="web:tab-9",
                           channel="webchat")
    manual_review(engine, conversation_id="web:tab-99@1764640000.123", sender_id="web:tab-99", channel="webchat",
                  id_number=id_number(birth="19580420"))
    assert case_of_conversation(engine, "web:tab-9") == number
    assert case_of_conversation(engine, "web:tab") is None
    assert case_of_conversation(engine, "web:tab-9%") is None  # a wildcard in an id matches nothing
