"""`make scale-test`: the scaled-out assistant on this one machine, under load and with a replica taken away.

What it starts (all children of this process, stopped again at the end; loopback only):

- nginx (Debian's, `daemon off`, config and logs in a scratch folder) as the router, with the production
  edge (deploy/nginx: the public and internal servers' locations, rate limits, the `$sticky_key` maps):
  a public port (web chat, WeChat only) and an internal one (REST, HTTP API), both hashing each sender
  onto one of the Rasa replicas; a third port is the action endpoint, round robin over the action
  servers (`proxy_next_upstream` moves a call off a dead one);
- 2 action servers and 2 Rasa replicas, started with the launcher's own commands (bot/ops/launcher.py) and
  `endpoints.production.yml`: conversations in PostgreSQL, locks in Redis, the action endpoint behind
  the generated ACTION_SERVER_SECRET, the HTTP API behind JWTs signed with a generated RASA_API_TOKEN,
  REST behind a generated integrator key (REST_INTEGRATOR_KEYS, senders `rest:scale:<sender>`);
- its own PostgreSQL database `enrollment_scale` (dropped and created again at start) for both the
  tracker store and the enrollment store, and its own Redis database number (flushed at start).

Then, through the router's internal REST channel (the integrator key, and the `X-Sender-Id` header, as
integrators must send them):

1. the main wave: USERS simulated enrollers at once (half Chinese, half English, each a whole enrollment
   with a member of its own: bench/conversations.py), each waiting a think time between turns, so the
   offered load stays near what the machine serves instead of piling up;
2. the kill wave: more enrollers; once a share of their turns is done, one Rasa replica gets SIGTERM
   (what Kubernetes sends) and the router moves its senders to the other.

After each wave every conversation's tracker is read back through the HTTP API (an admin JWT for half
of them, a sender-scoped JWT for the other half) and compared with what the client sent and received:
each user message exactly once and in order, each reply the client got right after it ("events lost",
"duplicates"); the enrollment store must hold exactly one active enrollment per enroller and nothing
else. It prints the table, writes bench/results/scale.{json,md} and exits 1 when a check fails.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

from bench.conversations import (  # noqa: E402
    enrollment_conversation, free_port, percentile_ms, post_message)
from bot.ops import launcher, readiness  # noqa: E402
from bot.ops.launcher import Service  # noqa: E402

EDGE = ROOT / "deploy" / "nginx"
STICKY_MAPS = EDGE / "sticky-maps.conf"
DB_NAME = "enrollment_scale"
POSTGRES_HOST, POSTGRES_PORT, POSTGRES_USER = "127.0.0.1", 5432, "postgres"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 13
RASA_PORTS, ACTION_PORTS, ROUTER_PORT = (5105, 5106), (5155, 5156), 8180
REQUEST_TIMEOUT_S = 60      # one turn (nginx gives up at 75 s; Rasa's lock lives 60 s)
ATTEMPTS = 3                # a turn that failed is sent again, like a person retyping it, at most this often
WAVE_TIMEOUT_S = 480        # a wave's unfinished conversations are then cancelled and counted
EXIT_TIMEOUT_S = 60         # a replica that has not exited this long after SIGTERM gets SIGKILL


# --- the router ------------------------------------------------------------------------------------------

EDGE_FILES = ("edge.conf", "sticky-maps.conf", "public.locations", "internal.locations")
REST_INTEGRATOR = "scale"


def router_config(scratch: Path, router_port: int, internal_port: int, rasa_ports: list[int],
                  actions_port: int, action_ports: list[int]) -> str:
    """nginx.conf for a non-root nginx in `scratch`, with the production edge (deploy/nginx: its
    edge.conf, sticky maps and both servers' locations, copied into scratch/conf.d/): `router_port` is
    the public server (web chat, WeChat), `internal_port` the internal one (REST, HTTP API), the Rasa
    replicas hashed on $sticky_key; `actions_port` is the action endpoint, round robin over the action
    servers. A refused connection (a stopped replica) sends the request to the next server; a request
    that reached a server is never sent twice."""
    temp = scratch / "nginx-temp"
    conf_d = scratch / "conf.d"
    conf_d.mkdir(parents=True, exist_ok=True)
    for name in EDGE_FILES:
        shutil.copy(EDGE / name, conf_d / name)
    rasa = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in rasa_ports)
    actions = "\n".join(f"        server 127.0.0.1:{p} max_fails=1 fail_timeout=10s;" for p in action_ports)
    return f"""# Written by bench/scale.py for `make scale-test`; everything in {scratch}.
daemon off;
worker_processes 1;
pid {scratch}/nginx.pid;
error_log {scratch}/nginx-error.log warn;
events {{
    worker_connections 4096;
}}
http {{
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    # Bodies and responses stay in memory: started as root, nginx's workers run as nobody and could not
    # write temp files into this private scratch folder (an action call carries the whole tracker).
    client_body_buffer_size 10m;
    proxy_max_temp_file_size 0;

    include {conf_d}/edge.conf;
    include {conf_d}/sticky-maps.conf;
    log_format scale '$time_iso8601 $remote_addr "$request_method $uri" $status $request_time '
                     'key=$sticky_key upstream=$upstream_addr upstream_status=$upstream_status';

    upstream rasa {{
        hash $sticky_key consistent;
{rasa}
    }}
    upstream actions {{
{actions}
    }}

    server {{
        listen 127.0.0.1:{router_port};
        access_log {scratch}/nginx-access.log scale;
        client_max_body_size 64k;
        add_header X-Upstream $upstream_addr always;  # which replica answered (the test reads it)
        include {conf_d}/public.locations;
    }}
    server {{
        listen 127.0.0.1:{internal_port};
        access_log {scratch}/nginx-access.log scale;
        add_header X-Upstream $upstream_addr always;
        include {conf_d}/internal.locations;
    }}
    server {{
        listen 127.0.0.1:{actions_port};
        access_log {scratch}/nginx-access.log scale;
        client_max_body_size 10m;
        location / {{
            proxy_pass http://actions;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_set_header Connection "";
            proxy_connect_timeout 2s;
            proxy_read_timeout 75s;
            proxy_next_upstream error timeout;  # refused or unreachable: the next server
        }}
    }}
}}
"""


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if not found:
        raise SystemExit("nginx is not installed: run scripts/setup-nginx.sh (make scale-test does)")
    return found


# --- processes -------------------------------------------------------------------------------------------

def start(service: Service, env: dict, logs: Path) -> Service:
    """Start a launcher Service the launcher's way, its output in logs/<name>.log."""
    launcher.start(service, env, logs)
    print(f"  started {service.name} (pid {service.process.pid})", flush=True)
    return service


def port_or_free(port: int) -> int:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
            return port
        except OSError:
            return free_port()


# --- the databases ---------------------------------------------------------------------------------------

def reset_databases() -> str:
    """Drop and create the scale test's own PostgreSQL database and flush its Redis database number;
    the enrollment schema is migrated in. Returns the enrollment store's URL."""
    import psycopg2
    import redis

    from bot.store.migrations import upgrade_schema

    connection = psycopg2.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER,
                                  dbname="postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DB_NAME}"')
    connection.close()
    redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=REDIS_DB).flushdb()
    url = f"postgresql+psycopg2://{POSTGRES_USER}@{POSTGRES_HOST}:{POSTGRES_PORT}/{DB_NAME}"
    upgrade_schema(url)
    return url


