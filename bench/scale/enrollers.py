"""The simulated enrollers: each a whole enrollment through the router's REST channel, turn by turn
with a think time, a failed turn sent again like a person retyping it; a wave of them at once, and the
replica that one wave takes away (SIGTERM or SIGKILL) once a share of its turns is done."""
from __future__ import annotations

import asyncio
import os
import random
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Optional

from bench.conversations import enrollment_conversation, post_message
from bot.ops.launcher import Service

REQUEST_TIMEOUT_S = 60      # one turn (nginx gives up at 75 s; Rasa's lock lives 60 s)
ATTEMPTS = 3                # a turn that failed is sent again, like a person retyping it, at most this often
# A wave's unfinished conversations are then cancelled and counted: a guard against a hung run, not a
# target (CI's main wave takes about 220 s; on a 2-core machine shared with other Rasa servers it was seen
# at 4 turns/s, which needs about 800 s for the main wave's 3200 turns).
WAVE_TIMEOUT_S = 1200
EXIT_TIMEOUT_S = 60         # a replica that has not exited this long after SIGTERM gets SIGKILL


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
                        headers={"X-Sender-Id": conversation.sender, **wave.headers},
                        message_id=f"{conversation.sender}-t{turn}")  # the same id when sent again
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
