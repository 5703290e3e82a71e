"""Staff roles of the support console: agent (the default) or supervisor.

Revision ID: e16_staff_roles
Revises: p14s_contacts_lookups
Create Date: 2026-12-01 22:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'e16_staff_roles'
down_revision = 'p14s_contacts_lookups'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff_accounts') as batch:
        batch.add_column(sa.Column('role', sa.String(length=20), nullable=False, server_default='agent'))
        batch.create_check_constraint('role', "role IN ('agent', 'supervisor')")


def downgrade() -> None:
    with op.batch_alter_table('staff_accounts') as batch:
        batch.drop_constraint('role', type_='check')  # named ck_staff_accounts_role by the convention
        batch.drop_column('role')
