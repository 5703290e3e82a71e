"""`python -m bench.scale`: the command line, and the run from start to verdict (see the package)."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import signal
import sys
import tarfile
import time
import uuid
from datetime import datetime, timezone
from typing import Optional

from bench.scale import RESULTS
from bench.scale.api_auth import api_auth_checks
from bench.scale.cluster import (
    STARTUP_TIMEOUT_S, Cluster, check_models_loaded, scratch_folder, snapshot_model, start, start_cluster, warm_up)
from bench.scale.enrollers import Wave, new_conversations, run_wave
from bench.scale.families import FakeWeChatAPI
from bench.scale.figures import summarize
from bench.scale.report import markdown, print_row
from bench.scale.router import nginx_version
from bench.scale.staff import staff_replies, start_console
from bench.scale.tracker_check import rasa_sender, read_trackers, stored_enrollments
from bench.scale.verdict import checks, staff_checks
from bot.ops import launcher


def parse_args(argv: Optional[list[str]]) -> argparse.Namespace:
    import bench.scale

    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=bench.scale.__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--users", type=int, default=200, help="enrollers of the main wave (default 200)")
    parser.add_argument("--kill-users", type=int, default=40,
                        help="enrollers of each kill wave, SIGTERM and SIGKILL (default 40)")
    parser.add_argument("--think", type=float, nargs=2, default=(8.0, 16.0), metavar=("MIN", "MAX"),
                        help="think time between turns in the main wave, seconds (default 8 16)")
    parser.add_argument("--kill-think", type=float, nargs=2, default=(1.0, 3.0), metavar=("MIN", "MAX"),
                        help="think time in the kill wave (default 1 3)")
    parser.add_argument("--kill-after", type=float, default=0.3,
                        help="share of the kill wave's turns done before the kill (default 0.3)")
    parser.add_argument("--staff-webchat", type=int, default=4,
                        help="handed-over web chat families staff reply to during the main wave (default 4)")
    parser.add_argument("--staff-wechat", type=int, default=4,
                        help="handed-over WeChat families staff reply to during the main wave (default 4)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder (logs, nginx.conf)")
    parser.add_argument("--name", default="scale", help="results file name (default scale)")
    return parser.parse_args(argv)


def main(argv: Optional[list[str]] = None) -> int:
    args = parse_args(argv)
    begun = time.monotonic()
    scratch = scratch_folder()
    print(f"scratch folder: {scratch}", flush=True)
    try:
        launcher.MODEL = snapshot_model(launcher.MODEL, scratch)
    except (OSError, EOFError, tarfile.TarError) as problem:
        print(f"no usable model at {launcher.MODEL} ({problem}): run `make train` (make scale-test does)",
              file=sys.stderr)
        return 2
    cluster: Optional[Cluster] = None
    ok = False
    wechat = FakeWeChatAPI()
    try:
        cluster = start_cluster(scratch, extra_env=wechat.environment())
        console = start_console(cluster, cluster.rasa_ports[-1])
        startup_s = round(time.monotonic() - begun, 1)
        print(f"all up after {startup_s} s: router {cluster.router}, Rasa {cluster.rasa_ports}, console "
              f"{console[0]} (its Rasa calls to :{cluster.rasa_ports[-1]})", flush=True)
        asyncio.run(warm_up(cluster.rasa_ports, cluster.rest_headers))
        result = run_waves(cluster, args, console, wechat)
        result.update(startup_s=startup_s, scale_test_wall_s=round(time.monotonic() - begun, 1))
        write_results(result, args.name)
        ok = not result["failed"]
        return 0 if ok else 1
    except (launcher.LaunchError, RuntimeError) as problem:
        print(f"error: {problem} (logs: {scratch / 'logs'})", file=sys.stderr)
        return 1
    finally:
        launcher.stop(cluster.children if cluster else [])
        wechat.close()
        from bot.store import dispose_engines

        dispose_engines()
        if args.keep or not ok:
            print(f"kept {scratch} (logs, nginx.conf)")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


def run_waves(cluster: Cluster, args: argparse.Namespace, console: tuple[str, str], wechat: FakeWeChatAPI
              ) -> dict:
    """The main wave with staff replying to handed-over families meanwhile, the SIGTERM wave, then the
    replica started again (with the web chat's Redis client manager off: the negative control) and the
    SIGKILL wave; each read back and summed up; the checks."""
    tag = uuid.uuid4().hex[:6]
    main_wave = Wave("normal", new_conversations(0, args.users, tag), tuple(args.think),
                     ramp_s=args.think[1], headers=cluster.rest_headers)
    staff = {"during the main wave": asyncio.run(with_staff(cluster, main_wave, args, console, wechat, tag))}
    print(f"  staff: {staff['during the main wave']}", flush=True)
    rows = [read_back(cluster, main_wave)]
    waves = [main_wave]
    victim = cluster.replicas[-1][0]
    for n, sig in enumerate(("TERM", "KILL")):
        if sig == "KILL":
            restart(cluster, victim, {"WEBCHAT_CLIENT_MANAGER": "memory"})
            staff["without the client manager"] = negative_control(cluster, console, wechat, tag,
                                                                   staff["during the main wave"])
        wave = kill_wave(cluster, args, tag, args.users + n * args.kill_users, sig, victim, args.seed + 1 + n)
        rows.append(read_back(cluster, wave))
        waves.append(wave)
    problems = strangers_and_crashes(cluster, tuple(waves), victim)
    auth = asyncio.run(api_auth_checks(cluster.public, cluster.router, cluster.env["RASA_API_TOKEN"],
                                       main_wave.conversations[0].sender, main_wave.conversations[1].sender))
    return {"when": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": f"{os.cpu_count()} CPUs, {platform.machine()}, Python {platform.python_version()}",
            "setup": setup_text(cluster, args), "phases": rows, "api_auth": auth, "staff": staff,
            "staff_setup": {"console_reaches": f"127.0.0.1:{cluster.rasa_ports[-1]}",
                            "families_on": f"127.0.0.1:{cluster.rasa_ports[0]}"},
            "failed": checks(rows, auth, problems + staff_checks(staff, cluster.rasa_ports)),
            "parameters": {k: v for k, v in vars(args).items() if k not in ("keep", "name")}}


def kill_wave(cluster: Cluster, args: argparse.Namespace, tag: str, first: int, sig: str, victim,
              seed: int) -> Wave:
    """Enrollers at a faster pace; once a share of their turns is done, SIG`sig` to the victim."""
    wave = Wave(f"kill ({sig.lower()})", new_conversations(first, args.kill_users, tag), tuple(args.kill_think),
                ramp_s=args.kill_think[1], replicas="2 → 1", headers=cluster.rest_headers)
    asyncio.run(run_wave(f"{cluster.router}/webhooks/rest/webhook", wave, seed, victim=victim,
                         kill_after=args.kill_after, kill_signal=getattr(signal, f"SIG{sig}")))
    return wave


async def with_staff(cluster: Cluster, wave: Wave, args: argparse.Namespace, console: tuple[str, str],
                     wechat: FakeWeChatAPI, tag: str) -> dict:
    """The main wave; once every enroller has started, staff reply to handed-over families meanwhile."""
    async def staff() -> dict:
        await asyncio.sleep(wave.ramp_s + 5)
        try:
            return await staff_replies(cluster, console, wechat, cluster.rasa_ports[0], args.staff_webchat,
                                       args.staff_wechat, tag)
        except Exception as problem:  # noqa: BLE001 - reported as the check that failed
            return {"error": f"{type(problem).__name__}: {problem}"[:300]}

    replies = asyncio.create_task(staff())
    await run_wave(f"{cluster.router}/webhooks/rest/webhook", wave, args.seed)
    return await replies


def negative_control(cluster: Cluster, console: tuple[str, str], wechat: FakeWeChatAPI, tag: str,
                     positive: dict) -> dict:
    """The same delivery check, one web chat family, with the console's replica emitting through its
    own memory only: the reply must reach nobody. It is looked for five times as long as the slowest
    reply that did arrive took (at least 10 s), so a slow machine cannot pass it by being slow."""
    slowest_ms = (positive.get("web chat") or {}).get("delivery_ms_max") or 0
    wait_s = max(10.0, 5 * slowest_ms / 1000)
    try:
        result = asyncio.run(staff_replies(cluster, console, wechat, cluster.rasa_ports[0], 1, 0, tag + "n",
                                           wait_s=wait_s))
    except Exception as problem:  # noqa: BLE001 - reported as the check that failed
        result = {"error": f"{type(problem).__name__}: {problem}"[:300]}
    print(f"  staff, the console's replica without the client manager: {result}", flush=True)
    return result


def restart(cluster: Cluster, victim, changed: Optional[dict] = None) -> None:
    """The replica that got SIGTERM, started again (as Kubernetes restarts a pod) and serving a model;
    `changed`: settings it gets this time."""
    env = next(env for service, env in cluster.replicas if service is victim)
    start(victim, {**env, **(changed or {})}, cluster.logs)
    launcher.wait_until_ready([victim], STARTUP_TIMEOUT_S)
    check_models_loaded(cluster.rasa_ports, cluster.env["RASA_API_TOKEN"])


def read_back(cluster: Cluster, wave: Wave) -> dict:
    trackers = asyncio.run(read_trackers(cluster.router, cluster.env["RASA_API_TOKEN"], wave.conversations))
    row = summarize(wave, trackers, stored_enrollments(cluster.database_url))
    print_row(row)
    return row


def strangers_and_crashes(cluster: Cluster, waves: tuple, victim) -> list[str]:
    """Enrollments of senders the test never used; children (but the victim) that stopped."""
    problems = []
    everyone = {rasa_sender(c.sender) for wave in waves for c in wave.conversations}
    strangers = {s: v for s, v in stored_enrollments(cluster.database_url).items() if s not in everyone}
    if strangers:
        problems.append(f"enrollments from senders the test never used: {strangers}")
    crashed = [c for c in cluster.children if c is not victim and c.process.poll() is not None]
    if crashed:
        problems.append(f"stopped during the run: {', '.join(c.name for c in crashed)}")
    return problems


def setup_text(cluster: Cluster, args: argparse.Namespace) -> str:
    return (f"nginx {nginx_version()} router (sticky by sender) → {len(cluster.rasa_ports)} Rasa replicas "
            f"(endpoints.production.yml: PostgreSQL tracker store, Redis lock store) → nginx round "
            f"robin → {len(cluster.rasa_ports)} action servers → PostgreSQL enrollment store; REST "
            f"channel with X-Sender-Id, think time {args.think[0]:g}-{args.think[1]:g} s (main) and "
            f"{args.kill_think[0]:g}-{args.kill_think[1]:g} s (kill waves); turn latency = one POST "
            "through the router until its replies. During the main wave, handed-over web chat (socket.io "
            "through the router's public port) and WeChat families (signed pushes; a fake WeChat API records "
            "what is sent) on replica 1, and a staff member claiming and replying through the support "
            "console (its own process, its Rasa calls straight to replica 2).")


def write_results(result: dict, name: str) -> None:
    table = markdown(result)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    (RESULTS / f"{name}.md").write_text(table)
    print()
    print(table)
    print(f"results: {RESULTS}/{name}.json, .md")
