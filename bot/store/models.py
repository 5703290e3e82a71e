"""The tables of the enrollment store, as SQLAlchemy declarative classes.

The database enforces the rules that must hold under concurrency: foreign keys, the unique enrollment
number, one enrollment per conversation and member (withdrawn ones aside), one ACTIVE membership per member
(a partial unique index), one open handoff per conversation, unique staff usernames, and the allowed values
of every status column. The migration in `migrations/versions` creates exactly this schema; a test compares
the two.

No table is called `events`: Rasa's SQL tracker store owns that name when both share a database.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import declarative_base
from sqlalchemy.orm import relationship as orm_relationship  # a column here is called `relationship`
from sqlalchemy.types import TypeDecorator

from bot.core.records import CONSENT_KINDS, CONSENT_PARTIES, SCREENING_ANSWERS, SEXES  # noqa: F401

# Deterministic constraint names, so migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))

ENROLLMENT_STATUSES = ("eligible", "active", "declined", "manual_review", "deferred", "withdrawn")
TICKET_STATUSES = ("waiting", "claimed", "closed")
STAFF_ROLES = ("agent", "supervisor")  # supervisor: also manages staff and sees every ticket


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A point in time, always returned as an aware UTC datetime (SQLite keeps no zone, PostgreSQL does)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class Money(TypeDecorator):
    """An amount in yuan with 2 decimals, always a Decimal. PostgreSQL stores NUMERIC(10, 2) exactly;
    SQLite stores a double, and the shortest text of a double with at most 10 digits is the amount itself."""

    impl = Numeric(10, 2)
    cache_ok = True
    _CENTS = Decimal("0.01")

    def load_dialect_impl(self, dialect):
        if dialect.supports_native_decimal:
            return dialect.type_descriptor(Numeric(10, 2))
        return dialect.type_descriptor(Numeric(10, 2, asdecimal=False))

    def process_bind_param(self, value, dialect):
        return None if value is None else Decimal(str(value)).quantize(self._CENTS)

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(str(value)).quantize(self._CENTS)


class Enroller(Base):
    """The person chatting, who enrolls a member and pays: identified by a channel-namespaced sender id."""

    __tablename__ = "enrollers"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, unique=True)  # e.g. "rest:abc", "wx:openid"
    channel = Column(String(40), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class Member(Base):
    """The covered senior, as the ID number identifies them: stored only encrypted, hashed (keyed) and
    masked. Name and phone are not here: they belong to each enrollment (EnrollmentContact), so nothing
    a later submission says changes what an earlier enrollment holds."""

    __tablename__ = "members"
    __table_args__ = (CheckConstraint(_one_of("sex", SEXES), name="sex"),)

    id = Column(Integer, primary_key=True)
    id_number_encrypted = Column(Text, nullable=False)  # Fernet token
    id_number_hash = Column(String(64), nullable=False, unique=True)  # HMAC-SHA256, hex
    id_number_masked = Column(String(18), nullable=False)
    birth_date = Column(Date, nullable=False)
    sex = Column(String(6), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Enrollment(Base):
    """One submission of a member by an enroller, with the screening outcome and the membership dates."""

    __tablename__ = "enrollments"
    __table_args__ = (
        CheckConstraint(_one_of("status", ENROLLMENT_STATUSES), name="status"),
        # Idempotency: a conversation that submits the same member again gets the first enrollment back.
        # Withdrawn enrollments step aside, so leaving and re-joining works in the same conversation.
        Index(
            "uq_enrollments_conversation_member",
            "conversation_id",
            "member_id",
            unique=True,
            sqlite_where=text("status <> 'withdrawn'"),
            postgresql_where=text("status <> 'withdrawn'"),
        ),
        # One active membership per member in this plan.
        Index(
            "uq_enrollments_active_member",
            "member_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_enrollments_enroller_id", "enroller_id"),
    )

    id = Column(Integer, primary_key=True)
    enrollment_number = Column(String(20), nullable=False, unique=True)
    enroller_id = Column(ForeignKey("enrollers.id"), nullable=False)
    member_id = Column(ForeignKey("members.id"), nullable=False)
    relationship = Column(String(30), nullable=False)  # of the member to the enroller: self, father, ...
    conversation_id = Column(String(255), nullable=False)
    language = Column(String(10), nullable=False)
    status = Column(String(20), nullable=False)
    outcome_reasons = Column(JSON, nullable=False, default=list)
    enrolled_on = Column(Date, nullable=False)
    waiting_period_end = Column(Date, nullable=True)
    cover_start = Column(Date, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow)
    withdrawn_at = Column(UTCDateTime, nullable=True)

    enroller = orm_relationship(Enroller)
    member = orm_relationship(Member)
    screening_answers = orm_relationship("ScreeningAnswer", order_by="ScreeningAnswer.question_id")
    consents = orm_relationship("ConsentRecord", order_by="ConsentRecord.given_at")
    authorization = orm_relationship("DeductionAuthorization", uselist=False)
    contact = orm_relationship("EnrollmentContact", uselist=False)


class EnrollmentContact(Base):
    """The member's name and phone as this enrollment collected them. The phone is kept like the ID
    number: encrypted, a keyed hash to find it, and masked (first 3 and last 4 digits) for showing."""

    __tablename__ = "enrollment_contacts"
    __table_args__ = (Index("ix_enrollment_contacts_phone_hash", "phone_hash"),)

    enrollment_id = Column(ForeignKey("enrollments.id"), primary_key=True)
    member_name = Column(String(100), nullable=False)
    phone_encrypted = Column(Text, nullable=True)  # Fernet token
    phone_hash = Column(String(64), nullable=True)  # HMAC-SHA256 of "phone:" + number, hex
    phone_masked = Column(String(11), nullable=True)  # 139****5678


class ScreeningAnswer(Base):
    """One health-screening answer (question id as in the plan configuration) of one enrollment."""

    __tablename__ = "screening_answers"
    __table_args__ = (
        UniqueConstraint("enrollment_id", "question_id"),
        CheckConstraint(_one_of("answer", SCREENING_ANSWERS), name="answer"),
    )

    id = Column(Integer, primary_key=True)
    enrollment_id = Column(ForeignKey("enrollments.id"), nullable=False)
    question_id = Column(String(10), nullable=False)
    answer = Column(String(10), nullable=False)


class ConsentRecord(Base):
    """A consent given: which text version, when, whose consent it is, and who typed the answer."""

    __tablename__ = "consent_records"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CONSENT_KINDS), name="kind"),
        CheckConstraint(_one_of("given_by", CONSENT_PARTIES), name="given_by"),
        CheckConstraint(_one_of("answered_by", CONSENT_PARTIES), name="answered_by"),
        Index("ix_consent_records_enroller_id", "enroller_id"),
        Index("ix_consent_records_enrollment_id", "enrollment_id"),
    )

    id = Column(Integer, primary_key=True)
    kind = Column(String(40), nullable=False)
    text_version = Column(String(40), nullable=False)
    given_at = Column(UTCDateTime, nullable=False)
    given_by = Column(String(10), nullable=False)
    answered_by = Column(String(10), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    enroller_id = Column(ForeignKey("enrollers.id"), nullable=False)
    enrollment_id = Column(ForeignKey("enrollments.id"), nullable=True)  # None: given before submission


class DeductionAuthorization(Base):
    """The enroller's explicit authorization of the recurring deduction for one enrollment."""

    __tablename__ = "deduction_authorizations"

    id = Column(Integer, primary_key=True)
    enroller_id = Column(ForeignKey("enrollers.id"), nullable=False)
    enrollment_id = Column(ForeignKey("enrollments.id"), nullable=False, unique=True)
    per_case_cap = Column(Money, nullable=False)
    currency = Column(String(3), nullable=False, default="CNY")
    schedule = Column(String(200), nullable=False)
    text_version = Column(String(40), nullable=False)
    authorized_at = Column(UTCDateTime, nullable=False)
    cancelled_at = Column(UTCDateTime, nullable=True)


