"""`python -m bot notify`: wired into the operator command and started by `make run` through the launcher."""
from __future__ import annotations

import sys
from datetime import date

from bot.ops import launcher
from bot.ops.cli import main
from bot.store import engine_for, upgrade_schema
from bot.store.outbox import sharing_period_cases


def test_make_run_starts_the_notifier_as_its_own_process():
    started = launcher.services(5005, 5055, 5080, notifier=True)
    [notifier] = [s for s in started if s.name == "notifier"]
    assert notifier.command == [sys.executable, "-m", "bot", "notify"] and notifier.health_url is None
    assert "notifier" not in [s.name for s in launcher.services(5005, 5055, 5080)]


def test_operators_record_a_periods_cases_and_run_one_round(tmp_path, monkeypatch, capsys):
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing is due, so nothing is pushed
    assert main(["notify", "cases", "2026-12-14", "3"]) == 0
    assert "3 cases" in capsys.readouterr().out
    upgrade_schema(url)
    assert sharing_period_cases(engine_for(url), date(2026, 12, 14)) == 3
    assert main(["notify", "--once"]) == 0
