"""Issue 20's "Done when": a known mix of conversations in both languages through the real servers, with
the RabbitMQ broker and with the default SQL broker; the figures (and the CSV of `python -m bot insight
figures`) are exactly that mix; killing the consumer mid-stream and reading everything again changes no
figure; and the events the broker carried hold no typed ID number or phone."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import pytest
import yaml

from bot.insight.consumer import figures
from bot.store import engine_for
from tests.conftest import ROOT, assistant_started
from tests.insight.mix import (
    CONVERSATIONS, EXPECTED_BY_LANGUAGE, EXPECTED_DROP_OFFS, EXPECTED_FUNNEL, EXPECTED_HANDOFFS,
    EXPECTED_MISUNDERSTANDINGS, EXPECTED_OUTCOMES, FIRST_HALF, TYPED_NUMBERS,
)

pytestmark = pytest.mark.rasa_server
RABBITMQ = {"RABBITMQ_HOST": "127.0.0.1", "RABBITMQ_PORT": "5672", "RABBITMQ_USER": "guest",
            "RABBITMQ_PASSWORD": "guest"}


def rabbit_endpoints(tmp_path: Path, exchange: str) -> Path:
    """endpoints.yml with endpoints.production.yml's event broker (on an exchange of this test's own,
    so that other tests' servers on this machine do not publish into it)."""
    local = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    broker = yaml.safe_load((ROOT / "endpoints.production.yml").read_text())["event_broker"]
    local["event_broker"] = {**broker, "exchange_name": exchange}
    path = tmp_path / "endpoints-rabbitmq.yml"
    path.write_text(yaml.safe_dump(local, allow_unicode=True))
    return path


def converse(assistant, names: list[str], senders: dict[str, str]) -> None:
    for name in names:
        messages, handed_over = CONVERSATIONS[name]
        for message in messages:
            assert assistant.texts(senders[name], message), f"{name}: no answer to {message!r}"
        if handed_over:
            assert assistant.tracker(senders[name])["paused"], f"{name} was not handed to a person"
            time.sleep(1.0)  # a staff member takes a moment to reply
            assistant.request("POST", f"/conversations/{senders[name]}/tracker/events",
                              {"event": "bot", "text": "您好 / Hello, this is Anna", "metadata": {"staff_id": 1}})


def start_consumer(data_dir: Path) -> subprocess.Popen:
    log = open(data_dir / "insight-consumer.log", "ab")
    return subprocess.Popen([sys.executable, "-m", "bot", "insight"], cwd=ROOT, env=dict(os.environ),
                            stdout=log, stderr=log, start_new_session=True)


