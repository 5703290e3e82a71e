"""Driving the web chat page in a real browser the way a family does: tapping buttons, typing, reading.

Helpers for the browser tests (Playwright, Debian's chromium). Waiting happens in Python: the page's CSP
forbids the eval that Playwright's wait_for_function needs.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import List

from bot.core.settings import PROJECT_ROOT

SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots"
REPLY_TIMEOUT_MS = 90_000
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def bot_texts(page) -> List[str]:
    return [text.strip() for text in page.locator(".rw-response").all_inner_texts()]


def settle(page) -> None:
    """Waits until the widget has shown every reply it is holding back (it shows a turn's messages one
    by one, each after a typing delay) and nothing has changed for 1.5 s."""
    shown, quiet_checks = -1, 0
    for _ in range(REPLY_TIMEOUT_MS // 500):
        now = page.locator(".rw-response").count()
        typing = page.locator(".rw-typing-indication").count() > 0
        quiet_checks = quiet_checks + 1 if now == shown and not typing else 0
        if quiet_checks == 3:
            return
        shown = now
        page.wait_for_timeout(500)
    raise AssertionError("the chat never settled")


def wait_for_new_replies(page, before: int) -> List[str]:
    """The bot messages after the first `before`, once there is at least one and the chat has settled."""
    for _ in range(REPLY_TIMEOUT_MS // 200):
        if page.locator(".rw-response").count() > before:
            break
        page.wait_for_timeout(200)
    else:
        raise AssertionError(f"no reply after message {before}")
    settle(page)
    return bot_texts(page)[before:]


def quick_reply(page, title: str):
    return page.locator(".rw-reply").filter(has_text=re.compile(f"^{re.escape(title)}$")).last


@dataclass
class Chat:
    """One family's chat in one page, with a screenshot after each step (results/screenshots/<name>/)."""

    page: object
    name: str
    shots: Path = field(init=False)
    step: int = 0

    def __post_init__(self) -> None:
        self.shots = SCREENSHOTS / self.name
        self.shots.mkdir(parents=True, exist_ok=True)
        for old in self.shots.glob("*.png"):
            old.unlink()

    def shot(self, label: str) -> None:
        self.step += 1
        slug = re.sub(r"[^0-9A-Za-z]+", "-", label).strip("-").lower()[:40]
        self.page.screenshot(path=str(self.shots / f"{self.step:02d}-{slug}.png"))

    def tap(self, title: str, label: str = "") -> List[str]:
        """Taps the quick reply `title` of the last message; the replies that follow."""
        settle(self.page)
        before = self.page.locator(".rw-response").count()
        quick_reply(self.page, title).click()
        replies = wait_for_new_replies(self.page, before)
        self.shot(label or title)
        return replies

    def type(self, text: str, label: str = "") -> List[str]:
        """Types `text` and presses Enter; the replies that follow."""
        settle(self.page)
        before = self.page.locator(".rw-response").count()
        self.page.locator(".rw-new-message").fill(text)
        self.page.keyboard.press("Enter")
        replies = wait_for_new_replies(self.page, before)
        self.shot(label or text)
        return replies

    def last_step_label(self) -> str:
        labels = self.page.locator(".rw-response.enrollment-step").all_inner_texts()
        return labels[-1].strip() if labels else ""

    def reply_sizes(self) -> List[dict]:
        """The on-screen size of each quick reply button showing now."""
        return [box for box in (button.bounding_box() for button in self.page.locator(".rw-reply").all())
                if box]