def snapshot_model(model: Path, scratch: Path) -> Path:
    """A copy of the trained model, read through once: every replica loads the same, whole file even
    when a training rewrites models/ meanwhile (a replica that read a half-written model starts anyway,
    with no agent, and answers every message with nothing)."""
    copy = scratch / model.name
    shutil.copyfile(model, copy)
    with tarfile.open(copy) as archive:
        for member in archive:
            if member.isfile():
                archive.extractfile(member).read()
    return copy


def check_models_loaded(rasa_ports: list[int], token: str) -> None:
    """Each replica serves a model (what the Kubernetes readiness probe asks, bot/ops/readiness.py)."""
    for port in rasa_ports:
        ready, why = readiness.check(f"http://127.0.0.1:{port}", token, timeout_s=30)
        if not ready:
            raise RuntimeError(f"the Rasa replica on port {port} serves no model: {why}")


def wait_for_tracker_table(child: Service, timeout_s: float = 240) -> None:
    """Until the first replica has created Rasa's `events` table: two replicas creating it at once can
    collide in PostgreSQL's catalog, so the second one starts after."""
    import psycopg2

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if child.process.poll() is not None:
            raise RuntimeError(f"{child.name} stopped while starting; see its log in the scratch folder")
        try:
            with psycopg2.connect(host=POSTGRES_HOST, port=POSTGRES_PORT, user=POSTGRES_USER,
                                  dbname=DB_NAME) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT to_regclass('public.events')")
                if cursor.fetchone()[0]:
                    return
        except psycopg2.Error:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{child.name} did not create the tracker table within {timeout_s:.0f}s")


# --- the simulated enrollers -----------------------------------------------------------------------------

@dataclass
class Attempt:
    turn: int
    attempt: int
    started: float          # seconds since the wave started
    seconds: float
    status: Optional[int]   # None: no HTTP answer at all (refused, reset, timed out)
    replies: list           # the REST channel's reply items
    upstream: str = ""      # the replica that answered, from the router's X-Upstream header
    error: str = ""


@dataclass
class Conversation:
    index: int
    sender: str
    language: str
    messages: list[str]
    success_words: str
    attempts: list[Attempt] = field(default_factory=list)
    finished: bool = False  # every turn answered

    def answered(self) -> dict[int, Attempt]:
        """The attempt that got a 200 for each turn."""
        return {a.turn: a for a in self.attempts if a.status == 200}

    def succeeded(self) -> bool:
        answered = self.answered()
        last = answered.get(len(self.messages) - 1)
        return self.finished and last is not None and self.success_words in " ".join(
            str(item.get("text", "")) for item in last.replies)


@dataclass
class Wave:
    name: str
    conversations: list[Conversation]
    think_s: tuple[float, float]
    ramp_s: float
    replicas: str = "2"
    wall_s: float = 0.0
    max_active: int = 0
    active: int = 0
    turns_done: int = 0
    timed_out: int = 0
    started_at: float = 0.0
    kill: dict = field(default_factory=dict)
    headers: dict = field(default_factory=dict)  # the integrator key

    @property
    def total_turns(self) -> int:
        return sum(len(c.messages) for c in self.conversations)


def new_conversations(start_index: int, count: int, tag: str) -> list[Conversation]:
    conversations = []
    for index in range(start_index, start_index + count):
        messages, words = enrollment_conversation(index)
        conversations.append(Conversation(index, f"scale-{tag}-{index}", "zh" if index % 2 == 0 else "en",
                                          messages, words))
    return conversations


