"""The insight page in a real browser (Debian's Chromium through Playwright): a supervisor logs in to
the console (`python -m bot.console`, its own process), follows "运营数据" and sees the funnel and the other
charts drawn; switching to English shows the same figures in English; the CSV link downloads the figures."""
from __future__ import annotations

import os
from datetime import datetime, timezone

import pytest
from sqlalchemy import update

from bot.core.settings import PROJECT_ROOT
from bot.store import create_handoff_ticket, create_staff, dispose_engines, engine_for, upgrade_schema
from bot.store.models import HandoffTicket
from tests.console.console_support import console_process
from insight_events import ENROLLED, HANDED_OVER, PAUSED_AT, STOPPED, keep_events
from test_decision_browser import free_port

pytestmark = pytest.mark.browser
PASSWORD = "a long supervisor password"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "console"


def test_a_supervisor_reads_the_insight_charts_in_the_browser(browser, tmp_path, monkeypatch):
    url_db = f"sqlite:///{tmp_path / 'enrollment.db'}"
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": url_db}
    monkeypatch.setenv("DATA_DIR", env["DATA_DIR"])
    try:
        upgrade_schema(url_db)
        engine = engine_for(url_db)
        create_staff(engine, "sam", PASSWORD, display_name="Sam Li", role="supervisor")
        keep_events(engine, ENROLLED + STOPPED + HANDED_OVER)
        ticket = create_handoff_ticket(engine, conversation_id="web:person", channel="webchat", language="zh",
                                       reason="user_request", summary={})
        with engine.begin() as connection:
            connection.execute(update(HandoffTicket).where(HandoffTicket.id == ticket.id).values(
                created_at=datetime.fromtimestamp(PAUSED_AT - 0.5, timezone.utc)))
        port = free_port()
        env.update(RASA_URL=f"http://127.0.0.1:{free_port()}", RASA_API_TOKEN="unused")
        with console_process(env, port, tmp_path / "console.log") as base:
            context = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 1400},
                                          accept_downloads=True)
            page = context.new_page()
            page.goto(f"{base}/")
            page.fill("input[name=username]", "sam")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.click("text=运营数据")
            page.wait_for_selector("svg[aria-label='报名漏斗']")
            funnel = page.locator("svg[aria-label='报名漏斗']")
            assert funnel.locator("rect").count() == 8
            box = funnel.bounding_box()
            assert box["width"] > 300 and box["height"] > 150  # drawn, not an empty element
            widths = [float(w) for w in funnel.locator("rect").evaluate_all("rs => rs.map(r => r.getBBox().width)")]
            assert widths[0] == max(widths) and widths[-1] < widths[0]  # started ≥ … ≥ enrolled
            assert page.locator("svg").count() == 4
            assert "客服首次回复用时中位数" in page.content()
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "insight-zh.png"), full_page=True)

            page.click("header .languages a[lang=en]")
            page.wait_for_selector("svg[aria-label='Enrollment funnel']")
            assert "Asked for a person" in page.content()
            page.screenshot(path=str(SCREENSHOTS / "insight-en.png"), full_page=True)

            with page.expect_download() as download:
                page.click("text=Download every figure (CSV)")
            text = open(download.value.path(), encoding="utf-8-sig").read()
            assert "all,all,funnel,enrolled,1" in text and "all,all,handoff,user_request,1" in text
    finally:
        dispose_engines()