class StaffAccount(Base):
    """A support-staff login for the support console."""

    __tablename__ = "staff_accounts"

    id = Column(Integer, primary_key=True)
    username = Column(String(60), nullable=False, unique=True)
    password_hash = Column(String(255), nullable=False)
    display_name = Column(String(100), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    role = Column(String(20), nullable=False, default="agent", server_default="agent")

    __table_args__ = (CheckConstraint(_one_of("role", STAFF_ROLES), name="role"),)


class StaffSession(Base):
    """A support-console login. The cookie holds a random token; only its SHA-256 is stored, so a copy of
    the database opens no sessions. The CSRF token belongs to the session and is checked on every form."""

    __tablename__ = "staff_sessions"
    __table_args__ = (
        Index("ix_staff_sessions_staff_id", "staff_id"),
        Index("ix_staff_sessions_expires_at", "expires_at"),
    )

    token_hash = Column(String(64), primary_key=True)  # SHA-256 of the cookie's token, hex
    staff_id = Column(ForeignKey("staff_accounts.id"), nullable=False)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)


class HandoffTicket(Base):
    """A conversation waiting for, or being handled by, a person. The summary is masked already."""

    __tablename__ = "handoff_tickets"
    __table_args__ = (
        CheckConstraint(_one_of("status", TICKET_STATUSES), name="status"),
        # A conversation has at most one open ticket: asking twice for a person does not queue twice.
        Index(
            "uq_handoff_tickets_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("status <> 'closed'"),
            postgresql_where=text("status <> 'closed'"),
        ),
        Index("ix_handoff_tickets_status_created_at", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(40), nullable=False)
    language = Column(String(10), nullable=False)
    reason = Column(String(60), nullable=False)
    summary = Column(JSON, nullable=False, default=dict)
    status = Column(String(10), nullable=False, default="waiting")
    claimed_by = Column(ForeignKey("staff_accounts.id"), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    claimed_at = Column(UTCDateTime, nullable=True)
    closed_at = Column(UTCDateTime, nullable=True)


class IdNumberLookup(Base):
    """One ID-number look-up by a sender (not which number): counted to rate-limit look-ups across every
    replica of the action server. Rows older than the limit's window are deleted as new ones arrive."""

    __tablename__ = "id_number_lookups"
    __table_args__ = (Index("ix_id_number_lookups_enroller_id_at", "enroller_id", "at"),)

    id = Column(Integer, primary_key=True)
    enroller_id = Column(ForeignKey("enrollers.id"), nullable=False)
    at = Column(UTCDateTime, nullable=False)


class AuditEntry(Base):
    """Who did what to which record, when. Details never hold personal data (names, ID numbers, phones)."""

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_trail_subject", "subject"),)

    id = Column(Integer, primary_key=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    actor_kind = Column(String(20), nullable=False)  # assistant | staff | operator | system
    actor_id = Column(String(255), nullable=False)
    action = Column(String(60), nullable=False)
    subject = Column(String(120), nullable=False)  # e.g. "enrollment:SC261128-7KQ3M", "ticket:12"
    details = Column(JSON, nullable=False, default=dict)


# ------------------------------------------------------------- after the conversation (issue 18)

DECISIONS = ("approve", "decline")
NOTICE_STATUSES = ("pending", "sent", "kept", "skipped", "failed")
NOTICE_KINDS = ("decision", "deduction", "waiting_period_end")


class StaffDecision(Base):
    """A person's decision on a manual review or a contested decline. The unique enrollment id makes it
    one decision per case: of two staff members deciding at once, the database lets one win."""

    __tablename__ = "staff_decisions"
    __table_args__ = (CheckConstraint(_one_of("decision", DECISIONS), name="decision"),)

    id = Column(Integer, primary_key=True)
    enrollment_id = Column(ForeignKey("enrollments.id"), nullable=False, unique=True)
    decision = Column(String(10), nullable=False)
    reason = Column(String(40), nullable=False)  # an id from the plan's decision reasons
    note = Column(Text, nullable=False, default="")  # for staff only; never sent to the family
    previous_status = Column(String(20), nullable=False)
    staff_id = Column(ForeignKey("staff_accounts.id"), nullable=False)
    decided_at = Column(UTCDateTime, nullable=False)
    decided_on = Column(Date, nullable=False)  # the China date the waiting period counts from


class Notice(Base):
    """The outbox: one row per notice to a family, written in the transaction of what caused it and sent
    once by `python -m bot notify`. A sender claims a row with a lease (lease_until); the unique
    idempotency key keeps planners and replicas from queueing the same notice twice."""

    __tablename__ = "notices"
    __table_args__ = (
        CheckConstraint(_one_of("status", NOTICE_STATUSES), name="status"),
        CheckConstraint(_one_of("kind", NOTICE_KINDS), name="kind"),
        Index("ix_notices_status_due_at", "status", "due_at"),
    )

    id = Column(Integer, primary_key=True)
    idempotency_key = Column(String(120), nullable=False, unique=True)
    kind = Column(String(30), nullable=False)
    enrollment_id = Column(ForeignKey("enrollments.id"), nullable=True)
    recipient = Column(String(255), nullable=False)  # channel-namespaced sender id: wx:..., web:..., rest:...
    channel = Column(String(40), nullable=False)
    language = Column(String(10), nullable=False)
    params = Column(JSON, nullable=False, default=dict)  # what the text needs; never ID numbers or phones
    due_at = Column(UTCDateTime, nullable=False)
    status = Column(String(10), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    lease_until = Column(UTCDateTime, nullable=True)
    claimed_by = Column(String(120), nullable=True)
    last_error = Column(String(200), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime, nullable=True)


class NoticeOptOut(Base):
    """A family that said 退订 / stop: no more notices, except those the law requires."""

    __tablename__ = "notice_opt_outs"

    id = Column(Integer, primary_key=True)
    sender_id = Column(String(255), nullable=False, unique=True)
    opted_out_at = Column(UTCDateTime, nullable=False)


class SharingPeriod(Base):
    """How many cases a sharing period has, recorded by an operator once cases are published; the notice
    before the deduction day tells each member the count and the at-most amount."""

    __tablename__ = "sharing_periods"

    id = Column(Integer, primary_key=True)
    deduction_on = Column(Date, nullable=False, unique=True)
    cases = Column(Integer, nullable=False)
    recorded_at = Column(UTCDateTime, nullable=False, default=utcnow)
