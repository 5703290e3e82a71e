"""Processes of a benchmark run: peak resident memory of a server and its children (VmHWM from /proc),
and a timed, bounded run of a command (training) with its own peak memory."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

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
