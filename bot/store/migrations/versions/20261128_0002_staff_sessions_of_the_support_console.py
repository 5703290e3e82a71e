"""Staff sessions of the support console: server-side logins that survive a restart of the console.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 11:28:00.433011
"""
from alembic import op
import sqlalchemy as sa


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_sessions',
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('csrf_token', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['staff_id'], ['staff_accounts.id'], name=op.f('fk_staff_sessions_staff_id_staff_accounts')),
    sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_staff_sessions'))
    )
    op.create_index('ix_staff_sessions_expires_at', 'staff_sessions', ['expires_at'], unique=False)
    op.create_index('ix_staff_sessions_staff_id', 'staff_sessions', ['staff_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_staff_sessions_staff_id', table_name='staff_sessions')
    op.drop_index('ix_staff_sessions_expires_at', table_name='staff_sessions')
    op.drop_table('staff_sessions')
