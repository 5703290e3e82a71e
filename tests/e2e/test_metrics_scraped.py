"""The operations metrics, scraped from the real servers as Prometheus would: the Rasa server counts each
REST turn in its latency histogram, a handoff counts once in the handoff counter, the action server
times the actions it ran, the console reports the handover queue the store holds and the notifier its
backlog of notices; and no label carries a sender, a name or a number."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot import store
from tests.conftest import ROOT, free_port

pytestmark = pytest.mark.rasa_server


def scrape(url: str) -> dict[tuple[str, frozenset], float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {(sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def value(samples: dict, name: str, **labels: str) -> float:
    """The sum of the series called `name` whose labels include `labels` (0 when there is none)."""
    wanted = set(labels.items())
    return sum(v for (n, found), v in samples.items() if n == name and wanted <= found)


def assert_no_personal_label(samples: dict, sender: str) -> None:
    """Every label of ours is a short code name (channel, action, reason, ...), never what a user typed."""
    for name, labels in samples:
        for key, label in labels:
            if name.startswith("assistant_") and key != "le":
                assert re.fullmatch(r"[a-z][a-z0-9_]*", label) and sender not in label, (name, key, label)


def test_turns_handoffs_and_actions_are_counted_by_the_servers_that_did_them(running_assistant):
    rasa = f"{running_assistant.url}/metrics"
    actions = f"http://127.0.0.1:{running_assistant.action_port}/metrics"
    before_rasa, before_actions = scrape(rasa), scrape(actions)

    sender = f"metrics-{uuid.uuid4().hex[:8]}"
    running_assistant.texts(sender, "我想给我妈报名防癌计划")
    running_assistant.texts(sender, "同意")
    after_rasa = scrape(rasa)
    turns = "assistant_turn_seconds_count"
    assert value(after_rasa, turns, channel="rest") - value(before_rasa, turns, channel="rest") == 2
    assert value(after_rasa, "assistant_turn_seconds_bucket", channel="rest", le="+Inf") == \
        value(after_rasa, turns, channel="rest")

    running_assistant.texts(sender, "她叫王秀英")
    assert "人工客服" in " ".join(running_assistant.texts(sender, "转人工"))
    after_rasa, after_actions = scrape(rasa), scrape(actions)
    handoffs = "assistant_handoffs_total"
    assert sum(value(now, handoffs, reason="user_request") - value(then, handoffs, reason="user_request")
               for now, then in ((after_rasa, before_rasa), (after_actions, before_actions))) == 1
    ran = "assistant_action_seconds_count"
    assert value(after_actions, ran, action="action_handoff", outcome="ok") - \
        value(before_actions, ran, action="action_handoff", outcome="ok") == 1
    assert value(after_rasa, "assistant_action_failures_total") == value(before_rasa, "assistant_action_failures_total")
    assert_no_personal_label(after_rasa, sender)
    assert_no_personal_label(after_actions, sender)


def public_page(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # a redirect to the login is followed
            return response.read().decode()
    except urllib.error.HTTPError as refused:
        return refused.read().decode()


@contextmanager
def process(command: list[str], env: dict[str, str], log: Path, metrics_url: str) -> Iterator[str]:
    """A service as its own process; `metrics_url` once it answers (the test fails naming the log)."""
    with open(log, "ab") as output:
        child = subprocess.Popen(command, cwd=ROOT, env=env, stdout=output, stderr=output, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(metrics_url, timeout=2):
                    break
            except OSError:
                pass
            if child.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{command[2:]} served no metrics; see {log}")
            time.sleep(0.3)
        yield metrics_url
    finally:
        child.terminate()
        child.wait(timeout=30)


def test_the_console_reports_the_handover_queue_and_the_notifier_its_backlog(running_assistant, tmp_path):
    sender = f"metrics-queue-{uuid.uuid4().hex[:8]}"
    running_assistant.texts(sender, "我想给我妈报名防癌计划")
    running_assistant.texts(sender, "转人工")
    engine = store.engine_for(f"sqlite:///{running_assistant.data_dir / 'enrollment.db'}")
    waiting = len(store.list_waiting_tickets(engine))
    assert waiting >= 1

    env = {**os.environ, "RASA_URL": running_assistant.url, "CONSOLE_HOST": "127.0.0.1",
           "CONSOLE_PORT": str(free_port()), "CONSOLE_METRICS_PORT": str(free_port()),
           "NOTIFY_METRICS_PORT": str(free_port()), "NOTIFY_INTERVAL_SECONDS": "3600", "METRICS_HOST": "127.0.0.1"}
    console_metrics = f"http://127.0.0.1:{env['CONSOLE_METRICS_PORT']}/metrics"
    with process([sys.executable, "-m", "bot.console"], env, tmp_path / "console.log", console_metrics):
        samples = scrape(console_metrics)
        assert value(samples, "assistant_handover_queue_waiting") == waiting
        assert value(samples, "assistant_handover_queue_oldest_seconds") > 0
        console = f"http://127.0.0.1:{env['CONSOLE_PORT']}"
        assert "assistant_" not in public_page(f"{console}/metrics")  # not on the console's public port

    notifier_metrics = f"http://127.0.0.1:{env['NOTIFY_METRICS_PORT']}/metrics"
    with process([sys.executable, "-m", "bot", "notify"], env, tmp_path / "notifier.log", notifier_metrics):
        samples = scrape(notifier_metrics)
        assert ("assistant_notices_pending", frozenset()) in samples
        assert value(samples, "assistant_notices_pending") == 0  # nothing is due in this assistant
