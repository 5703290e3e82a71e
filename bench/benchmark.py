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
   a fresh valid ID number each) that write to the enrollment store;
4. then the long-conversation curve (bench/long_conversation.py): ONE conversation of 300 turns with
   each bot (this assistant: plan questions), p50 per 50 turns and last / first.

Reports p50/p95/p99 turn latency, messages per second, peak resident memory (VmHWM) of every server
process and its children, peak memory and wall time of training; writes bench/results/bench.json,
bench.md and bench.png, prints the table, and says PASS/FAIL against the targets of issue 9.
Never part of `make test`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Optional

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
sys.path.insert(0, str(ROOT))

from bench.conversations import enrollment_conversation, free_port  # noqa: E402 - after the path is set
from bench.load import run_load  # noqa: E402
from bench.long_conversation import PLAN_QUESTIONS, run_long  # noqa: E402
from bench.processes import peak_memory, timed_run  # noqa: E402
from bench.report import RESULTS, TARGETS, verdicts, write_results  # noqa: E402

TRAIN_TIMEOUT_S = 1200          # each training; a hung training is killed
STARTUP_TIMEOUT_S = 300         # each server

BASELINE_SCRIPT = ["hello", "I am great", "bye"] * 5


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
        long = run_long(f"http://127.0.0.1:{port}/webhooks/rest/webhook", BASELINE_SCRIPT)
        memory = [peak_memory("Rasa server", process.pid)]
    return {"name": "baseline (rasa init starter)", "training": training, "startup_s": startup_s,
            "memory": memory, "long_conversation": long, **load}


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
            long = run_long(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", PLAN_QUESTIONS)
            memory = [peak_memory(s.name, s.process.pid) for s in services if s.process]
    finally:
        launcher.MODEL = saved_model
        os.environ.clear()
        os.environ.update(saved)
    return {"name": "this assistant", "training": training, "startup_s": startup_s, "memory": memory,
            "long_conversation": long, "stored_enrollments": count_enrollments(data_dir / "enrollment.db"), **load}


def count_enrollments(db: Path) -> dict:
    import sqlite3

    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT status, count(*) FROM enrollments GROUP BY status").fetchall()
    return dict(rows)


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
    parser.add_argument("--report", action="store_true",
                        help="measure nothing: judge bench/results/NAME.json again against today's targets "
                             "and rewrite its .md and .png")
    args = parser.parse_args(argv)
    if args.report:
        result = json.loads((RESULTS / f"{args.name}.json").read_text())
        result["targets"], result["verdicts"] = TARGETS, verdicts(result["baseline"], result["assistant"])
        print(write_results(result, args.name))
        return 0 if all(v["pass"] for v in result["verdicts"]) else 1
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
