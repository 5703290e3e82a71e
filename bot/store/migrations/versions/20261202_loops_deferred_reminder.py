"""Notices may be the reminder a deferred member is promised (kind deferred_reminder, issue 18).

Revision ID: loops_deferred_reminder
Revises: loops_decisions_outbox
Create Date: 2026-12-02 01:30:00
"""
from alembic import op


revision = 'loops_deferred_reminder'
down_revision = 'loops_decisions_outbox'
branch_labels = None
depends_on = None

KINDS = "'decision', 'deduction', 'waiting_period_end'"


def upgrade() -> None:
    with op.batch_alter_table('notices') as batch:
        batch.drop_constraint('kind', type_='check')  # named ck_notices_kind by the convention
        batch.create_check_constraint('kind', f"kind IN ({KINDS}, 'deferred_reminder')")


def downgrade() -> None:
    op.execute("DELETE FROM notices WHERE kind = 'deferred_reminder'")
    with op.batch_alter_table('notices') as batch:
        batch.drop_constraint('kind', type_='check')
        batch.create_check_constraint('kind', f"kind IN ({KINDS})")
