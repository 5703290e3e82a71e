"""Shared fixtures: a real assistant (Rasa server + action server) for the end-to-end suites."""
from __future__ import annotations

import json
import os
import socket
import urllib.request
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
MODEL = ROOT / "models" / "assistant.tar.gz"
CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# The test clock: every assistant a test starts, and this process, count this day as today (TEST_TODAY),
# so dates in answers and the ages of the test members stay what the tests expect, whatever the year.
TEST_TODAY = "2026-11-28"
os.environ["TEST_TODAY"] = TEST_TODAY


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningAssistant:
    """An assistant started by the launcher's own code, on free ports, with its data in a temp folder."""

    data_dir: Path
    rasa_port: int = field(default_factory=free_port)
    action_port: int = field(default_factory=free_port)
    token: str = "test-api-token"
    # Its own settings (data folder, stores, ...), applied at every start: a restart in a later test must
    # not take whatever environment that test's process holds then (another assistant's fixture may
    # have restored the environment from before this one started).
    environment: dict[str, str] = field(default_factory=dict)
    _stack: Optional[ExitStack] = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.rasa_port}"

    def start(self) -> None:
        from bot.ops import launcher

        saved = dict(os.environ)
        os.environ.update(self.environment)
        try:
            self._stack = ExitStack()
            self._stack.enter_context(launcher.assistant_running(self.rasa_port, self.action_port,
                                                                 log_dir=self.data_dir))
        finally:
            os.environ.clear()
            os.environ.update(saved)

    def stop(self) -> None:
        if self._stack:
            self._stack.close()
            self._stack = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def say(self, sender: str, message: str, metadata: Optional[dict] = None) -> list[dict[str, Any]]:
        """Send a message through the REST channel; the bot's replies."""
        body: dict[str, Any] = {"sender": sender, "message": message}
        if metadata:
            body["metadata"] = metadata
        return self.request("POST", "/webhooks/rest/webhook", body)

    def texts(self, sender: str, message: str, metadata: Optional[dict] = None) -> list[str]:
        return [reply.get("text", "") for reply in self.say(sender, message, metadata)]

    def tracker(self, sender: str) -> dict[str, Any]:
        return self.request("GET", f"/conversations/{sender}/tracker")

    def api_headers(self) -> dict[str, str]:
        """What an internal caller sends to the HTTP API: a JWT signed with the API secret (never ?token=)."""
        from bot.rasa.api_token import authorization

        return authorization(self.token, "tests")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        """A call to the Rasa server; HTTP API paths (not /webhooks/) carry the JWT header."""
        data = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"}
        if not path.startswith("/webhooks/"):
            headers.update(self.api_headers())
        req = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(req, timeout=60) as response:
            return json.loads(response.read() or b"null")


@contextmanager
def assistant_started(data_dir: Path, **settings: str) -> Iterator[RunningAssistant]:
    """A RunningAssistant with its data in `data_dir`; `settings` are extra environment variables."""
    if not MODEL.exists():
        pytest.fail(f"No trained model at {MODEL}: run `make train` (make test trains it first).")
    saved = dict(os.environ)
    environment = {"DATA_DIR": str(data_dir), "RASA_API_TOKEN": "test-api-token", "TEST_TODAY": TEST_TODAY,
                   "DATABASE_URL": f"sqlite:///{data_dir / 'enrollment.db'}",
                   "TRACKER_DB": str(data_dir / "tracker.db"),
                   # its own, whatever an earlier test of this process left (bot.rasa.tracker_store sets it)
                   "INSIGHT_EVENTS_DB": str(data_dir / "insight-events.db"), **settings}
    os.environ.update(environment)
    assistant = RunningAssistant(data_dir=data_dir, environment=environment)
    try:
        assistant.start()
        yield assistant
    finally:
        assistant.stop()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="session")
def running_assistant(tmp_path_factory) -> RunningAssistant:
    with assistant_started(tmp_path_factory.mktemp("assistant-data")) as assistant:
        yield assistant


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium driven by Playwright (never `playwright install`); scripts/setup-browser.sh
    installs it."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the browser tests need the `playwright` package (pip); never `playwright install`")
    if not CHROMIUM.exists():
        pytest.fail("the browser tests need Debian's chromium: scripts/setup-browser.sh")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def axe_violations():
    """A check of a page with axe-core (web/package.json's devDependency) in the same browser: the WCAG 2.1
    A and AA rules it breaks, as (rule, impact, first elements, help). axe is evaluated through the
    DevTools protocol, which the page's Content-Security-Policy does not stop (and the page is not
    changed to allow it)."""
    if not AXE.exists():
        pytest.fail("the accessibility check needs axe-core: npm ci --prefix web")
    source = AXE.read_text(encoding="utf-8")

    def check(page) -> list:
        if not page.evaluate("typeof window.axe !== 'undefined'"):
            page.evaluate(source)
        result = page.evaluate(f"axe.run(document, {{runOnly: {{type: 'tag', values: {json.dumps(WCAG_AA)}}}}})")
        return [(v["id"], v["impact"], [node["target"] for node in v["nodes"]][:4], v["help"])
                for v in result["violations"]]

    return check


@pytest.fixture(scope="session")
def postgres_server():
    """The PostgreSQL named by TEST_POSTGRES_URL and an admin engine on it, for the suites that also run
    on PostgreSQL (store, console). Unset: those variants skip, saying why. Set but down: they fail."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from bot.core import settings

    url = settings.get("TEST_POSTGRES_URL")
    if not url:
        pytest.skip("TEST_POSTGRES_URL is not set, so the PostgreSQL variants do not run "
                    "(e.g. TEST_POSTGRES_URL=postgresql+psycopg2://postgres@127.0.0.1:5432/test)")
    admin = create_engine(url, future=True)
    try:
        with admin.connect():
            pass
    except OperationalError as error:
        pytest.fail(f"TEST_POSTGRES_URL is set but PostgreSQL does not answer: {error}", pytrace=False)
    yield url, admin
    admin.dispose()