def kept_facts(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT count(*) FROM insight_facts").scalar_one()


def wait_until_caught_up(engine, behind: Callable[[], int], quiet_s: float = 4.0, timeout_s: float = 300.0) -> int:
    """Until the broker holds nothing the consumer has not read (`behind` is 0) and the kept facts have
    stopped growing for `quiet_s`. Quiet alone is not enough: a consumer still starting on a busy machine
    is quiet too."""
    deadline = time.monotonic() + timeout_s
    last, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        try:
            count = kept_facts(engine)
        except Exception:  # the consumer has not created its tables yet
            count = -1
        if count != last:
            last, since = count, time.monotonic()
        elif count > 0 and time.monotonic() - since >= quiet_s and behind() == 0:
            return count
        time.sleep(0.5)
    raise AssertionError("the insight consumer did not catch up")


def sql_broker_behind(engine, data_dir: Path) -> Callable[[], int]:
    """Events in the SQL broker's table past the consumer's kept read position."""
    def behind() -> int:
        with sqlite3.connect(data_dir / "insight-events.db") as broker:
            newest = broker.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
        with engine.connect() as connection:
            read = connection.exec_driver_sql("SELECT coalesce(max(position), 0) FROM insight_positions").scalar_one()
        return max(0, newest - read)
    return behind


def rabbitmq_behind(queue: str) -> Callable[[], int]:
    """Messages waiting in the consumer's RabbitMQ queue (delivered but unacknowledged ones are not
    counted; the quiet period covers those)."""
    import asyncio

    import aio_pika

    async def waiting() -> int:
        connection = await aio_pika.connect(host="127.0.0.1", login="guest", password="guest")
        try:
            declared = await (await connection.channel()).declare_queue(queue, passive=True)
            return declared.declaration_result.message_count
        finally:
            await connection.close()

    return lambda: asyncio.run(waiting())


def csv_figures(data_dir: Path) -> list[dict[str, str]]:
    done = subprocess.run([sys.executable, "-m", "bot", "insight", "figures"], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True, timeout=120, check=True)
    return list(csv.DictReader(io.StringIO(done.stdout)))


def assert_the_mix(engine, data_dir: Path) -> None:
    got = figures(engine)
    assert got.funnel() == EXPECTED_FUNNEL
    assert dict(got.drop_offs()) == EXPECTED_DROP_OFFS
    assert dict(got.outcomes()) == EXPECTED_OUTCOMES
    assert dict(got.handoff_reasons()) == EXPECTED_HANDOFFS
    assert got.unanswered_handoffs() == 0 and got.median_seconds_to_first_reply() >= 1.0
    assert dict(got.misunderstood_questions()) == EXPECTED_MISUNDERSTANDINGS
    assert got.median_seconds_to_enroll() > 0
    for language, expected in EXPECTED_BY_LANGUAGE.items():
        funnel = dict(got.where(language=language).funnel())
        assert {stage: funnel[stage] for stage in expected} == expected, language
    assert got.values_of("channel") == ["rest"]

    rows = csv_figures(data_dir)
    overall = {(r["figure"], r["key"]): r["value"] for r in rows if r["dimension"] == "all"}
    assert [(k, int(overall[("funnel", k)])) for k, _ in EXPECTED_FUNNEL] == EXPECTED_FUNNEL
    assert {k: int(v) for (f, k), v in overall.items() if f == "outcome"} == EXPECTED_OUTCOMES
    assert {k: int(v) for (f, k), v in overall.items() if f == "drop_off"} == EXPECTED_DROP_OFFS
    assert {k: int(v) for (f, k), v in overall.items() if f == "handoff"} == EXPECTED_HANDOFFS
    english = {(r["figure"], r["key"]): r["value"] for r in rows if (r["dimension"], r["group"]) == ("language", "en")}
    assert english[("funnel", "started")] == "4" and english[("outcome", "privacy_refused")] == "1"


def assert_no_typed_number(texts: list[str]) -> None:
    assert texts, "no event was published"
    flattened = "".join(texts)
    for separator in (" ", "-", "+86"):
        flattened = flattened.replace(separator, "")
    for number in TYPED_NUMBERS:
        assert number not in flattened, f"{number[:3]}… reached the broker in plain text"


def run_the_mix_with_a_restart(assistant, engine, behind: Callable[[], int]) -> None:
    senders = {name: f"insight-{uuid.uuid4().hex[:8]}" for name in CONVERSATIONS}
    consumer = start_consumer(assistant.data_dir)
    try:
        converse(assistant, FIRST_HALF, senders)
        wait_until_caught_up(engine, behind)
        os.killpg(consumer.pid, signal.SIGKILL)  # mid-stream, without a chance to tidy up
        consumer.wait()
        converse(assistant, [n for n in CONVERSATIONS if n not in FIRST_HALF], senders)
        consumer = start_consumer(assistant.data_dir)
        wait_until_caught_up(engine, behind)
    finally:
        os.killpg(consumer.pid, signal.SIGTERM)
        consumer.wait(timeout=30)


def test_the_mix_through_rabbitmq(tmp_path, monkeypatch):
    aio_pika = pytest.importorskip("aio_pika")
    import asyncio

    exchange, queue = f"insight-test-{uuid.uuid4().hex[:8]}", f"insight-{uuid.uuid4().hex[:8]}"
    endpoints = rabbit_endpoints(tmp_path, exchange)
    audit_queue = f"{queue}-audit"

    async def declare_audit_queue():
        connection = await aio_pika.connect(host="127.0.0.1", login="guest", password="guest")
        channel = await connection.channel()
        ex = await channel.declare_exchange(exchange, aio_pika.ExchangeType.FANOUT)
        q = await channel.declare_queue(audit_queue, durable=True)
        await q.bind(ex, "")
        await connection.close()

    async def drain_audit_queue() -> list[str]:
        connection = await aio_pika.connect(host="127.0.0.1", login="guest", password="guest")
        channel = await connection.channel()
        q = await channel.declare_queue(audit_queue, durable=True)
        bodies = []
        while (message := await q.get(fail=False)) is not None:
            bodies.append(message.body.decode())
            await message.ack()
        for name in (audit_queue, queue):
            await channel.queue_delete(name)
        await channel.exchange_delete(exchange)
        await connection.close()
        return bodies

    asyncio.run(declare_audit_queue())
    settings = {**RABBITMQ, "RABBITMQ_QUEUE": queue, "RASA_ENDPOINTS": str(endpoints)}
    with assistant_started(tmp_path, **settings) as assistant:
        engine = engine_for(f"sqlite:///{tmp_path / 'enrollment.db'}")
        run_the_mix_with_a_restart(assistant, engine, rabbitmq_behind(queue))
        assert_the_mix(engine, tmp_path)
        published = asyncio.run(drain_audit_queue())
    assert_no_typed_number(published)
    assert any(json.loads(body).get("event") == "user" for body in published)


def test_the_mix_through_the_default_sql_broker(tmp_path):
    with assistant_started(tmp_path) as assistant:
        engine = engine_for(f"sqlite:///{tmp_path / 'enrollment.db'}")
        run_the_mix_with_a_restart(assistant, engine, sql_broker_behind(engine, tmp_path))
        assert_the_mix(engine, tmp_path)

        # Reading everything again from the start (a lost position) still counts every event once.
        with engine.begin() as connection:
            connection.exec_driver_sql("UPDATE insight_positions SET position = 0")
        before = kept_facts(engine)
        subprocess.run([sys.executable, "-m", "bot", "insight", "--once"], cwd=ROOT, env=dict(os.environ),
                       capture_output=True, timeout=120, check=True)
        assert kept_facts(engine) == before
        assert_the_mix(engine, tmp_path)

    with sqlite3.connect(tmp_path / "insight-events.db") as broker:
        published = [row[0] for row in broker.execute("SELECT data FROM events")]
    assert_no_typed_number(published)
