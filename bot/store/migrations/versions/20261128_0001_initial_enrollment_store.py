"""Initial enrollment store: enrollers, members, enrollments, screening answers, consents, deduction
authorizations, staff accounts, handoff tickets and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-28 10:57:49.878619
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    _audit_trail_and_people()
    _enrollments()
    _handoff_tickets()
    _answers_consents_and_authorizations()


def _audit_trail_and_people() -> None:
    """The audit trail, enrollers, members and staff accounts."""
    op.create_table('audit_trail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.String(length=255), nullable=False),
    sa.Column('action', sa.String(length=60), nullable=False),
    sa.Column('subject', sa.String(length=120), nullable=False),
    sa.Column('details', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_trail'))
    )
    op.create_index('ix_audit_trail_subject', 'audit_trail', ['subject'], unique=False)
    op.create_table('enrollers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollers')),
    sa.UniqueConstraint('sender_id', name=op.f('uq_enrollers_sender_id'))
    )
    op.create_table('members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('id_number_encrypted', sa.Text(), nullable=False),
    sa.Column('id_number_hash', sa.String(length=64), nullable=False),
    sa.Column('id_number_masked', sa.String(length=18), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('sex', sa.String(length=6), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("sex IN ('female', 'male')", name=op.f('ck_members_sex')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_members')),
    sa.UniqueConstraint('id_number_hash', name=op.f('uq_members_id_number_hash'))
    )
    op.create_table('staff_accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=60), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=100), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_accounts')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_accounts_username'))
    )


def _enrollments() -> None:
    """Enrollments, with one active membership per member and one per conversation and member."""
    op.create_table('enrollments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_number', sa.String(length=20), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('relationship', sa.String(length=30), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('outcome_reasons', sa.JSON(), nullable=False),
    sa.Column('enrolled_on', sa.Date(), nullable=False),
    sa.Column('waiting_period_end', sa.Date(), nullable=True),
    sa.Column('cover_start', sa.Date(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('eligible', 'active', 'declined', 'manual_review', 'deferred', 'withdrawn')", name=op.f('ck_enrollments_status')),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_enrollments_enroller_id_enrollers')),
    sa.ForeignKeyConstraint(['member_id'], ['members.id'], name=op.f('fk_enrollments_member_id_members')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_enrollments')),
    sa.UniqueConstraint('enrollment_number', name=op.f('uq_enrollments_enrollment_number'))
    )
    op.create_index('ix_enrollments_enroller_id', 'enrollments', ['enroller_id'], unique=False)
    op.create_index('uq_enrollments_active_member', 'enrollments', ['member_id'], unique=True, sqlite_where=sa.text("status = 'active'"), postgresql_where=sa.text("status = 'active'"))
    op.create_index('uq_enrollments_conversation_member', 'enrollments', ['conversation_id', 'member_id'], unique=True, sqlite_where=sa.text("status <> 'withdrawn'"), postgresql_where=sa.text("status <> 'withdrawn'"))


def _handoff_tickets() -> None:
    """Handoff tickets, one open ticket per conversation."""
    op.create_table('handoff_tickets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=60), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('claimed_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('waiting', 'claimed', 'closed')", name=op.f('ck_handoff_tickets_status')),
    sa.ForeignKeyConstraint(['claimed_by'], ['staff_accounts.id'], name=op.f('fk_handoff_tickets_claimed_by_staff_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoff_tickets'))
    )
    op.create_index('ix_handoff_tickets_status_created_at', 'handoff_tickets', ['status', 'created_at'], unique=False)
    op.create_index('uq_handoff_tickets_open_conversation', 'handoff_tickets', ['conversation_id'], unique=True, sqlite_where=sa.text("status <> 'closed'"), postgresql_where=sa.text("status <> 'closed'"))


def _answers_consents_and_authorizations() -> None:
    """Consents, deduction authorizations and screening answers."""
    op.create_table('consent_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('text_version', sa.String(length=40), nullable=False),
    sa.Column('given_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('given_by', sa.String(length=10), nullable=False),
    sa.Column('answered_by', sa.String(length=10), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("answered_by IN ('enroller', 'member')", name=op.f('ck_consent_records_answered_by')),
    sa.CheckConstraint("given_by IN ('enroller', 'member')", name=op.f('ck_consent_records_given_by')),
    sa.CheckConstraint("kind IN ('privacy_notice', 'health_information', 'member_agreement', 'truthful_declaration', 'deduction_authorization')", name=op.f('ck_consent_records_kind')),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_consent_records_enroller_id_enrollers')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_consent_records_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_records'))
    )
    op.create_index('ix_consent_records_enroller_id', 'consent_records', ['enroller_id'], unique=False)
    op.create_index('ix_consent_records_enrollment_id', 'consent_records', ['enrollment_id'], unique=False)
    op.create_table('deduction_authorizations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('per_case_cap', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('schedule', sa.String(length=200), nullable=False),
    sa.Column('text_version', sa.String(length=40), nullable=False),
    sa.Column('authorized_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_deduction_authorizations_enroller_id_enrollers')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_deduction_authorizations_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deduction_authorizations')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_deduction_authorizations_enrollment_id'))
    )
    op.create_table('screening_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.String(length=10), nullable=False),
    sa.Column('answer', sa.String(length=10), nullable=False),
    sa.CheckConstraint("answer IN ('yes', 'no', 'not_sure')", name=op.f('ck_screening_answers_answer')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_screening_answers_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_answers')),
    sa.UniqueConstraint('enrollment_id', 'question_id', name=op.f('uq_screening_answers_enrollment_id_question_id'))
    )


def downgrade() -> None:
    op.drop_table('screening_answers')
    op.drop_table('deduction_authorizations')
    op.drop_table('consent_records')
    op.drop_table('handoff_tickets')
    op.drop_table('enrollments')
    op.drop_table('staff_accounts')
    op.drop_table('members')
    op.drop_table('enrollers')
    op.drop_table('audit_trail')
