"""The enrollment store: who enrolled whom, with what answers and consents, and who is handling which handoff.

Everything the assistant, the support console and the operator command write or read goes through the
functions re-exported here. Each takes an Engine (from `engine_for`) and runs its own unit of work; the
database, not Python, enforces the uniqueness rules (one active membership per member, one enrollment per
conversation and member, one open handoff per conversation).
"""
from bot.store.audit import Actor, AuditRecord, audit, list_audit
from bot.store.db import dispose_engines, engine_for
from bot.store.migrations import upgrade_schema
from bot.store import insight  # noqa: F401  (its tables belong to the schema)
from bot.store.enrollments import (
    ConsentGiven,
    DeductionAuthorizationGiven,
    EnrollmentSubmission,
    SubmissionResult,
    conversation_reference,
    record_consent,
    submit_enrollment,
)
from bot.store.memberships import (
    EnrollmentView,
    LookupLimit,
    MemberLookup,
    WithdrawalResult,
    cancel_deduction_authorization,
    find_active_membership_by_id_number,
    get_enrollment,
    list_enrollments,
    list_enrollments_by_phone,
    look_up_member,
    withdraw_membership,
)
from bot.store.handoffs import (
    TICKET_OUTCOMES,
    HandoffTicketView,
    claim_ticket,
    close_ticket,
    create_handoff_ticket,
    open_handoff_ticket,
    finish_ticket,
    get_ticket,
    list_claimed_tickets,
    list_waiting_tickets,
    open_tickets_state,
    release_ticket,
)
from bot.store.staff import (
    StaffAccountView,
    StaffExists,
    create_staff,
    get_staff,
    record_refused_login,
    verify_staff_password,
)
from bot.store.staff_sessions import (
    StaffSessionView,
    close_staff_session,
    find_staff_session,
    open_staff_session,
)

__all__ = [
    "Actor", "AuditRecord", "audit", "list_audit",
    "dispose_engines", "engine_for", "upgrade_schema",
    "ConsentGiven", "DeductionAuthorizationGiven", "EnrollmentSubmission", "EnrollmentView",
    "LookupLimit", "MemberLookup", "SubmissionResult", "WithdrawalResult", "cancel_deduction_authorization",
    "conversation_reference", "find_active_membership_by_id_number", "get_enrollment", "list_enrollments",
    "list_enrollments_by_phone", "look_up_member", "record_consent",
    "submit_enrollment", "withdraw_membership",
    "TICKET_OUTCOMES", "HandoffTicketView", "claim_ticket", "close_ticket", "create_handoff_ticket", "open_handoff_ticket",
    "finish_ticket", "get_ticket", "list_claimed_tickets", "list_waiting_tickets", "open_tickets_state", "release_ticket",
    "StaffAccountView", "StaffExists", "create_staff", "get_staff", "record_refused_login",
    "verify_staff_password",
    "StaffSessionView", "close_staff_session", "find_staff_session", "open_staff_session",
]
