"""`make run`'s own command, as the README tells a newcomer to use it: the launcher starts everything,
prints where to chat, answers the README's first REST message, and Ctrl-C (SIGINT) stops every child."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from bench.conversations import free_port
from bot.core.settings import PROJECT_ROOT
from tests.conftest import MODEL

pytestmark = pytest.mark.rasa_server
STARTUP_S = 300


def test_the_launcher_starts_everything_answers_the_readme_message_and_stops_on_ctrl_c(tmp_path):
    if not MODEL.exists():
        pytest.fail("No trained model: run `make train`.")
    rasa_port = free_port()
    env = {**os.environ, "DATA_DIR": str(tmp_path / "var"), "RASA_PORT": str(rasa_port),
           "ACTION_PORT": str(free_port()), "CONSOLE_PORT": str(free_port()), "STAFF_HOURS": "00:00-24:00"}
    for name in ("DATABASE_URL", "TRACKER_DB", "RASA_API_TOKEN"):
        env.pop(name, None)  # as on a newcomer's machine: the defaults under DATA_DIR
    launcher = subprocess.Popen([sys.executable, "-m", "bot.ops.launcher"], cwd=PROJECT_ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                start_new_session=True)
    printed = []
    try:
        deadline = time.monotonic() + STARTUP_S
        while "Press Ctrl-C" not in "".join(printed):
            line = launcher.stdout.readline()
            assert line or launcher.poll() is None, "".join(printed)
            printed.append(line)
            assert time.monotonic() < deadline, "".join(printed)
        banner = "".join(printed)
        assert f"http://localhost:{rasa_port}/webhooks/webchat/" in banner and "Ctrl-C" in banner

        request = urllib.request.Request(
            f"http://localhost:{rasa_port}/webhooks/rest/webhook", method="POST",
            data=json.dumps({"sender": "me", "message": "我想给我妈报名防癌计划"}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as response:
            replies = json.load(response)
        assert any("同意" in reply.get("text", "") for reply in replies), replies  # the privacy notice

        os.killpg(launcher.pid, signal.SIGINT)
        assert launcher.wait(timeout=60) == 0
        rest = launcher.stdout.read()
        assert "Stopping" in rest
    finally:
        if launcher.poll() is None:
            os.killpg(launcher.pid, signal.SIGKILL)
    # every child is gone with it: nothing answers on the Rasa port any more
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://localhost:{rasa_port}/", timeout=2)