async def enroll(session, url: str, wave: Wave, conversation: Conversation, rng: random.Random) -> None:
    await asyncio.sleep(rng.uniform(0, wave.ramp_s))
    wave.active += 1
    wave.max_active = max(wave.max_active, wave.active)
    try:
        for turn, message in enumerate(conversation.messages):
            if turn:
                await asyncio.sleep(rng.uniform(*wave.think_s))
            for attempt in range(1, ATTEMPTS + 1):
                began = time.perf_counter()
                record = Attempt(turn, attempt, round(began - wave.started_at, 3), 0.0, None, [])
                try:
                    status, body, headers = await post_message(
                        session, url, conversation.sender, message, timeout_s=REQUEST_TIMEOUT_S,
                        headers={"X-Sender-Id": conversation.sender, **wave.headers})
                    record.status, record.upstream = status, headers.get("X-Upstream", "")
                    record.replies = body if isinstance(body, list) else []
                    if status != 200:
                        record.error = f"HTTP {status}"
                    elif not record.replies:
                        record.error = "answered with nothing"  # processed: not sent again
                except Exception as problem:  # noqa: BLE001 - every failure is counted, the run goes on
                    record.error = f"{type(problem).__name__}: {problem}"[:200]
                record.seconds = time.perf_counter() - began
                conversation.attempts.append(record)
                if record.status == 200:
                    wave.turns_done += 1
                    break  # an empty answer too: the message was processed, sending it again duplicates it
                await asyncio.sleep(rng.uniform(*wave.think_s))
            else:
                return  # this turn failed every time: the enroller gives up
        conversation.finished = True
    finally:
        wave.active -= 1


async def kill_replica(wave: Wave, victim: Service, after_fraction: float, sig: int) -> None:
    """SIGTERM (or `sig`) to one replica once `after_fraction` of the wave's turns are done; waits for
    it to exit (SIGKILL after EXIT_TIMEOUT_S)."""
    while wave.turns_done < after_fraction * wave.total_turns:
        await asyncio.sleep(0.2)
    at, done_before = time.perf_counter() - wave.started_at, wave.turns_done
    print(f"  {wave.turns_done} of {wave.total_turns} turns done: {signal.Signals(sig).name} to {victim.name} "
          f"(pid {victim.process.pid})", flush=True)
    victim.process.send_signal(sig)  # the process itself, as Kubernetes signals a container's PID 1
    began = time.perf_counter()
    try:
        code = await asyncio.to_thread(victim.process.wait, EXIT_TIMEOUT_S)
        forced = False
    except subprocess.TimeoutExpired:
        os.killpg(victim.process.pid, signal.SIGKILL)
        code = await asyncio.to_thread(victim.process.wait)
        forced = True
    wave.kill = {"replica": victim.name, "port": victim.health_url.rsplit(":", 1)[1].strip("/"),
                 "signal": signal.Signals(sig).name, "at_s": round(at, 2),
                 "turns_done_before": done_before, "exit_code": code,
                 "seconds_to_exit": round(time.perf_counter() - began, 2), "sigkill_needed": forced}
    print(f"  {victim.name} exited with {code} after {wave.kill['seconds_to_exit']} s"
          + (" (SIGKILL needed)" if forced else ""), flush=True)


async def run_wave(url: str, wave: Wave, seed: int, victim: Optional[Service] = None,
                   kill_after: float = 0.3, kill_signal: int = signal.SIGTERM) -> None:
    import aiohttp

    rng = random.Random(seed)
    print(f"{wave.name}: {len(wave.conversations)} enrollers, {wave.total_turns} turns, think "
          f"{wave.think_s[0]:g}-{wave.think_s[1]:g} s, starts spread over {wave.ramp_s:g} s", flush=True)
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        wave.started_at = time.perf_counter()
        tasks = [asyncio.create_task(enroll(session, url, wave, c, rng)) for c in wave.conversations]
        killer = asyncio.create_task(kill_replica(wave, victim, kill_after, kill_signal)) if victim else None
        reporter = asyncio.create_task(progress(wave))
        done, pending = await asyncio.wait(tasks, timeout=WAVE_TIMEOUT_S)
        for task in pending:
            task.cancel()
        wave.timed_out = len(pending)
        if pending:
            await asyncio.wait(pending, timeout=10)
        wave.wall_s = time.perf_counter() - wave.started_at
        reporter.cancel()
        if killer:
            if wave.turns_done < kill_after * wave.total_turns:
                killer.cancel()  # the wave ended first: nothing was killed, which the checks report
            else:
                await asyncio.wait_for(killer, timeout=EXIT_TIMEOUT_S + 30)


async def progress(wave: Wave) -> None:
    while True:
        await asyncio.sleep(15)
        print(f"    {time.perf_counter() - wave.started_at:5.0f} s: {wave.turns_done}/{wave.total_turns} turns, "
              f"{wave.active} enrollers mid-conversation, load {os.getloadavg()[0]:.1f}", flush=True)


# --- reading back --------------------------------------------------------------------------------------

def reply_parts(texts) -> list[str]:
    """Reply texts as the REST channel delivers them: a plain text is split at blank lines."""
    return [part.strip() for text in texts if text for part in str(text).strip().split("\n\n")]


