"""The insight consumer's facts (one per conversation event, unique by digest) and read positions.

Revision ID: insight_facts
Revises: loops_deferred_reminder
Create Date: 2026-12-02 01:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'insight_facts'
down_revision = 'loops_deferred_reminder'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'insight_facts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('conversation_id', sa.String(length=255), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=True),
        sa.Column('value', sa.String(length=60), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_facts')),
        sa.UniqueConstraint('digest', name=op.f('uq_insight_facts_digest')),
    )
    op.create_table(
        'insight_positions',
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('source', name=op.f('pk_insight_positions')),
    )


def downgrade() -> None:
    op.drop_table('insight_positions')
    op.drop_table('insight_facts')
