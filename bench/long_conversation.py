"""The long-conversation curve: ONE conversation of 300 turns through the REST webhook, and the p50 turn
latency of each 50 turns, so a per-turn cost that grows with the conversation's length shows.

This assistant gets plan questions (FAQ, no form), Chinese and English in turn; the starter bot its
hello / great / bye. `make bench` runs the curve against both bots (bench/benchmark.py); on its own,
`python -m bench.long_conversation` starts this assistant with the launcher on free ports (a temporary
DATA_DIR, models/assistant.tar.gz or --model) and prints the curve, or drives a running one (--url).
The ratio reported is p50 over the last 50 turns / p50 over the first 50 (issue 19: ≤ 1.2).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.conversations import free_port, percentile_ms, post_message  # noqa: E402 - after the path

TURNS = 300
WINDOW = 50
TURN_TIMEOUT_S = 60
PLAN_QUESTIONS = [
    "这个计划保哪些病", "what does the plan cover?", "等待期多久", "is there a waiting period?",
    "确诊了能领多少", "how much is paid out?", "谁可以参加", "who can join?",
    "从哪个账户扣钱", "how do I pay?", "怎么退出", "how do I leave the plan?",
]


def curve(latencies_s: list[float], window: int = WINDOW) -> dict:
    """p50 per `window` turns, and the last window's p50 over the first's."""
    windows = [{"turns": f"{start + 1}–{min(start + window, len(latencies_s))}",
                "p50_ms": percentile_ms(latencies_s[start:start + window], 50)}
               for start in range(0, len(latencies_s), window)]
    first, last = (windows[0]["p50_ms"], windows[-1]["p50_ms"]) if windows else (None, None)
    return {"windows": windows, "last_over_first": round(last / first, 2) if first and last else None}


async def drive_long(url: str, messages: list[str], turns: int = TURNS, sender: Optional[str] = None) -> dict:
    """One sender, `turns` turns one after the other (messages cycled); latency of every turn."""
    import aiohttp

    sender = sender or f"bench-long-{uuid.uuid4().hex[:8]}"
    latencies: list[float] = []
    errors: list[str] = []
    empty = 0
    async with aiohttp.ClientSession() as session:
        for turn in range(turns):
            started = time.perf_counter()
            try:
                status, body, _ = await post_message(session, url, sender, messages[turn % len(messages)],
                                                     timeout_s=TURN_TIMEOUT_S)
                if status != 200:
                    raise RuntimeError(f"HTTP {status}")
            except Exception as problem:  # noqa: BLE001 - counted; the curve stops at the first failure
                errors.append(f"turn {turn + 1}: {type(problem).__name__}: {problem}"[:200])
                break
            latencies.append(time.perf_counter() - started)
            empty += not body
    return {"sender": sender, "turns": len(latencies), "errors": errors, "empty_replies": empty,
            "load_average_1min": round(os.getloadavg()[0], 2), **curve(latencies)}


def run_long(url: str, messages: list[str], turns: int = TURNS, sender: Optional[str] = None) -> dict:
    print(f"  one conversation of {turns} turns: {url}", flush=True)
    result = asyncio.run(drive_long(url, messages, turns, sender))
    print("    " + ", ".join(f"{w['turns']}: {w['p50_ms']} ms" for w in result["windows"])
          + f"; last / first {result['last_over_first']}×", flush=True)
    return result


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--url", help="drive this running REST webhook instead of starting the assistant")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "assistant.tar.gz")
    parser.add_argument("--turns", type=int, default=TURNS)
    parser.add_argument("--json", type=Path, help="also write the result here")
    parser.add_argument("--sender", help="with --url: go on with this conversation (profiling a late turn)")
    parser.add_argument("--serve", action="store_true",
                        help="start the assistant and keep it running (for profiling with --url)")
    args = parser.parse_args(argv)
    if args.url:
        result = run_long(args.url, PLAN_QUESTIONS, args.turns, args.sender)
    else:
        result = serve_and_run(args.model, 0 if args.serve else args.turns, keep_serving=args.serve)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 1 if result["errors"] else 0


def serve_and_run(model: Path, turns: int, keep_serving: bool = False) -> dict:
    data_dir = Path(tempfile.mkdtemp(prefix="rasa-long-"))
    saved = dict(os.environ)
    os.environ.update({"DATA_DIR": str(data_dir), "RASA_API_TOKEN": "bench-api-token",
                       "DATABASE_URL": f"sqlite:///{data_dir / 'enrollment.db'}",
                       "TRACKER_DB": str(data_dir / "tracker.db"), "RASA_TELEMETRY_ENABLED": "false",
                       "SQLALCHEMY_SILENCE_UBER_WARNING": "1"})
    from bot.ops import launcher

    def on_signal(signum, frame):  # noqa: ARG001 - a SIGTERM stops the servers too (the launcher's finally)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    saved_model, launcher.MODEL = launcher.MODEL, model
    launcher.STARTUP_TIMEOUT_S = max(launcher.STARTUP_TIMEOUT_S, 900)  # a busy machine starts slowly
    try:
        rasa_port = free_port()
        with launcher.assistant_running(rasa_port, free_port(), log_dir=data_dir):
            print(f"  assistant on port {rasa_port}, data in {data_dir}", flush=True)
            while keep_serving:
                time.sleep(60)
            return run_long(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", PLAN_QUESTIONS, turns)
    finally:
        launcher.MODEL = saved_model
        os.environ.clear()
        os.environ.update(saved)


if __name__ == "__main__":
    sys.exit(main())
