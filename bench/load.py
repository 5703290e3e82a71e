"""The closed-loop load of `make bench`: conversations through the REST webhook, one at a time and many
at once, with every turn's latency, error and empty reply counted per load level."""
from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from dataclasses import dataclass, field
from typing import Optional

from bench.conversations import percentile_ms, post_message

LEVEL_TIMEOUT_S = 300           # each load level; unfinished conversations are cancelled and counted
REQUEST_TIMEOUT_S = 60          # each turn
SEQUENTIAL_CONVERSATIONS = 4    # the "one at a time" level
CONCURRENCY = (10, 50)

@dataclass
class Level:
    name: str
    concurrency: int
    conversations: int
    latencies_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    empty_replies: int = 0       # turns answered with no message at all (counted; the conversation goes on)
    completed: int = 0           # conversations whose every turn was answered (and, for enrollments,
    succeeded: int = 0           # that ended with the success words)
    wall_s: float = 0.0
    load_average: float = 0.0   # 1-minute load average at the end: shows whether something else ran

    def summary(self) -> dict:
        lat = sorted(self.latencies_s)

        def pct(p: float) -> Optional[float]:
            return percentile_ms(lat, p)

        return {
            "level": self.name, "concurrency": self.concurrency, "conversations": self.conversations,
            "turns": len(lat), "errors": len(self.errors), "error_examples": self.errors[:3],
            "empty_replies": self.empty_replies,
            "completed_conversations": self.completed, "successful_conversations": self.succeeded,
            "wall_s": round(self.wall_s, 2), "load_average_1min": self.load_average,
            "msgs_per_s": round(len(lat) / self.wall_s, 2) if self.wall_s else None,
            "p50_ms": pct(50), "p95_ms": pct(95), "p99_ms": pct(99),
            "mean_ms": round(1000 * statistics.fmean(lat), 1) if lat else None,
            "max_ms": round(1000 * lat[-1], 1) if lat else None,
        }


async def converse(session, url: str, sender: str, messages: list[str], level: Level,
                   success_words: Optional[str]) -> None:
    last: list = []
    every_turn_answered = True
    for message in messages:
        started = time.perf_counter()
        try:
            status, body, _ = await post_message(session, url, sender, message, timeout_s=REQUEST_TIMEOUT_S)
            if status != 200:
                raise RuntimeError(f"HTTP {status}")
        except Exception as problem:  # noqa: BLE001 - every failure is counted, the run goes on
            level.errors.append(f"{type(problem).__name__}: {problem}"[:200])
            return
        level.latencies_s.append(time.perf_counter() - started)
        last = body or []
        if not last:
            level.empty_replies += 1
            every_turn_answered = False
    if every_turn_answered:
        level.completed += 1
    final = " ".join(str(reply.get("text", "")) for reply in last)
    if every_turn_answered and (success_words is None or success_words in final):
        level.succeeded += 1


async def drive(url: str, conversations, levels: list[Level]) -> list[dict]:
    """Run each level in turn with one aiohttp session; `conversations()` hands out the next
    (messages, success words) pair."""
    import aiohttp

    connector = aiohttp.TCPConnector(limit=0, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        for level in levels:
            tag = uuid.uuid4().hex[:6]
            started = time.perf_counter()
            if level.concurrency == 1:
                deadline = started + LEVEL_TIMEOUT_S
                for n in range(level.conversations):
                    if time.perf_counter() > deadline:
                        level.errors.append("level time limit reached")
                        break
                    messages, words = conversations()
                    try:
                        await asyncio.wait_for(
                            converse(session, url, f"bench-{tag}-{n}", messages, level, words),
                            timeout=max(1.0, deadline - time.perf_counter()))
                    except asyncio.TimeoutError:
                        level.errors.append("level time limit reached")
                        break
            else:
                tasks = []
                for n in range(level.conversations):
                    messages, words = conversations()
                    tasks.append(asyncio.create_task(
                        converse(session, url, f"bench-{tag}-{n}", messages, level, words)))
                done, pending = await asyncio.wait(tasks, timeout=LEVEL_TIMEOUT_S)
                for task in pending:
                    task.cancel()
                    level.errors.append("level time limit reached")
                if pending:
                    await asyncio.wait(pending, timeout=10)
            level.wall_s = time.perf_counter() - started
            level.load_average = round(os.getloadavg()[0], 2)
            print(f"    {level.name}: {level.summary()}", flush=True)
    return [level.summary() for level in levels]


def load_levels() -> list[Level]:
    return [Level("1 at a time", 1, SEQUENTIAL_CONVERSATIONS),
            *(Level(f"{c} concurrent", c, c) for c in CONCURRENCY)]


def run_load(url: str, conversations, warmup: int) -> dict:
    print(f"  driving {url}", flush=True)
    warm = Level("warm-up (not counted)", 1, warmup)
    warm_summary = asyncio.run(drive(url, conversations, [warm]))[0]
    return {"warmup": warm_summary, "first_turn_ms": round(1000 * warm.latencies_s[0], 1)
            if warm.latencies_s else None, "levels": asyncio.run(drive(url, conversations, load_levels()))}
