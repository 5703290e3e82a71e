"""Contact details belong to the enrollment that collected them, the phone kept like the ID number, and
ID-number look-ups counted for the rate limit (issue 14, store side).

- enrollment_contacts: one row per enrollment with the member's name and the phone as that enrollment
  collected them; the phone encrypted (Fernet), keyed-hashed and masked, never in plain.
- Existing plain phones (and names) move from members into each of that member's enrollments, encrypted;
  members.name and members.phone are emptied first (SQLite's secure_delete then zeroes the old bytes)
  and dropped.
- id_number_lookups: when each sender looked an ID number up, for a limit shared by every replica.

Revision ID: p14s_contacts_lookups
Revises: 0002
Create Date: 2026-12-01 22:10:00
"""
from alembic import op
import sqlalchemy as sa

from bot.core.identity import mask_phone
from bot.store import pii

revision = 'p14s_contacts_lookups'
down_revision = '0002'
branch_labels = None
depends_on = None

_contacts = sa.table(
    'enrollment_contacts',
    sa.column('enrollment_id', sa.Integer), sa.column('member_name', sa.String),
    sa.column('phone_encrypted', sa.Text), sa.column('phone_hash', sa.String),
    sa.column('phone_masked', sa.String),
)


def upgrade() -> None:
    op.create_table('enrollment_contacts',
    sa.Column('enrollment_id', sa.Integer(), nullable=False),
    sa.Column('member_name', sa.String(length=100), nullable=False),
    sa.Column('phone_encrypted', sa.Text(), nullable=True),
    sa.Column('phone_hash', sa.String(length=64), nullable=True),
    sa.Column('phone_masked', sa.String(length=11), nullable=True),
    sa.ForeignKeyConstraint(['enrollment_id'], ['enrollments.id'], name=op.f('fk_enrollment_contacts_enrollment_id_enrollments')),
    sa.PrimaryKeyConstraint('enrollment_id', name=op.f('pk_enrollment_contacts'))
    )
    op.create_index('ix_enrollment_contacts_phone_hash', 'enrollment_contacts', ['phone_hash'], unique=False)
    op.create_table('id_number_lookups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('enroller_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['enroller_id'], ['enrollers.id'], name=op.f('fk_id_number_lookups_enroller_id_enrollers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_id_number_lookups'))
    )
    op.create_index('ix_id_number_lookups_enroller_id_at', 'id_number_lookups', ['enroller_id', 'at'], unique=False)

    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT e.id, m.name, m.phone FROM enrollments e JOIN members m ON m.id = e.member_id")).all()
    if rows:
        connection.execute(sa.insert(_contacts), [_contact(enrollment_id, name, phone)
                                                  for enrollment_id, name, phone in rows])
    connection.execute(sa.text("UPDATE members SET phone = NULL, name = ''"))
    op.drop_column('members', 'phone')
    op.drop_column('members', 'name')


def _contact(enrollment_id: int, name: str, phone) -> dict:
    return {"enrollment_id": enrollment_id, "member_name": name,
            "phone_encrypted": pii.encrypt_phone(phone) if phone else None,
            "phone_hash": pii.phone_hash(phone) if phone else None,
            "phone_masked": mask_phone(phone) if phone else None}


def downgrade() -> None:
    # Back to one name and one plain phone per member: those of the member's latest enrollment.
    op.add_column('members', sa.Column('name', sa.String(length=100), nullable=True))
    op.add_column('members', sa.Column('phone', sa.String(length=20), nullable=True))
    connection = op.get_bind()
    rows = connection.execute(sa.text(
        "SELECT e.member_id, c.member_name, c.phone_encrypted FROM enrollment_contacts c "
        "JOIN enrollments e ON e.id = c.enrollment_id ORDER BY e.created_at, e.id")).all()
    latest = {member_id: (name, token) for member_id, name, token in rows}
    for member_id, (name, token) in latest.items():
        connection.execute(sa.text("UPDATE members SET name = :name, phone = :phone WHERE id = :id"),
                           {"name": name, "phone": pii.decrypt_phone(token) if token else None, "id": member_id})
    connection.execute(sa.text("UPDATE members SET name = '' WHERE name IS NULL"))
    if connection.dialect.name != 'sqlite':
        op.alter_column('members', 'name', nullable=False)
    op.drop_index('ix_id_number_lookups_enroller_id_at', table_name='id_number_lookups')
    op.drop_table('id_number_lookups')
    op.drop_index('ix_enrollment_contacts_phone_hash', table_name='enrollment_contacts')
    op.drop_table('enrollment_contacts')
