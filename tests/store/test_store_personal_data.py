"""Personal data at rest: no ID number in plain anywhere in the database, keys generated once and reused."""
from __future__ import annotations

import json
import os
import stat

from sqlalchemy import MetaData, select
from sqlalchemy.orm import Session

from bot.store import (
    Actor,
    create_handoff_ticket,
    find_active_membership_by_id_number,
    submit_enrollment,
    withdraw_membership,
)
from bot.store import pii
from bot.store.models import Member
from store_samples import id_number, submission


def everything_stored(engine) -> str:
    """Every value of every column of every table (the alembic bookkeeping included), as the driver
    returns it, as one text."""
    metadata = MetaData()
    metadata.reflect(bind=engine)
    assert {"members", "enrollments", "audit_trail", "handoff_tickets", "consent_records"} <= set(metadata.tables)
    values = []
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table.name}"'):
                values.extend(json.dumps(value, default=str, ensure_ascii=False) for value in row)
    return "\n".join(values)


def test_no_id_number_is_stored_in_plain(engine):
    number = id_number(birth="19560315", sequence="123")  # 110105 19560315 123 4
    first = submit_enrollment(engine, submission(id_number=number))
    withdraw_membership(engine, Actor("operator", "ops"), id_number=number)
    submit_enrollment(engine, submission(id_number=number.lower(), conversation_id="rest:daughter-1#2"))
    create_handoff_ticket(engine, conversation_id="rest:daughter-1", channel="rest", language="zh",
                          reason="user_asked", summary={"member": first.masked_id, "relationship": "mother"})

    stored = everything_stored(engine)

    assert first.masked_id in stored  # the dump does see the member's data...
    assert "王秀英" in stored
    for secret in (number, number.lower(), number[:17], number[6:17], number[6:]):
        assert secret not in stored  # ...but never the ID number, nor birth date + sequence
    assert "19560315123" not in stored


def test_the_id_number_can_be_read_back_with_the_key(engine):
    submit_enrollment(engine, submission())
    with Session(engine) as session:
        member = session.execute(select(Member)).scalar_one()
        assert pii.decrypt_id_number(member.id_number_encrypted) == id_number()
        assert member.id_number_hash == pii.id_number_hash(id_number())


def test_keys_are_generated_once_private_and_reused_by_the_next_process(engine, tmp_path):
    result = submit_enrollment(engine, submission())
    for name in ("id-encryption.key", "id-hash.key"):
        path = tmp_path / "data" / name
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600

    pii._cache.clear()  # as a restarted service: keys come from the files again
    assert find_active_membership_by_id_number(engine, id_number()).enrollment_number == result.enrollment_number


def test_keys_from_the_environment_win(engine, monkeypatch):
    submit_enrollment(engine, submission())
    monkeypatch.setenv("ID_HASH_KEY", "another-hash-key-of-enough-length")
    # Another hash key finds nobody: the hash is keyed, not a plain SHA-256 of the number.
    assert find_active_membership_by_id_number(engine, id_number()) is None
