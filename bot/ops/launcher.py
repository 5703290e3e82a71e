"""`make run`: start the action server and the Rasa server, wait until both answer, stop both on Ctrl-C.

Everything has a working default (see bot/core/settings.py): conversations are kept in a SQLite file under
DATA_DIR, so stopping and starting again loses nothing, and the HTTP API token is generated on first run.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

from bot.core import settings
from bot.rasa.api_token import api_token

log = logging.getLogger("launcher")
MODEL = settings.PROJECT_ROOT / "models" / "assistant.tar.gz"
CHILD_UMASK = 0o077
"""Files the services create (SQLite databases and their WAL files, logs) are readable by their owner only."""
STARTUP_TIMEOUT_S = 240


class LaunchError(RuntimeError):
    """A problem the person starting the assistant can fix; the message says how."""


@dataclass
class Service:
    name: str
    command: list[str]
    health_url: Optional[str]  # None: serves no HTTP (the notifier); ready once started
    process: Optional[subprocess.Popen] = None


def ensure_port_free(port: int, setting: str) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("0.0.0.0", port))
        except OSError:
            raise LaunchError(
                f"Port {port} is already in use. Stop whatever is listening there, "
                f"or choose another port with {setting}=<port> (e.g. `{setting}={port + 100} make run`)."
            ) from None


def child_environment(rasa_port: int, action_port: int, console_port: Optional[int] = None
                      ) -> dict[str, str]:
    """The variables endpoints.yml, credentials.yml and the console refer to, defaults filled in."""
    env = dict(os.environ)
    env.update({"RASA_PORT": str(rasa_port), "ACTION_PORT": str(action_port)})
    if console_port is not None:
        env["CONSOLE_PORT"] = str(console_port)
    env.setdefault("ACTION_ENDPOINT_URL", settings.get("ACTION_ENDPOINT_URL")
                   or f"http://localhost:{action_port}/webhook")
    env["TRACKER_DB"] = settings.tracker_db()
    env["INSIGHT_EVENTS_DB"] = settings.insight_events_db()
    env["ACTION_SERVER_SECRET"] = settings.get("ACTION_SERVER_SECRET")
    env.setdefault("SANIC_HOST", settings.get("ACTION_HOST"))  # rasa-sdk's listening address
    env["DATA_DIR"] = str(settings.data_dir())
    env["RASA_API_TOKEN"] = api_token()
    # Rasa loads the project's own components (tokenizer, response generator) by module path.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(settings.PROJECT_ROOT), env.get("PYTHONPATH")]))
    env.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    return env


def services(rasa_port: int, action_port: int, console_port: Optional[int] = None,
             notifier: bool = False) -> list[Service]:
    """The children to start. No secret is on a command line (`ps` shows those to every user): the
    Rasa server takes its API secret from RASA_API_TOKEN in its environment (bot.rasa.server)."""
    bin_dir = Path(sys.executable).parent
    rasa = str(bin_dir / "rasa")
    console = [] if console_port is None else [
        Service("support console", [sys.executable, "-m", "bot.console"],
                f"http://localhost:{console_port}/health"),
    ]
    if notifier:
        console.append(Service("notifier", [sys.executable, "-m", "bot", "notify"], None))
        console.append(Service("insight consumer", [sys.executable, "-m", "bot", "insight"], None))
    return [*console,
        Service(
            "action server",
            [rasa, "run", "actions", "--actions", "actions", "--port", str(action_port)],
            f"http://localhost:{action_port}/health",
        ),
        Service(
            "Rasa server",
            [sys.executable, "-m", "bot.rasa.server", "run", "--enable-api",
             "--port", str(rasa_port), "--model", str(MODEL), "--endpoints", settings.get("RASA_ENDPOINTS"),
             "--credentials", settings.get("RASA_CREDENTIALS"),
             *(["--cors", *settings.get("RASA_CORS").split()] if settings.get("RASA_CORS") else [])],
            f"http://localhost:{rasa_port}/",
        ),
    ]


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status < 500
    except (urllib.error.URLError, OSError):
        return False


def wait_until_ready(started: list[Service], timeout_s: Optional[float] = None) -> None:
    timeout_s = STARTUP_TIMEOUT_S if timeout_s is None else timeout_s
    deadline = time.monotonic() + timeout_s
    pending = list(started)
    while pending:
        for service in list(pending):
            if service.process and service.process.poll() is not None:
                raise LaunchError(f"The {service.name} stopped while starting (exit code "
                                  f"{service.process.returncode}); its log is above.")
            if service.health_url is None or answers(service.health_url):
                log.info("%s is up%s", service.name, f" at {service.health_url}" if service.health_url else "")
                pending.remove(service)
        if time.monotonic() > deadline:
            raise LaunchError(f"Timed out after {timeout_s:.0f}s waiting for "
                              + ", ".join(s.name for s in pending))
        time.sleep(1)


def stop(started: list[Service]) -> None:
    for service in reversed(started):
        if service.process and service.process.poll() is None:
            os.killpg(service.process.pid, signal.SIGTERM)
    for service in reversed(started):
        if not service.process:
            continue
        try:
            service.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(service.process.pid, signal.SIGKILL)
            service.process.wait()


def log_file(service: Service, log_dir: Path) -> Path:
    return log_dir / f"{service.name.replace(' ', '-')}.log"


def _private_log(path: Path):
    """The log file opened for appending, readable by its owner only (0600) even if it existed before."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.fchmod(descriptor, 0o600)
    return os.fdopen(descriptor, "ab")


