"""Sample submissions for the store tests (what the assistant would hand over after bot.core.plan decided)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from bot.core.identity import check_character
from bot.store import ConsentGiven, DeductionAuthorizationGiven, EnrollmentSubmission

TODAY = date(2026, 11, 28)
NOW = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)


def id_number(birth: str = "19560315", sequence: str = "123", region: str = "110105") -> str:
    """A valid 18-character ID number (right check character) for the given birth date and sequence."""
    first_17 = region + birth + sequence
    return first_17 + check_character(first_17)


CONSENTS = (
    ConsentGiven("privacy_notice", "privacy-2026-11", NOW),
    ConsentGiven("health_information", "health-info-2026-11", NOW),
    ConsentGiven("member_agreement", "member-agreement-2026-11", NOW, given_by="member", answered_by="enroller"),
    ConsentGiven("truthful_declaration", "declaration-2026-11", NOW),
    ConsentGiven("deduction_authorization", "deduction-2026-11", NOW),
)
AUTHORIZATION = DeductionAuthorizationGiven(Decimal("1.00"), "14th and 28th of each month",
                                            "deduction-2026-11", NOW)


def submission(**changes) -> EnrollmentSubmission:
    """An eligible daughter enrolling her mother, with every consent and the deduction authorization."""
    values = dict(
        conversation_id="rest:daughter-1",
        channel="rest",
        sender_id="rest:daughter-1",
        language="zh",
        relationship="mother",
        member_name="王秀英",
        id_number=id_number(),
        phone="13912345678",
        birth_date=date(1956, 3, 15),
        sex="female",
        outcome="eligible",
        outcome_reasons=["all_answers_no"],
        screening_answers={f"H{i}": "no" for i in range(1, 7)},
        consents=CONSENTS,
        authorization=AUTHORIZATION,
        enrolled_on=TODAY,
        waiting_period_end=TODAY + timedelta(days=90),
        cover_start=TODAY + timedelta(days=91),
    )
    values.update(changes)
    return EnrollmentSubmission(**values)