def align(expected: list[str], kept: list[str]) -> list[tuple[int, int]]:
    """The longest common subsequence of two lists of texts, as (expected index, kept index) pairs."""
    n, m = len(expected), len(kept)
    longest = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            longest[i][j] = (longest[i + 1][j + 1] + 1 if expected[i] == kept[j]
                             else max(longest[i + 1][j], longest[i][j + 1]))
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if expected[i] == kept[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def kept_form(messages: list[str]):
    """Texts as the conversation store keeps them (bot/rasa/tracker_store.py): ID numbers and phones masked,
    and the member's name blanked once the enrollment ended. Applied to both sides of a comparison, so a
    conversation compares equal whether or not its enrollment has ended yet."""
    from bot.core.typed_identity import read_name
    from bot.core.identity import IdentityError
    from bot.core.personal_data import mask_personal_numbers
    from bot.rasa.tracker_store import BLANK

    # The scripts give the member's name third (bench/conversations.py). The store forgets both the
    # answer as typed ("她叫王秀英", which the form's text mapping held first) and the name itself.
    names = [messages[2]] if len(messages) > 2 else []
    try:
        names.append(read_name(messages[2]))
    except (IdentityError, IndexError):
        pass

    def as_kept(text):
        if not isinstance(text, str):
            return text
        text = mask_personal_numbers(text)
        for name in names:
            text = text.replace(name, BLANK * len(name))
        return text
    return as_kept


def compare(conversation: Conversation, events: list[dict]) -> dict:
    """What the tracker holds against what the client sent and got.

    The REST channel keeps no client metadata (bot/channels/rest.py keeps only a language hint), so the
    tracker's user messages are aligned with the answered turns by their text, in order: a turn missing
    from the alignment is a lost message, a user message left over is a duplicate (a message stored
    twice, e.g. a retried turn whose first attempt was processed after all). For each aligned turn, the
    replies the client got must be the tracker's bot messages up to the next user message."""
    answered = conversation.answered()
    turns = sorted(answered)
    as_kept = kept_form(conversation.messages)
    expected = [as_kept(conversation.messages[t]) for t in turns]
    users = [(position, e) for position, e in enumerate(events) if e.get("event") == "user"]
    kept = [as_kept(e.get("text")) for _, e in users]
    pairs = align(expected, kept)
    lost_user, dup_user = len(expected) - len(pairs), len(kept) - len(pairs)
    lost_bot = extra_bot = 0
    matched = dict(pairs)
    for k, turn in enumerate(turns):
        got = Counter(reply_parts(as_kept(r.get("text")) for r in answered[turn].replies))
        if k not in matched:
            lost_bot += sum(got.values())
            continue
        position = users[matched[k]][0]
        following = []
        for event in events[position + 1:]:
            if event.get("event") == "user":
                break
            if event.get("event") == "bot":
                following.append(as_kept(event.get("text")))
        stored = Counter(reply_parts(following))
        lost_bot += sum((got - stored).values())
        extra_bot += sum((stored - got).values())
    return {"lost": lost_user + lost_bot, "duplicates": dup_user + extra_bot,
            "lost_user_messages": lost_user, "lost_replies": lost_bot,
            "duplicate_user_messages": dup_user, "replies_not_received": extra_bot,
            "exact": kept == expected}


def rasa_sender(sender: str) -> str:
    """The conversation id Rasa keeps for an integrator's sender (bot/channels/rest.py)."""
    return f"rest:{REST_INTEGRATOR}:{sender}"


def sender_jwt(secret: str, sender: str) -> str:
    from bot.rasa.api_token import sender_token

    return sender_token(secret, rasa_sender(sender), lifetime_s=3600)


async def read_trackers(base: str, jwt_secret: str, conversations: list[Conversation]) -> dict[str, dict]:
    """Every conversation's tracker through the router's HTTP API: an admin JWT (what the console sends)
    for even indexes, a JWT that allows only that sender's conversation for odd ones."""
    from bot.rasa.api_token import authorization

    import aiohttp

    results: dict[str, dict] = {}
    limit = asyncio.Semaphore(8)

    async def one(session, conversation: Conversation) -> None:
        url = f"{base}/conversations/{rasa_sender(conversation.sender)}/tracker"
        params: dict = {}
        if conversation.index % 2 == 0:
            headers = authorization(jwt_secret, "scale-test")
        else:
            headers = {"Authorization": f"Bearer {sender_jwt(jwt_secret, conversation.sender)}"}
        async with limit:
            for attempt in range(3):
                try:
                    async with session.get(url, params=params, headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=60)) as response:
                        if response.status == 200:
                            results[conversation.sender] = await response.json()
                            return
                        problem = f"HTTP {response.status}"
                except Exception as error:  # noqa: BLE001
                    problem = f"{type(error).__name__}: {error}"
                await asyncio.sleep(1 + attempt)
            results[conversation.sender] = {"error": problem}

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one(session, c) for c in conversations))
    return results


async def api_auth_checks(public: str, base: str, jwt_secret: str, a: str, b: str) -> dict:
    """The HTTP API refuses a request without credentials (401), the old `?token=` (401), a sender's
    JWT for another sender's conversation (403); the public port does not serve it at all (404)."""
    import aiohttp

    from bot.rasa.api_token import sender_token

    a, b = rasa_sender(a), rasa_sender(b)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/conversations/{a}/tracker") as response:
            anonymous = response.status
        async with session.get(f"{base}/conversations/{a}/tracker", params={"token": jwt_secret}) as response:
            query_token = response.status
        async with session.get(f"{public}/conversations/{a}/tracker",
                               headers={"Authorization": f"Bearer {sender_token(jwt_secret, a)}"}) as response:
            public_api = response.status
        async with session.post(f"{public}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}
                                ) as response:
            public_rest = response.status
        async with session.get(f"{base}/conversations/{b}/tracker",
                               headers={"Authorization": f"Bearer {sender_token(jwt_secret, a)}"}) as response:
            other = response.status
        async with session.get(f"{base}/conversations/{a}/tracker",
                               headers={"Authorization": f"Bearer {sender_token('wrong-' + jwt_secret, a)}"}
                               ) as response:
            forged = response.status
    return {"no_credentials": anonymous, "query_token": query_token, "jwt_for_another_sender": other,
            "forged_jwt": forged, "public_http_api": public_api, "public_rest": public_rest}


