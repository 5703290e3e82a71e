"""Staff decisions, the notice outbox, notice opt-outs and sharing periods (issue 18).

Revision ID: loops_decisions_outbox
Revises: e16_staff_roles
Create Date: 2026-12-01 23:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'loops_decisions_outbox'
down_revision = 'e16_staff_roles'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('previous_status', sa.String(length=20), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.CheckConstraint("decision IN ('approve', 'decline')", name=op.f('ck_staff_decisions_decision')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_staff_decisions_enrollment_id_enrollments')),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_accounts.id'], name=op.f('fk_staff_decisions_staff_id_staff_accounts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_decisions')),
    sa.UniqueConstraint('enrollment_id', name=op.f('uq_staff_decisions_enrollment_id'))
    )
    op.create_table('notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=120), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('enrollment_id', sa.Integer(), nullable=True),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=40), nullable=False),
    sa.Column('language', sa.String(length=10), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('lease_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('claimed_by', sa.String(length=120), nullable=True),
    sa.Column('last_error', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('decision', 'deduction', 'waiting_period_end')", name=op.f('ck_notices_kind')),
    sa.CheckConstraint("status IN ('pending', 'sent', 'kept', 'skipped', 'failed')", name=op.f('ck_notices_status')),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_notices_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_notices_idempotency_key'))
    )
    op.create_index('ix_notices_status_due_at', 'notices', ['status', 'due_at'], unique=False)
    op.create_table('notice_opt_outs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('sender_id', sa.String(length=255), nullable=False),
    sa.Column('opted_out_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notice_opt_outs')),
    sa.UniqueConstraint('sender_id', name=op.f('uq_notice_opt_outs_sender_id'))
    )
    op.create_table('sharing_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deduction_on', sa.Date(), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_periods')),
    sa.UniqueConstraint('deduction_on', name=op.f('uq_sharing_periods_deduction_on'))
    )


def downgrade() -> None:
    op.drop_table('sharing_periods')
    op.drop_table('notice_opt_outs')
    op.drop_index('ix_notices_status_due_at', table_name='notices')
    op.drop_table('notices')
    op.drop_table('staff_decisions')
