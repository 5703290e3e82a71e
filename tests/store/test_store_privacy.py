"""Issue 14, store side: the phone kept like the ID number, contact details that belong to the enrollment
that collected them, nothing disclosed to another enroller, rate-limited ID look-ups, audit details a
personal-data scan cannot mistake for data, and no parameters in the logs. SQLite and PostgreSQL."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.store import (
    Actor,
    LookupLimit,
    audit,
    dispose_engines,
    engine_for,
    get_enrollment,
    list_audit,
    list_enrollments,
    list_enrollments_by_phone,
    look_up_member,
    submit_enrollment,
    withdraw_membership,
)
from bot.store import pii
from bot.store.models import EnrollmentContact
from store_samples import id_number, submission
from test_store_personal_data import everything_stored

PHONE = "13912345678"
# The phone as people write it, and the parts of it that would still identify it.
PHONE_FORMS = (PHONE, "139 1234 5678", "139-1234-5678", "+8613912345678", "8613912345678", "12345678",
               "3912345678", "1391234")
CLOCK = datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc)  # the test clock: never the wall clock


def sqlite_files(engine) -> bytes:
    """The bytes of the SQLite database and its WAL files (empty for PostgreSQL)."""
    if engine.dialect.name != "sqlite":
        return b""
    database = Path(engine.url.database)
    return b"".join(p.read_bytes() for p in database.parent.glob(database.name + "*"))


def declined_by_a_stranger(**changes):
    values = dict(conversation_id="rest:stranger", sender_id="rest:stranger", member_name="冒名者",
                  phone="13700000000", outcome="declined", outcome_reasons=["H1"], authorization=None,
                  screening_answers={"H1": "yes"}, waiting_period_end=None, cover_start=None)
    values.update(changes)
    return submission(**values)


# ------------------------------------------------------------------------------- the phone at rest


def test_after_an_enrollment_the_store_holds_the_phone_in_no_form(engine):
    result = submit_enrollment(engine, submission(phone="+86 139-1234-5678"))
    engine.dispose()  # checkpoint nothing away: the WAL file is read as it is, too

    stored = everything_stored(engine)
    raw = sqlite_files(engine).decode("latin-1") + sqlite_files(engine).decode("utf-8", "ignore")
    assert "139****5678" in stored  # the masked phone is there to show...
    for form in PHONE_FORMS:
        assert form not in stored and form not in raw  # ...the phone itself in no spelling
    assert get_enrollment(engine, result.enrollment_number).masked_phone == "139****5678"


def test_the_phone_is_encrypted_and_found_by_its_keyed_hash(engine):
    result = submit_enrollment(engine, submission())
    with Session(engine) as session:
        contact = session.execute(select(EnrollmentContact)).scalar_one()
        assert pii.decrypt_phone(contact.phone_encrypted) == PHONE
        assert contact.phone_hash == pii.phone_hash("+86 139 1234 5678") != pii.id_number_hash(id_number())

    found = list_enrollments_by_phone(engine, "139-1234-5678")
    assert [e.enrollment_number for e in found] == [result.enrollment_number]
    assert list_enrollments_by_phone(engine, "13800000000") == []


# ------------------------------------------------------------------- contact details stay their own


@pytest.mark.parametrize("outcome", ["declined", "deferred", "manual_review", "eligible", "confirmed"])
def test_no_submission_by_someone_else_changes_a_members_name_or_phone(engine, outcome):
    member = submit_enrollment(engine, submission())  # the daughter's active membership
    if outcome == "confirmed":
        stranger = submission(conversation_id="rest:stranger", sender_id="rest:stranger",
                              member_name="冒名者", phone="13700000000")
    elif outcome == "eligible":
        stranger = submission(conversation_id="rest:stranger", sender_id="rest:stranger",
                              member_name="冒名者", phone="13700000000", authorization=None)
    else:
        stranger = declined_by_a_stranger(outcome=outcome)

    submit_enrollment(engine, stranger)

    shown = get_enrollment(engine, member.enrollment_number)
    assert (shown.member_name, shown.masked_phone) == ("王秀英", "139****5678")
    assert list_enrollments_by_phone(engine, PHONE)[0].enrollment_number == member.enrollment_number


def test_each_enrollment_keeps_the_details_it_collected(engine):
    # No active membership yet: the daughter's deferred enrollment, then a stranger's declined one.
    daughter = submit_enrollment(engine, submission(outcome="deferred", authorization=None,
                                                    waiting_period_end=None, cover_start=None))
    stranger = submit_enrollment(engine, declined_by_a_stranger())
    # The daughter's own later enrollment brings a corrected phone; her first one keeps what it had.
    later = submit_enrollment(engine, submission(conversation_id="rest:daughter-1#2", phone="13600000000"))

    shown = {e.enrollment_number: (e.member_name, e.masked_phone) for e in list_enrollments(engine)}
    assert shown == {daughter.enrollment_number: ("王秀英", "139****5678"),
                     stranger.enrollment_number: ("冒名者", "137****0000"),
                     later.enrollment_number: ("王秀英", "136****0000")}


# ------------------------------------------------------------------ what an enroller may be told


def test_a_look_up_tells_only_the_enroller_of_a_membership_its_number(engine):
    member = submit_enrollment(engine, submission())

    own = look_up_member(engine, id_number(), sender_id="rest:daughter-1", channel="rest", at=CLOCK)
    other = look_up_member(engine, id_number(), sender_id="wx:stranger", channel="wechat", at=CLOCK)
    nobody = look_up_member(engine, id_number(sequence="456"), sender_id="wx:stranger", channel="wechat",
                            at=CLOCK)

    assert (own.status, own.enrollment_number, own.masked_id) == (
        "yours", member.enrollment_number, "110105********1234")
    assert (other.status, other.enrollment_number, other.masked_id) == ("not_disclosed", None, None)
    assert (nobody.status, nobody.enrollment_number, nobody.masked_id) == ("not_found", None, None)
    assert own.may_act and not other.may_act and not nobody.may_act


def test_a_withdrawn_membership_is_not_found_by_its_former_enroller(engine):
    submit_enrollment(engine, submission())
    withdraw_membership(engine, Actor("operator", "ops"), id_number=id_number())
    again = look_up_member(engine, id_number(), sender_id="rest:daughter-1", channel="rest", at=CLOCK)
    assert again.status == "not_found"


def test_id_look_ups_are_limited_per_sender_and_the_count_survives_a_restart(engine, database_url):
    submit_enrollment(engine, submission())
    limit = LookupLimit(max_lookups=3, window=timedelta(hours=1))

    def look(sender: str, minutes: float):
        return look_up_member(engine_for(database_url), id_number(), sender_id=sender, channel="rest",
                              at=CLOCK + timedelta(minutes=minutes), limit=limit).status

    assert [look("rest:prober", m) for m in (0, 1, 2)] == ["not_disclosed"] * 3
    dispose_engines()  # another replica, or a restarted action server: the count is in the store
    assert look("rest:prober", 3) == "limited"
    assert look("rest:daughter-1", 3) == "yours"  # other senders are not affected
    assert look("rest:prober", 59) == "limited"
    assert look("rest:prober", 61) == "not_disclosed"  # the first two have left the window
    assert look("rest:prober", 61.5) == "not_disclosed"
    assert look("rest:prober", 61.7) == "limited"  # the one at minute 2 is still in it
    assert look("rest:prober", 62.1) == "not_disclosed"


# ------------------------------------------------------------------------------------ audit details


@pytest.mark.parametrize("sender", ["rest:13912345678", "webchat:a15012345678b9c0d1e2", "+8618600001111"])
def test_a_sender_id_with_an_11_digit_run_can_enroll(engine, sender):
    result = submit_enrollment(engine, submission(sender_id=sender, conversation_id=f"{sender}@1764322200.123"))
    assert result.status == "created"
    again = submit_enrollment(engine, submission(sender_id=sender, conversation_id=f"{sender}@1764322300.456"))
    assert again.status == "already_member"

    details = [entry.details for entry in list_audit(engine)]
    assert all("conversation_id" not in d for d in details)
    assert len({d["conversation"] for d in details}) == 2  # a stable reference per conversation
    assert not any(run in str(d) for d in details for run in ("13912345678", "15012345678", "18600001111"))


def test_the_scan_of_audit_details_still_refuses_real_id_numbers_and_phones(engine):
    for leak in ({"note": f"call {PHONE}"}, {"id": id_number()}, {PHONE: "key"}):
        with pytest.raises(ValueError, match="must not contain"):
            audit(engine, Actor("operator", "ops"), "test.leak", "enrollments", leak)
    assert list_audit(engine) == []


# ------------------------------------------------------------------------------- nothing in the log


def _member_insert_fails(engine):
    # A trigger refuses every new member: the insert fails with the birth date among its parameters.
    with engine.begin() as connection:
        if engine.dialect.name == "sqlite":
            connection.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON members "
                                    "BEGIN SELECT RAISE(ABORT, 'refused'); END"))
        else:
            connection.execute(text("CREATE FUNCTION refuse() RETURNS trigger AS "
                                    "$$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql"))
            connection.execute(text("CREATE TRIGGER refuse BEFORE INSERT ON members "
                                    "FOR EACH ROW EXECUTE FUNCTION refuse()"))


def _contact_insert_fails(engine):
    # The name is among the parameters of the contact's insert.
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE enrollment_contacts RENAME TO enrollment_contacts_away"))


@pytest.mark.parametrize("break_store", [_member_insert_fails, _contact_insert_fails])
def test_a_store_error_logs_no_name_phone_or_birth_date(engine, caplog, break_store):
    break_store(engine)
    log = logging.getLogger("actions.enrollment")
    caplog.set_level(logging.DEBUG)

    with pytest.raises(SQLAlchemyError) as raised:
        submit_enrollment(engine, submission())
    log.exception("the enrollment store failed while submitting")  # as the action does

    logged = caplog.text + str(raised.value)
    assert "hidden due to hide_parameters" in logged
    for personal in ("王秀英", "1956-03-15", "19560315", PHONE, "139****5678"):
        assert personal not in logged


# --------------------------------------------------------------------------- converting old phones


def _upgrade_to(database_url: str, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from bot.store.migrations import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine_for(database_url).begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def test_the_migration_encrypts_the_plain_phones_of_an_existing_store(database_url):
    from bot.store import upgrade_schema

    _upgrade_to(database_url, "0002")  # a store as it was before: name and plain phone on the member
    engine = engine_for(database_url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO enrollers (id, sender_id, channel, created_at) VALUES (1, 'rest:d', 'rest', :at)"),
            {"at": CLOCK.replace(tzinfo=None)})
        connection.execute(text(
            "INSERT INTO members (id, name, id_number_encrypted, id_number_hash, id_number_masked, birth_date,"
            " sex, phone, created_at, updated_at) VALUES (1, '王秀英', :token, :hash, '110105********1234',"
            " '1956-03-15', 'female', :phone, :at, :at)"),
            {"token": pii.encrypt_id_number(id_number()), "hash": pii.id_number_hash(id_number()),
             "phone": PHONE, "at": CLOCK.replace(tzinfo=None)})
        for number, enrollment_id in (("SC261128-AAAAA", 1), ("SC261128-BBBBB", 2)):
            connection.execute(text(
                "INSERT INTO enrollments (id, enrollment_number, enroller_id, member_id, relationship,"
                " conversation_id, language, status, outcome_reasons, enrolled_on, created_at, updated_at)"
                " VALUES (:id, :number, 1, 1, 'mother', :conversation, 'zh', 'declined', '[]', '2026-11-28',"
                " :at, :at)"),
                {"id": enrollment_id, "number": number, "conversation": f"rest:d@{enrollment_id}",
                 "at": CLOCK.replace(tzinfo=None)})

    upgrade_schema(database_url)
    engine.dispose()

    shown = [(e.member_name, e.masked_phone) for e in list_enrollments(engine)]
    assert shown == [("王秀英", "139****5678")] * 2
    assert len(list_enrollments_by_phone(engine, PHONE)) == 2
    stored = everything_stored(engine)
    raw = sqlite_files(engine).decode("latin-1")
    for form in PHONE_FORMS:
        assert form not in stored and form not in raw


# ------------------------------------------------------------------------------------ file modes


def test_the_data_folder_and_sqlite_files_are_private_whatever_the_umask(tmp_path, monkeypatch):
    import os
    import stat

    from bot.core import settings
    from bot.store import upgrade_schema

    data = tmp_path / "fresh-data"
    monkeypatch.setenv("DATA_DIR", str(data))
    old_umask = os.umask(0o022)  # a usual, permissive umask
    try:
        url = f"sqlite:///{settings.data_dir() / 'enrollment.db'}"
        upgrade_schema(url)
        submit_enrollment(engine_for(url), submission())
    finally:
        os.umask(old_umask)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in data.iterdir()}
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert {"enrollment.db", "id-encryption.key", "id-hash.key"} <= set(modes)
    assert modes == {name: 0o600 for name in modes}


def test_an_existing_world_readable_data_folder_is_tightened(tmp_path, monkeypatch):
    import stat

    from bot.core import settings

    data = tmp_path / "old-var"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    monkeypatch.setenv("DATA_DIR", str(data))
    assert settings.data_dir() == data
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_the_migration_can_be_undone_giving_each_member_their_latest_details(database_url, engine):
    from alembic import command
    from alembic.config import Config

    from bot.store.migrations import MIGRATIONS_DIR

    submit_enrollment(engine, submission(outcome="deferred", authorization=None, waiting_period_end=None,
                                         cover_start=None))
    submit_enrollment(engine, submission(conversation_id="rest:daughter-1#2", phone="13600000000"))
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0002")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT name, phone FROM members")).all() == [("王秀英", "13600000000")]