def start(service: Service, env: dict[str, str], log_dir: Optional[Path] = None) -> Service:
    """Start `service` as a child in a session of its own (so stop() can end its whole group), with a
    umask that keeps what it creates private; its output goes to log_dir/<name>.log, or to this terminal
    without a log_dir."""
    output = _private_log(log_file(service, log_dir)) if log_dir is not None else None
    try:
        service.process = subprocess.Popen(service.command, env=env, cwd=settings.PROJECT_ROOT,
                                           start_new_session=True, stdout=output, stderr=output,
                                           umask=CHILD_UMASK)
    finally:
        if output is not None:
            output.close()  # the child has its own copy
    return service


def upgrade_store() -> None:
    from bot.store.migrations import upgrade_schema

    upgrade_schema(settings.database_url())


def banner(rasa_port: int, console_port: int, token_file: Path) -> str:
    return f"""
The assistant is running.
  Web chat:      http://localhost:{rasa_port}/webhooks/webchat/
  Chat (REST):   curl -s -XPOST localhost:{rasa_port}/webhooks/rest/webhook \\
                   -H 'Content-Type: application/json' -d '{{"sender": "me", "message": "你好"}}'
  Support console: http://localhost:{console_port}/
                 first staff account: .venv/bin/python -m bot staff create <username>
  HTTP API:      http://localhost:{rasa_port}/  (header Authorization: Bearer <JWT signed with the
                 secret in {token_file} or RASA_API_TOKEN: bot.rasa.api_token.service_token)
  Press Ctrl-C to stop everything.
"""


@contextmanager
def assistant_running(rasa_port: int, action_port: int, *, console_port: Optional[int] = None,
                      log_dir: Optional[Path] = None, notifier: bool = False) -> Iterator[list[Service]]:
    """The action server, the Rasa server and (with `console_port`) the support console, started,
    answering, and stopped again on exit.

    Children inherit the environment (settings included); with `log_dir` their output goes to files
    there instead of this terminal (the tests use that).
    """
    upgrade_store()
    env = child_environment(rasa_port, action_port, console_port)
    started: list[Service] = []
    try:
        for service in services(rasa_port, action_port, console_port, notifier):
            log.info("starting the %s", service.name)
            started.append(start(service, env, log_dir))
        wait_until_ready(started)
        yield started
    finally:
        stop(started)


def run() -> int:
    rasa_port, action_port = settings.port("RASA_PORT"), settings.port("ACTION_PORT")
    console_port = settings.port("CONSOLE_PORT")
    for port, setting in ((rasa_port, "RASA_PORT"), (action_port, "ACTION_PORT"), (console_port, "CONSOLE_PORT")):
        ensure_port_free(port, setting)
    if not MODEL.exists():
        raise LaunchError(f"No trained model at {MODEL}: run `make run`, which trains it first.")

    def on_signal(signum, frame):  # noqa: ARG001 - signal handler signature
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        with assistant_running(rasa_port, action_port, console_port=console_port, notifier=True) as started:
            print(banner(rasa_port, console_port, settings.data_dir() / "rasa-api-token"), flush=True)
            while all(s.process and s.process.poll() is None for s in started):
                time.sleep(1)
            crashed = [s.name for s in started if s.process and s.process.poll() is not None]
            raise LaunchError(f"The {', '.join(crashed)} stopped unexpectedly; its log is above.")
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0


def main(argv: Optional[list[str]] = None) -> int:
    argparse.ArgumentParser(description=__doc__).parse_args(argv)
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(name)s %(message)s")
    try:
        return run()
    except (LaunchError, settings.SettingError) as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