def stored_enrollments(database_url: str) -> dict[str, list[str]]:
    """Enrollment statuses by enroller (sender id), from the store's own query."""
    from bot.store import engine_for, list_enrollments

    by_sender: dict[str, list[str]] = {}
    for enrollment in list_enrollments(engine_for(database_url)):
        by_sender.setdefault(enrollment.enroller, []).append(enrollment.status)
    return by_sender


# --- the figures -----------------------------------------------------------------------------------------

def summarize(wave: Wave, trackers: dict[str, dict], enrollments: dict[str, list[str]]) -> dict:
    attempts = [a for c in wave.conversations for a in c.attempts]
    latencies = [a.seconds for a in attempts if a.status == 200]
    errors = [a for a in attempts if a.error]
    comparisons, unreadable = {}, []
    for conversation in wave.conversations:
        tracker = trackers.get(conversation.sender, {})
        if "events" not in tracker:
            unreadable.append(conversation.sender)
            continue
        comparisons[conversation.sender] = compare(conversation, tracker["events"])
    stored = {c.sender: enrollments.get(rasa_sender(c.sender), []) for c in wave.conversations}
    exact = [s for s, statuses in stored.items() if statuses == ["active"]]
    summary = {
        "phase": wave.name, "replicas": wave.replicas, "users": len(wave.conversations),
        "zh_users": sum(c.language == "zh" for c in wave.conversations),
        "en_users": sum(c.language == "en" for c in wave.conversations),
        "max_concurrent_users": wave.max_active, "turns": len(latencies),
        "turns_expected": wave.total_turns, "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95), "p99_ms": percentile_ms(latencies, 99),
        "max_ms": percentile_ms(latencies, 100),
        "errors": len(errors), "http_5xx": sum(1 for a in errors if a.status and a.status >= 500),
        "error_examples": sorted(Counter(a.error for a in errors).items(), key=lambda kv: -kv[1])[:5],
        "events_lost": sum(c["lost"] for c in comparisons.values()),
        "duplicates": sum(c["duplicates"] for c in comparisons.values()),
        "detail": {key: sum(c[key] for c in comparisons.values())
                   for key in ("lost_user_messages", "lost_replies", "duplicate_user_messages",
                               "replies_not_received")},
        "not_exactly_as_sent": sum(not c["exact"] for c in comparisons.values()),
        "trackers_unreadable": len(unreadable),
        "completed": sum(c.finished for c in wave.conversations),
        "succeeded": sum(c.succeeded() for c in wave.conversations),
        "enrollments_exactly_one_active": len(exact),
        "enrollment_rows": sum(len(s) for s in stored.values()),
        "failed_conversations": failed_examples(wave.conversations, comparisons),
        "timed_out": wave.timed_out, "wall_s": round(wave.wall_s, 1),
        "turns_per_s": round(len(latencies) / wave.wall_s, 2) if wave.wall_s else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    if wave.kill:
        summary["kill"] = dict(wave.kill, **moved_conversations(wave))
    elif wave.replicas != "2":
        summary["kill"] = {"error": "the wave ended before the kill"}
    return summary


def failed_examples(conversations: list[Conversation], comparisons: dict[str, dict], most: int = 10
                    ) -> dict:
    """How many conversations failed, by language, and the first few: where and how."""
    failed = [c for c in conversations if not c.succeeded() or comparisons.get(c.sender, {}).get("lost")
              or comparisons.get(c.sender, {}).get("duplicates")]
    examples = []
    for c in failed[:most]:
        problem = next((a for a in c.attempts if a.error), None)
        examples.append({"sender": c.sender, "language": c.language,
                         "first_error": None if problem is None else
                         {"turn": problem.turn, "message": c.messages[problem.turn], "error": problem.error,
                          "upstream": problem.upstream},
                         "last_reply": " ".join(str(r.get("text", "")) for a in c.attempts[-1:]
                                                for r in a.replies)[:200],
                         "tracker": comparisons.get(c.sender)})
    return {"zh": sum(c.language == "zh" for c in failed), "en": sum(c.language == "en" for c in failed),
            "examples": examples}


def moved_conversations(wave: Wave) -> dict:
    """The killed replica's conversations: answered there before the signal, and where afterwards. Until
    it has exited, a replica given SIGTERM still finishes what it has and may answer a turn that reached
    it before it closed its port (Sanic's graceful shutdown); every turn sent after it exited must be
    answered by the survivor."""
    victim, at = f"127.0.0.1:{wave.kill['port']}", wave.kill["at_s"]
    exited = at + wave.kill["seconds_to_exit"]
    on_victim = [c for c in wave.conversations
                 if any(a.upstream.endswith(victim) and a.started + a.seconds <= at
                        for a in c.attempts if a.status == 200)]
    later = {c.sender: [a for a in c.attempts if a.started >= exited] for c in on_victim}
    moved = [c for c in on_victim if any(a.status == 200 for a in later[c.sender])]
    survivor_only = [c for c in moved if all(a.status == 200 and not a.upstream.endswith(victim)
                                             for a in later[c.sender])]
    in_flight = sum(1 for c in wave.conversations for a in c.attempts
                    if a.started <= at < a.started + a.seconds)
    drained = sum(1 for c in wave.conversations for a in c.attempts
                  if at <= a.started < exited and a.status == 200 and a.upstream.endswith(victim))
    retried = sum(1 for c in wave.conversations for a in c.attempts if "," in a.upstream)
    return {"conversations_on_killed_replica": len(on_victim),
            "of_them_continued_after_it_exited": len(moved),
            "of_them_only_on_survivor_after_it_exited": len(survivor_only),
            "of_them_succeeded": sum(c.succeeded() for c in on_victim),
            "turns_in_flight_at_kill": in_flight,
            "turns_it_answered_while_stopping": drained,
            "turns_the_router_sent_on_after_a_refused_connection": retried}


def checks(rows: list[dict], auth: dict, extra_rows: list[str]) -> list[str]:
    failed = []
    for row in rows:
        name = row["phase"]
        for key, want in (("http_5xx", 0), ("errors", 0), ("events_lost", 0), ("duplicates", 0),
                          ("not_exactly_as_sent", 0), ("trackers_unreadable", 0), ("timed_out", 0)):
            if row[key] != want:
                failed.append(f"{name}: {key} = {row[key]} (want {want})")
        if row["succeeded"] != row["users"]:
            failed.append(f"{name}: {row['succeeded']} of {row['users']} enrollments ended with the success words")
        if row["enrollments_exactly_one_active"] != row["users"] or row["enrollment_rows"] != row["users"]:
            failed.append(f"{name}: {row['enrollment_rows']} enrollment rows, "
                          f"{row['enrollments_exactly_one_active']} enrollers with exactly one active "
                          f"(want {row['users']} and {row['users']})")
        kill = row.get("kill")
        if kill is not None and "error" in kill:
            failed.append(f"{name}: {kill['error']}")
        elif kill is not None:
            if kill["sigkill_needed"]:
                failed.append(f"{name}: the replica did not exit within {EXIT_TIMEOUT_S}s of {kill['signal']}")
            on_it = kill["conversations_on_killed_replica"]
            if not on_it:
                failed.append(f"{name}: no conversation was on the killed replica before the kill")
            if not kill["of_them_continued_after_it_exited"]:
                failed.append(f"{name}: no conversation of the killed replica went on after it exited")
            if kill["of_them_only_on_survivor_after_it_exited"] != kill["of_them_continued_after_it_exited"]:
                failed.append(f"{name}: only {kill['of_them_only_on_survivor_after_it_exited']} of "
                              f"{kill['of_them_continued_after_it_exited']} conversations of the killed replica "
                              "were answered by the survivor alone after it exited")
            if kill["of_them_succeeded"] != on_it:
                failed.append(f"{name}: {kill['of_them_succeeded']} of {on_it} conversations of the killed "
                              "replica enrolled")
    if rows[0]["max_concurrent_users"] < min(200, rows[0]["users"]):
        failed.append(f"at most {rows[0]['max_concurrent_users']} enrollers were mid-conversation at once")
    if auth != {"no_credentials": 401, "query_token": 401, "jwt_for_another_sender": 403, "forged_jwt": 401,
                "public_http_api": 404, "public_rest": 404}:
        failed.append(f"HTTP API authentication: {auth}")
    failed += extra_rows
    return failed


def markdown(result: dict) -> str:
    rows = result["phases"]
    lines = [f"Measured {result['when']} on {result['machine']}: {result['setup']}", "",
             "| phase | replicas | users (zh/en) | turns | p50 ms | p95 ms | errors | events lost | duplicates "
             "| enrollments stored |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['phase']} | {r['replicas']} | {r['users']} ({r['zh_users']}/{r['en_users']}) | "
                     f"{r['turns']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} | {r['events_lost']} | "
                     f"{r['duplicates']} | {r['enrollment_rows']} of {r['users']} |")
    lines.append("")
    for r in rows:
        lines.append(f"- {r['phase']}: at most {r['max_concurrent_users']} enrollers mid-conversation at once, "
                     f"{r['turns_per_s']} turns/s over {r['wall_s']} s, p99 {r['p99_ms']} ms, "
                     f"load average {r['load_average_1min']} at the end.")
        if "kill" in r:
            k = r["kill"]
            lines.append(f"- kill: {k['signal']} to {k['replica']} at {k['at_s']} s "
                         f"({k['turns_done_before']} turns done, {k['turns_in_flight_at_kill']} in flight); it "
                         f"exited with {k['exit_code']} after {k['seconds_to_exit']} s. "
                         f"{k['conversations_on_killed_replica']} conversations had been on it: "
                         f"{k['turns_it_answered_while_stopping']} turns reached it before it closed its port "
                         f"and were answered; after it exited, {k['of_them_only_on_survivor_after_it_exited']} "
                         f"of them went on on the survivor alone; {k['of_them_succeeded']} enrolled; the "
                         "router sent "
                         f"{k['turns_the_router_sent_on_after_a_refused_connection']} turns on to the survivor "
                         "after a refused connection.")
    auth = result['api_auth']
    lines.append(f"- HTTP API: no credentials → {auth['no_credentials']}, the old `?token=` → "
                 f"{auth.get('query_token')}, a sender's JWT for another conversation → "
                 f"{auth['jwt_for_another_sender']}, a JWT signed with another secret → {auth['forged_jwt']}; "
                 f"on the public port the HTTP API → {auth.get('public_http_api')}, REST → "
                 f"{auth.get('public_rest')}.")
    lines.append(f"- verdict: {'PASS' if not result['failed'] else 'FAIL: ' + '; '.join(result['failed'])} "
                 f"({result['scale_test_wall_s']} s in all).")
    return "\n".join(lines) + "\n"


# --- main ------------------------------------------------------------------------------------------------

def environment(scratch: Path, database_url: str, actions_url: str) -> dict:
    from cryptography.fernet import Fernet

    return {
        "RASA_ENDPOINTS": "endpoints.production.yml",
        "TRACKER_DB_HOST": POSTGRES_HOST, "TRACKER_DB_PORT": str(POSTGRES_PORT), "TRACKER_DB_NAME": DB_NAME,
        "TRACKER_DB_USER": POSTGRES_USER, "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": REDIS_HOST, "REDIS_PORT": str(REDIS_PORT), "REDIS_DB": str(REDIS_DB),
        "REDIS_PASSWORD": "",
        "DATABASE_URL": database_url,
        "ACTION_ENDPOINT_URL": actions_url,
        # Hex: a value starting with "-" would read as an option on the `rasa run` command line.
        "RASA_API_TOKEN": secrets.token_hex(32),
        "REST_INTEGRATOR_KEYS": f"{REST_INTEGRATOR}:{secrets.token_urlsafe(32)}",
        "WEBCHAT_SESSION_KEY": secrets.token_hex(32),
        "ACTION_SERVER_SECRET": secrets.token_urlsafe(32),
        "ID_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ID_HASH_KEY": secrets.token_urlsafe(32),
        "CONVERSATION_SEAL_KEY": Fernet.generate_key().decode(),
        "DATA_DIR": str(scratch / "data"),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "LOG_LEVEL": "WARNING",
    }


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="enrollers of the main wave (default 200)")
    parser.add_argument("--kill-users", type=int, default=40, help="enrollers of the kill wave (default 40)")
    parser.add_argument("--think", type=float, nargs=2, default=(8.0, 16.0), metavar=("MIN", "MAX"),
                        help="think time between turns in the main wave, seconds (default 8 16)")
    parser.add_argument("--kill-think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="think time in the kill wave (default 1 3)")
    parser.add_argument("--kill-after", type=float, default=0.3,
                        help="share of the kill wave's turns done before the kill (default 0.3)")
    parser.add_argument("--kill-signal", default="TERM", choices=("TERM", "KILL", "INT"),
                        help="what the replica gets (default TERM, as Kubernetes sends)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, nginx.conf)")
    parser.add_argument("--name", default="scale", help="results file name (default scale)")
    args = parser.parse_args(argv)

    begun = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="rasa-scale-"))
    logs = scratch / "logs"
    for folder in (logs, scratch / "data", *(scratch / "nginx-temp" / d for d in
                                             ("body", "proxy", "fastcgi", "uwsgi", "scgi"))):
        folder.mkdir(parents=True)
    print(f"scratch folder: {scratch}", flush=True)
    try:
        launcher.MODEL = snapshot_model(launcher.MODEL, scratch)
    except (OSError, EOFError, tarfile.TarError) as problem:
        print(f"no usable model at {launcher.MODEL} ({problem}): run `make train` (make scale-test does)",
              file=sys.stderr)
        return 2

    rasa_ports = [port_or_free(p) for p in RASA_PORTS]
    action_ports = [port_or_free(p) for p in ACTION_PORTS]
    router_port, actions_port = port_or_free(ROUTER_PORT), port_or_free(ROUTER_PORT + 1)
    internal_port = port_or_free(ROUTER_PORT + 2)
    public = f"http://127.0.0.1:{router_port}"
    router = f"http://127.0.0.1:{internal_port}"  # REST and the HTTP API: the internal server
    children: list[Service] = []
    failed_setup: list[str] = []
    ok = False
    try:
        print(f"PostgreSQL database {DB_NAME} (dropped, created, migrated), Redis db {REDIS_DB} (flushed)",
              flush=True)
        database_url = reset_databases()
        env_settings = environment(scratch, database_url, f"http://127.0.0.1:{actions_port}/webhook")
        os.environ.update(env_settings)  # the launcher's commands and child_environment read them
        jwt_secret = env_settings["RASA_API_TOKEN"]  # bot.rasa.server makes it Rasa's --jwt-secret
        rest_key = env_settings["REST_INTEGRATOR_KEYS"].split(":", 1)[1]
        rest_headers = {"Authorization": f"Bearer {rest_key}"}
        conf = scratch / "nginx.conf"
        conf.write_text(router_config(scratch, router_port, internal_port, rasa_ports, actions_port,
                                      action_ports))
        nginx = Service("router (nginx)", [nginx_binary(), "-p", str(scratch), "-c", str(conf)],
                        f"{public}/nginx-health")
        children.append(start(nginx, dict(os.environ), logs))
        launcher.wait_until_ready([nginx])

        replicas, action_servers = [], []
        for n, (rasa_port, action_port) in enumerate(zip(rasa_ports, action_ports), start=1):
            env = launcher.child_environment(rasa_port, action_port)
            action, rasa = launcher.services(rasa_port, action_port)
            action.name, rasa.name = f"action server {n}", f"rasa replica {n}"
            action_servers.append((action, env))
            replicas.append((rasa, env))
        for child, env in action_servers:
            children.append(start(child, env, logs))
        first, env = replicas[0]
        children.append(start(first, env, logs))
        wait_for_tracker_table(first)
        for child, env in replicas[1:]:
            children.append(start(child, env, logs))
        launcher.wait_until_ready(children)
        check_models_loaded(rasa_ports, env_settings["RASA_API_TOKEN"])
        startup_s = round(time.monotonic() - begun, 1)
        print(f"all up after {startup_s} s: router {router}, Rasa {rasa_ports}, actions {action_ports} "
              f"(behind 127.0.0.1:{actions_port})", flush=True)
        asyncio.run(warm_up(rasa_ports, rest_headers))

        tag = uuid.uuid4().hex[:6]
        main_wave = Wave("normal", new_conversations(0, args.users, tag), tuple(args.think),
                         ramp_s=args.think[1], headers=rest_headers)
        asyncio.run(run_wave(f"{router}/webhooks/rest/webhook", main_wave, args.seed))
        rows = [summarize(main_wave, asyncio.run(read_trackers(router, jwt_secret, main_wave.conversations)),
                          stored_enrollments(database_url))]
        print_row(rows[-1])

        kill_wave = Wave(f"kill ({args.kill_signal.lower()})",
                         new_conversations(args.users, args.kill_users, tag), tuple(args.kill_think),
                         ramp_s=args.kill_think[1], replicas="2 → 1", headers=rest_headers)
        victim = replicas[-1][0]
        asyncio.run(run_wave(f"{router}/webhooks/rest/webhook", kill_wave, args.seed + 1, victim=victim,
                             kill_after=args.kill_after,
                             kill_signal=getattr(signal, f"SIG{args.kill_signal}")))
        enrollments = stored_enrollments(database_url)
        rows.append(summarize(kill_wave, asyncio.run(read_trackers(router, jwt_secret, kill_wave.conversations)),
                              enrollments))
        print_row(rows[-1])
        everyone = {rasa_sender(c.sender) for w in (main_wave, kill_wave) for c in w.conversations}
        strangers = {s: v for s, v in enrollments.items() if s not in everyone}
        if strangers:
            failed_setup.append(f"enrollments from senders the test never used: {strangers}")
        auth = asyncio.run(api_auth_checks(public, router, jwt_secret, main_wave.conversations[0].sender,
                                           main_wave.conversations[1].sender))
        crashed = [c for c in children if c is not victim and c.process.poll() is not None]
        if crashed:
            failed_setup.append(f"stopped during the run: {', '.join(c.name for c in crashed)}")

        failed = checks(rows, auth, failed_setup)
        result = {
            "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
            "setup": (f"nginx {nginx_version()} router (sticky by sender) → {len(rasa_ports)} Rasa replicas "
                      f"(endpoints.production.yml: PostgreSQL tracker store, Redis lock store) → nginx round "
                      f"robin → {len(action_ports)} action servers → PostgreSQL enrollment store; REST "
                      f"channel with X-Sender-Id, think time {args.think[0]:g}-{args.think[1]:g} s (main) and "
                      f"{args.kill_think[0]:g}-{args.kill_think[1]:g} s (kill wave); turn latency = one POST "
                      "through the router until its replies."),
            "startup_s": startup_s, "phases": rows, "api_auth": auth, "failed": failed,
            "parameters": {k: v for k, v in vars(args).items() if k not in ("keep", "name")},
        }
        result["scale_test_wall_s"] = round(time.monotonic() - begun, 1)
        table = markdown(result)
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        (RESULTS / f"{args.name}.md").write_text(table)
        print()
        print(table)
        print(f"results: {RESULTS}/{args.name}.json, .md")
        ok = not failed
        return 0 if ok else 1
    except (launcher.LaunchError, RuntimeError) as problem:
        print(f"error: {problem} (logs: {logs})", file=sys.stderr)
        return 1
    finally:
        launcher.stop(children)
        from bot.store import dispose_engines

        dispose_engines()
        if args.keep or not ok:
            print(f"kept {scratch} (logs, nginx.conf)")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def print_row(row: dict) -> None:
    shown = {k: row[k] for k in ("phase", "replicas", "users", "max_concurrent_users", "turns", "p50_ms",
                                 "p95_ms", "errors", "events_lost", "duplicates", "succeeded",
                                 "enrollment_rows", "wall_s")}
    print(f"  {shown}", flush=True)
    if row["errors"]:
        print(f"  errors: {row['error_examples']}", flush=True)
    if "kill" in row:
        print(f"  kill: {row['kill']}", flush=True)


def nginx_version() -> str:
    out = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True)
    return (out.stderr or out.stdout).strip().rsplit("/", 1)[-1]


async def warm_up(rasa_ports: list[int], headers: dict) -> None:
    """One message in each language straight to each replica, so the first measured turns do not pay
    for building the model's graphs; these senders enroll nobody."""
    import aiohttp

    async with aiohttp.ClientSession() as session:
        for port in rasa_ports:
            for text in ("你好", "hello"):
                await post_message(session, f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                                   f"warm-up-{port}-{uuid.uuid4().hex[:6]}", text, timeout_s=120,
                                   headers=headers)


if __name__ == "__main__":
    sys.exit(main())
