"""`make bench`: this assistant against Rasa's own starter bot (`rasa init`), on this machine.

One run, everything bounded and on loopback only:

1. baseline: `rasa init --no-prompt` in a scratch folder (trains the starter bot; timed), then
   `rasa run` from that folder (REST channel only, in-memory tracker store, no action server);
2. this assistant: a full, cold `rasa train --domain domain --fixed-model-name bench` into the scratch
   folder (fresh Rasa cache, so nothing is reused; timed), then started with bot.ops.launcher's own
   `assistant_running` on free ports with a temporary DATA_DIR;
3. both driven by the same aiohttp client through POST /webhooks/rest/webhook, closed loop, no think
   time: conversations one at a time, then 10 and 50 at once. The baseline says hello / great / bye
   five times per conversation (15 turns); this assistant gets whole bilingual enrollments (16 turns,
   a fresh valid ID number each) that write to the enrollment store.

Reports p50/p95/p99 turn latency, messages per second, peak resident memory (VmHWM) of every server
process and its children, peak memory and wall time of training; writes bench/results/bench.json,
bench.md and bench.png, prints the table, and says PASS/FAIL against the targets of issue 9.
Never part of `make test`.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
sys.path.insert(0, str(ROOT))

from bench.conversations import (  # noqa: E402 - after the path is set
    enrollment_conversation, free_port, percentile_ms, post_message)

TRAIN_TIMEOUT_S = 1200          # each training; a hung training is killed
STARTUP_TIMEOUT_S = 300         # each server
LEVEL_TIMEOUT_S = 300           # each load level; unfinished conversations are cancelled and counted
REQUEST_TIMEOUT_S = 60          # each turn
SEQUENTIAL_CONVERSATIONS = 4    # the "one at a time" level
CONCURRENCY = (10, 50)

BASELINE_SCRIPT = ["hello", "I am great", "bye"] * 5

TARGETS = {
    "p50_ratio_sequential": 1.0,      # this assistant's p50 / the baseline's, one conversation at a time
    "p95_ratio_10": 1.2,              # p95 at 10 concurrent conversations / the baseline's
    "training_s": 300.0,              # full training of this assistant
    "rasa_server_peak_rss_mb": 1536.0,  # the Rasa server (process and children), VmHWM
}


# --- processes and memory --------------------------------------------------------------------------------

def proc_status(pid: int) -> dict[str, str]:
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def peak_memory(name: str, pid: int) -> dict:
    """VmHWM (peak resident set) of a process and of each of its descendants, in MB."""
    processes = []
    for each in [pid, *descendants(pid)]:
        status = proc_status(each)
        if "VmHWM" in status:
            processes.append({"pid": each, "command": status.get("Name", "").strip(),
                              "peak_rss_mb": round(int(status["VmHWM"].split()[0]) / 1024, 1),
                              "rss_now_mb": round(int(status["VmRSS"].split()[0]) / 1024, 1)})
    return {"name": name, "processes": processes,
            "peak_rss_mb": round(sum(p["peak_rss_mb"] for p in processes), 1)}


def timed_run(command: list[str], *, cwd: Path, env: dict, log: Path, timeout: float) -> dict:
    """Run to completion (killed after `timeout`); wall time and the peak memory of its process tree's
    largest waited-for process (ru_maxrss of the direct child, which is what trains)."""
    print(f"  $ {' '.join(command)}", flush=True)
    load_before = os.getloadavg()[0]
    started = time.monotonic()
    with open(log, "ab") as output:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=output, stderr=output,
                                   start_new_session=True)
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                process.returncode = -9
                break
            time.sleep(0.5)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{command[1:3]} failed (exit {process.returncode}) after {seconds:.0f}s; "
                           f"see {log}")
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
            "load_average_1min_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)]}


@contextmanager
def baseline_running(folder: Path, port: int, env: dict, log: Path) -> Iterator[subprocess.Popen]:
    command = [RASA, "run", "--port", str(port), "--credentials", "credentials.yml"]
    with open(log, "ab") as output:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=output, stderr=output,
                                   start_new_session=True)
    from bot.ops.launcher import answers  # the launcher's own health probe

    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not answers(f"http://127.0.0.1:{port}/"):
            if process.poll() is not None:
                raise RuntimeError(f"the baseline server stopped while starting; see {log}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"the baseline server did not answer within {STARTUP_TIMEOUT_S}s")
            time.sleep(1)
        yield process
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


# --- load ------------------------------------------------------------------------------------------------

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


# --- the two bots ----------------------------------------------------------------------------------------

def base_environment(scratch: Path, cache: str) -> dict:
    env = dict(os.environ)
    env.update({"RASA_TELEMETRY_ENABLED": "false",          # no calls home
                "RASA_CACHE_DIRECTORY": str(scratch / cache),  # cold: nothing reused between runs
                "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    return env


def bench_baseline(scratch: Path) -> dict:
    print("baseline: rasa init --no-prompt (the starter bot), trained and served", flush=True)
    folder = scratch / "starter"
    folder.mkdir()
    env = base_environment(scratch, "cache-starter")
    training = timed_run([RASA, "init", "--no-prompt", "--init-dir", str(folder)], cwd=scratch, env=env,
                         log=scratch / "starter-train.log", timeout=TRAIN_TIMEOUT_S)
    # REST only: the starter's credentials.yml also names the `rasa` channel, which would try to reach
    # a Rasa X at localhost:5002 that is not there.
    (folder / "credentials.yml").write_text("rest:\n")
    port = free_port()
    started = time.monotonic()
    with baseline_running(folder, port, env, scratch / "starter-server.log") as process:
        startup_s = round(time.monotonic() - started, 1)
        load = run_load(f"http://127.0.0.1:{port}/webhooks/rest/webhook",
                        lambda: (BASELINE_SCRIPT, None), warmup=2)
        memory = [peak_memory("Rasa server", process.pid)]
    return {"name": "baseline (rasa init starter)", "training": training, "startup_s": startup_s,
            "memory": memory, **load}


def bench_assistant(scratch: Path, model: Optional[Path] = None, config: Optional[Path] = None) -> dict:
    print("this assistant: full rasa train, then bot.ops.launcher.assistant_running", flush=True)
    env = base_environment(scratch, "cache-assistant")
    if model is None:
        training = timed_run([RASA, "train", "--domain", "domain", "--fixed-model-name", "bench",
                              "--out", str(scratch), "--force",
                              *(["--config", str(config)] if config else [])], cwd=ROOT, env=env,
                             log=scratch / "assistant-train.log", timeout=TRAIN_TIMEOUT_S)
    else:  # a tuning run of serving only: the full run's training figures stand
        shutil.copy(model, scratch / "bench.tar.gz")
        training = json.loads((RESULTS / "bench.json").read_text())["assistant"]["training"]
        training["reused_model"] = str(model)
    data_dir = scratch / "data"
    data_dir.mkdir()
    saved = dict(os.environ)
    os.environ.update({"DATA_DIR": str(data_dir), "RASA_API_TOKEN": "bench-api-token",
                       "DATABASE_URL": f"sqlite:///{data_dir / 'enrollment.db'}",
                       "TRACKER_DB": str(data_dir / "tracker.db"), "RASA_TELEMETRY_ENABLED": "false",
                       "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    from bot.ops import launcher

    saved_model, launcher.MODEL = launcher.MODEL, scratch / "bench.tar.gz"
    counter = iter(range(10_000))
    try:
        started = time.monotonic()
        rasa_port = free_port()
        with launcher.assistant_running(rasa_port, free_port(), log_dir=data_dir) as services:
            startup_s = round(time.monotonic() - started, 1)
            load = run_load(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook",
                            lambda: enrollment_conversation(next(counter)), warmup=2)
            memory = [peak_memory(s.name, s.process.pid) for s in services if s.process]
    finally:
        launcher.MODEL = saved_model
        os.environ.clear()
        os.environ.update(saved)
    return {"name": "this assistant", "training": training, "startup_s": startup_s, "memory": memory,
            "stored_enrollments": count_enrollments(data_dir / "enrollment.db"), **load}


def count_enrollments(db: Path) -> dict:
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT status, count(*) FROM enrollments GROUP BY status").fetchall()
    return dict(rows)


# --- report ----------------------------------------------------------------------------------------------

def ratio(a: Optional[float], b: Optional[float]) -> Optional[float]:
    return round(a / b, 2) if a is not None and b else None


def verdicts(base: dict, ours: dict) -> list[dict]:
    def level(result, concurrency):
        return next(l for l in result["levels"] if l["concurrency"] == concurrency)

    rasa_mem = next(m for m in ours["memory"] if m["name"] == "Rasa server")["peak_rss_mb"]
    checks = [
        ("p50 turn latency, one conversation at a time, vs baseline", "≤ 1.0×",
         ratio(level(ours, 1)["p50_ms"], level(base, 1)["p50_ms"]), TARGETS["p50_ratio_sequential"], "×"),
        ("p95 turn latency, 10 concurrent, vs baseline", "≤ 1.2×",
         ratio(level(ours, 10)["p95_ms"], level(base, 10)["p95_ms"]), TARGETS["p95_ratio_10"], "×"),
        ("full training of this assistant", "≤ 300 s", ours["training"]["seconds"],
         TARGETS["training_s"], " s"),
        ("Rasa server peak RSS (VmHWM, with children)", "≤ 1536 MB", rasa_mem,
         TARGETS["rasa_server_peak_rss_mb"], " MB"),
    ]
    return [{"target": name, "limit": limit, "measured": value, "unit": unit,
             "pass": value is not None and value <= bound} for name, limit, value, bound, unit in checks]


def markdown(result: dict) -> str:
    base, ours = result["baseline"], result["assistant"]
    lines = [f"Measured {result['when']} on {result['machine']}. Turn latency = one POST to "
             "/webhooks/rest/webhook until its replies; closed loop, no think time; "
             "errors include turns answered with nothing."
             + (f" Environment: {result['environment']}." if result.get("environment") else ""), "",
             "| load | bot | turns | p50 ms | p95 ms | p99 ms | msgs/s | errors | p50 / p95 vs baseline |",
             "|---|---|---|---|---|---|---|---|---|"]
    for b, o in zip(base["levels"], ours["levels"]):
        for label, row in (("baseline", b), ("this assistant", o)):
            versus = (f"{ratio(o['p50_ms'], b['p50_ms'])}× / {ratio(o['p95_ms'], b['p95_ms'])}×"
                      if row is o else "")
            lines.append(f"| {o['level']} | {label} | {row['turns']} | {row['p50_ms']} | {row['p95_ms']} | "
                         f"{row['p99_ms']} | {row['msgs_per_s']} | {row['errors'] + row['empty_replies']} | {versus} |")
    lines += ["", "| | baseline | this assistant |", "|---|---|---|",
              f"| training (wall) | {base['training']['seconds']} s | {ours['training']['seconds']} s |",
              f"| training peak RSS | {base['training']['peak_rss_mb']} MB | "
              f"{ours['training']['peak_rss_mb']} MB |",
              f"| server start-up | {base['startup_s']} s | {ours['startup_s']} s |",
              f"| first turn after start | {base['first_turn_ms']} ms | {ours['first_turn_ms']} ms |"]
    for name in ("Rasa server", "action server"):
        mem = {r["name"]: next((m["peak_rss_mb"] for m in r["memory"] if m["name"] == name), None)
               for r in (base, ours)}
        cells = [f"{mem[r['name']]} MB" if mem[r["name"]] else "— (none)" for r in (base, ours)]
        lines.append(f"| {name} peak RSS | {cells[0]} | {cells[1]} |")
    done = sum(l["successful_conversations"] for l in ours["levels"])
    total = sum(l["conversations"] for l in ours["levels"])
    stored = ours.get("stored_enrollments") or {}
    lines += [f"| whole enrollments that succeeded (measured levels) | — | {done} of {total} |",
              f"| enrollments in the store (incl. 2 warm-up) | — | "
              f"{', '.join(f'{n} {status}' for status, n in stored.items()) or 'none'} |", "",
              "| target | limit | measured | verdict |", "|---|---|---|---|"]
    for v in result["verdicts"]:
        lines.append(f"| {v['target']} | {v['limit']} | {v['measured']}{v['unit']} | "
                     f"{'PASS' if v['pass'] else 'FAIL'} |")
    return "\n".join(lines) + "\n"


def chart(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    base, ours = result["baseline"]["levels"], result["assistant"]["levels"]
    labels = [l["level"] for l in ours]
    x = range(len(labels))
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    width = 0.14
    for i, (pct, shade) in enumerate((("p50_ms", 0.45), ("p95_ms", 0.7), ("p99_ms", 0.95))):
        left.bar([p - 0.375 + i * 0.15 for p in x], [l[pct] or 0 for l in base], width,
                 color=plt.cm.Greys(shade), label=f"baseline {pct[:3]}")
        left.bar([p + 0.075 + i * 0.15 for p in x], [l[pct] or 0 for l in ours], width,
                 color=plt.cm.Blues(shade), label=f"assistant {pct[:3]}")
    left.set_xticks(list(x), labels)
    left.set_yscale("log")
    left.set_ylabel("turn latency (ms, log scale)")
    left.set_title("Turn latency: baseline (grey) vs this assistant (blue)")
    left.legend(fontsize=7, ncol=2)
    right.bar([p - 0.2 for p in x], [l["msgs_per_s"] or 0 for l in base], 0.4, color="grey",
              label="baseline")
    right.bar([p + 0.2 for p in x], [l["msgs_per_s"] or 0 for l in ours], 0.4, color="tab:blue",
              label="this assistant")
    right.set_xticks(list(x), labels)
    right.set_ylabel("messages per second")
    right.set_title("Throughput")
    right.legend(fontsize=8)
    fig.suptitle(f"make bench, {result['when']}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_results(result: dict, name: str = "bench") -> str:
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    table = markdown(result)
    (RESULTS / f"{name}.md").write_text(table)
    chart(result, RESULTS / f"{name}.png")
    return table


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (models, logs)")
    parser.add_argument("--assistant-only", action="store_true",
                        help="tuning runs: measure only this assistant and compare it with the baseline of "
                             "the last full run (bench/results/bench.json)")
    parser.add_argument("--model", type=Path,
                        help="with --assistant-only: serve this trained model instead of training again")
    parser.add_argument("--config", type=Path,
                        help="with --assistant-only: train with this config file instead of config.yml")
    parser.add_argument("--name", default="bench",
                        help="results file name (bench/results/NAME.json/.md/.png); default bench")
    args = parser.parse_args(argv)
    if args.assistant_only and args.name == "bench":
        parser.error("--assistant-only needs --name, so it does not overwrite the full run's results")
    scratch = Path(tempfile.mkdtemp(prefix="rasa-bench-"))
    print(f"scratch folder: {scratch}", flush=True)
    started = time.monotonic()
    try:
        result = {
            "when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
            "targets": TARGETS,
            "environment": {k: v for k, v in os.environ.items()
                            if k in ("SANIC_WORKERS", "RASA_ENDPOINTS", "TF_INTRA_OP_PARALLELISM_THREADS",
                                     "TF_INTER_OP_PARALLELISM_THREADS")},
            "baseline": (json.loads((RESULTS / "bench.json").read_text())["baseline"] if args.assistant_only
                         else bench_baseline(scratch)),
            "assistant": bench_assistant(scratch, *((args.model, args.config) if args.assistant_only
                                                    else (None, None))),
        }
        result["verdicts"] = verdicts(result["baseline"], result["assistant"])
        result["bench_wall_s"] = round(time.monotonic() - started, 1)
        print(write_results(result, args.name))
        failed = [v["target"] for v in result["verdicts"] if not v["pass"]]
        print("PASS: every target met" if not failed else "FAIL: " + "; ".join(failed))
        print(f"results: {RESULTS}/{args.name}.json, .md, .png ({result['bench_wall_s']} s in all)")
        return 1 if failed else 0
    finally:
        if args.keep:
            print(f"kept {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
