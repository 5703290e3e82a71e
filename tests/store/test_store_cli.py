"""The operator command, run in-process against a temporary SQLite store."""
from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import inspect

from bot.ops.cli import main
from bot.store import engine_for, list_audit, submit_enrollment, verify_staff_password
from store_samples import id_number, submission


@pytest.fixture
def url(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'cli' / 'enrollment.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


@pytest.fixture
def enrolled(url):
    engine = engine_for(url)
    active = submit_enrollment(engine, submission())
    declined = submit_enrollment(engine, submission(
        conversation_id="wx:son", sender_id="wx:son", channel="wechat", member_name="李建国",
        id_number=id_number(birth="19600101", sequence="011"), phone="+86 138-0013-8000", sex="male",
        relationship="father", outcome="declined", outcome_reasons=["H1_yes"], authorization=None,
        screening_answers={"H1": "yes"}, waiting_period_end=None, cover_start=None))
    return active, declined


def everything_printed(capsys) -> str:
    captured = capsys.readouterr()
    return captured.out + captured.err


def assert_only_masked(text: str) -> None:
    for plain in (id_number(), id_number(birth="19600101", sequence="011"), "13912345678", "13800138000"):
        assert plain not in text


def test_db_upgrade_creates_the_store(tmp_path, capsys, monkeypatch):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert "has the newest schema" in everything_printed(capsys)
    assert "enrollments" in inspect(engine_for(url)).get_table_names()
    assert main(["db", "upgrade"]) == 0  # and again: nothing to do


def test_list_shows_masked_ids_and_phones(enrolled, capsys, url):
    active, declined = enrolled
    assert main(["enrollments", "list"]) == 0
    out = everything_printed(capsys)
    assert active.enrollment_number in out and declined.enrollment_number in out
    assert "110105********1234" in out and "139****5678" in out and "138****8000" in out
    assert_only_masked(out)

    assert main(["enrollments", "list", "--status", "declined"]) == 0
    out = everything_printed(capsys)
    assert declined.enrollment_number in out and active.enrollment_number not in out
    assert list_audit(engine_for(url), subject="enrollments")[0].action == "enrollments.listed"


def test_show_one_enrollment(enrolled, capsys, url):
    active, _ = enrolled
    assert main(["enrollments", "show", active.enrollment_number]) == 0
    out = everything_printed(capsys)
    assert f"Enrollment {active.enrollment_number}: active" in out
    assert "王秀英" in out and "110105********1234" in out and "139****5678" in out
    assert "member_agreement (member-agreement-2026-11) given by member, answered by enroller" in out
    assert "up to CNY 1.00 per case" in out
    assert "covered from 2027-02-27" in out
    assert_only_masked(out)
    assert list_audit(engine_for(url), subject=f"enrollment:{active.enrollment_number}")[0].action == \
        "enrollment.shown"

    assert main(["enrollments", "show", "SC000000-NONE0"]) == 1
    assert "No enrollment numbered" in everything_printed(capsys)


def test_export_json(enrolled, capsys, url):
    active, declined = enrolled
    assert main(["enrollments", "export", "--format", "json"]) == 0
    out = everything_printed(capsys)
    rows = json.loads(out)
    assert [r["enrollment_number"] for r in rows] == [active.enrollment_number, declined.enrollment_number]
    assert rows[0]["masked_id"] == "110105********1234" and rows[0]["masked_phone"] == "139****5678"
    assert rows[0]["authorization"]["per_case_cap"] == "1.00"
    assert rows[1]["screening_answers"] == {"H1": "yes"}
    assert_only_masked(out)
    [entry] = list_audit(engine_for(url), subject="enrollments")
    assert (entry.action, entry.details["format"], entry.details["count"]) == ("enrollments.exported", "json", 2)


def test_export_csv_to_a_file(enrolled, capsys, tmp_path):
    active, declined = enrolled
    target = tmp_path / "export.csv"
    assert main(["enrollments", "export", "--format", "csv", "--output", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["enrollment_number"] for r in rows] == [active.enrollment_number, declined.enrollment_number]
    assert rows[0]["masked_id"] == "110105********1234" and rows[0]["deduction_authorized"] == "yes"
    assert rows[1]["status"] == "declined" and rows[1]["screening_answers"] == "H1=yes"
    assert rows[1]["cover_start"] == ""
    assert_only_masked(text + everything_printed(capsys))


def test_withdraw(enrolled, capsys, url):
    active, declined = enrolled
    assert main(["enrollments", "withdraw", active.enrollment_number]) == 0
    assert f"Withdrew {active.enrollment_number} (110105********1234)" in everything_printed(capsys)
    entry = list_audit(engine_for(url), subject=f"enrollment:{active.enrollment_number}")[0]
    assert (entry.action, entry.actor.kind) == ("enrollment.withdrawn", "operator")

    assert main(["enrollments", "withdraw", active.enrollment_number]) == 1
    assert "is withdrawn, not an active membership" in everything_printed(capsys)
    assert main(["enrollments", "withdraw", declined.enrollment_number]) == 1
    assert main(["enrollments", "withdraw", "SC000000-NONE0"]) == 1


def test_staff_create_reads_the_password_from_stdin(url, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret pass\n"))
    assert main(["staff", "create", "alice", "--display-name", "Alice Wang", "--password-stdin"]) == 0
    assert "Created staff account alice (Alice Wang)" in everything_printed(capsys)
    assert verify_staff_password(engine_for(url), "alice", "s3cret pass").display_name == "Alice Wang"

    monkeypatch.setattr("sys.stdin", io.StringIO("other\n"))
    assert main(["staff", "create", "alice", "--password-stdin"]) == 1
    assert "exists already" in everything_printed(capsys)


def test_staff_create_prompts_twice(url, capsys, monkeypatch):
    answers = iter(["first", "second"])
    monkeypatch.setattr("getpass.getpass", lambda prompt: next(answers))
    assert main(["staff", "create", "bob"]) == 1
    assert "passwords differ" in everything_printed(capsys)
    assert verify_staff_password(engine_for(url), "bob", "first") is None


def test_settings_prints_the_table(capsys):
    assert main(["settings"]) == 0
    out = everything_printed(capsys)
    assert "| `DATABASE_URL` |" in out and "| `ID_HASH_KEY` |" in out


def test_a_store_without_tables_gets_a_clear_message(tmp_path, capsys):
    assert main(["--database-url", f"sqlite:///{tmp_path / 'empty.db'}", "enrollments", "list"]) == 1
    assert "python -m bot db upgrade" in everything_printed(capsys)


def test_a_sender_that_is_a_phone_number_is_shown_masked_everywhere(url, capsys, tmp_path):
    sender = "rest:13711112222"
    result = submit_enrollment(engine_for(url), submission(sender_id=sender, conversation_id=f"{sender}@1.5"))

    assert main(["enrollments", "show", result.enrollment_number]) == 0
    assert main(["enrollments", "export", "--format", "json"]) == 0
    assert main(["enrollments", "export", "--format", "csv", "--output", str(tmp_path / "out.csv")]) == 0
    out = everything_printed(capsys) + (tmp_path / "out.csv").read_text(encoding="utf-8")

    assert "rest:137****2222" in out
    assert "13711112222" not in out
    assert_only_masked(out)


def test_list_finds_enrollments_by_phone_in_any_spelling(enrolled, capsys):
    active, declined = enrolled
    assert main(["enrollments", "list", "--phone", "+86 139 1234 5678"]) == 0
    out = everything_printed(capsys)
    assert active.enrollment_number in out and declined.enrollment_number not in out
    assert_only_masked(out)

    assert main(["enrollments", "list", "--phone", "12345"]) == 1
    assert "not a mainland mobile number" in everything_printed(capsys)
