"""The shared test assistant restarts with its own settings, whatever the process environment holds then.

The shared assistant may first start while another module's assistant holds the environment; that
module's teardown then restores the environment from before either started, and a later restart (the
restart tests) would take the default data folder and database, not the shared assistant's own.
"""
import os
from contextlib import contextmanager

from bot.ops import launcher
from tests.conftest import RunningAssistant


def test_a_restart_uses_the_settings_the_assistant_was_started_with(tmp_path, monkeypatch):
    seen = []

    @contextmanager
    def fake_running(rasa_port, action_port, **_):
        seen.append((os.environ.get("DATABASE_URL"), os.environ.get("DATA_DIR")))
        yield []

    monkeypatch.setattr(launcher, "assistant_running", fake_running)
    own = {"DATABASE_URL": f"sqlite:///{tmp_path / 'enrollment.db'}", "DATA_DIR": str(tmp_path)}
    assistant = RunningAssistant(data_dir=tmp_path, environment=own)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///elsewhere.db")
    monkeypatch.setenv("DATA_DIR", "/elsewhere")

    assistant.start()
    assistant.restart()
    assistant.stop()

    assert seen == [(own["DATABASE_URL"], own["DATA_DIR"])] * 2
    assert os.environ["DATABASE_URL"] == "sqlite:///elsewhere.db", "the test's own environment is left as it was"
