"""The decision form in a real browser: a staff member logs in to the console (`python -m bot.console`,
its own process), opens the manual-review ticket, follows "See the case and decide", chooses a reason
and writes a note; the store shows the decision and the family's notice is queued. The Rasa server is
not needed here (the ticket page says the transcript cannot be shown); the notifier's side is proven in
tests/console/test_decisions.py and tests/store/test_notifier.py."""
from __future__ import annotations

import os
import socket
from datetime import date

import pytest

from bot.core.identity import check_character
from bot.core.settings import PROJECT_ROOT
from bot.store import (EnrollmentSubmission, create_handoff_ticket, create_staff, dispose_engines, engine_for,
                       get_enrollment, submit_enrollment, upgrade_schema)
from bot.store.decisions import get_decision
from bot.store.outbox import list_notices
from tests.console.console_support import console_process

pytestmark = pytest.mark.browser
PASSWORD = "a long staff password"
SCREENSHOTS = PROJECT_ROOT / "test-output" / "console"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_staff_member_decides_a_manual_review_in_the_browser(browser, tmp_path, monkeypatch):
    url_db = f"sqlite:///{tmp_path / 'enrollment.db'}"
    env = {**os.environ, "DATA_DIR": str(tmp_path / "data"), "DATABASE_URL": url_db}
    monkeypatch.setenv("DATA_DIR", env["DATA_DIR"])  # the same generated keys here and in the console
    try:
        upgrade_schema(url_db)
        engine = engine_for(url_db)
        create_staff(engine, "mei", PASSWORD, display_name="Mei Chen")
        first_17 = "110105" + "19560315" + "123"
        number = submit_enrollment(engine, EnrollmentSubmission(
            conversation_id="web:tab-9", channel="webchat", sender_id="web:tab-9", language="zh",
            relationship="mother", member_name="王秀英", id_number=first_17 + check_character(first_17),
            phone=None, birth_date=date(1956, 3, 15), sex="female", outcome="manual_review",
            outcome_reasons=["H5_yes"], consents=(), enrolled_on=date(2026, 11, 30),
            screening_answers={"H1": "no", "H2": "no", "H3": "no", "H4": "no", "H5": "yes", "H6": "no"},
        )).enrollment_number
        ticket = create_handoff_ticket(engine, conversation_id="web:tab-9", channel="webchat", language="zh",
                                       reason="manual_review", summary={"relationship": "mother"})
        port = free_port()
        env.update(RASA_URL=f"http://127.0.0.1:{free_port()}", RASA_API_TOKEN="unused")
        with console_process(env, port, tmp_path / "console.log") as base:
            page = browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900}).new_page()
            page.goto(f"{base}/tickets/{ticket.id}")
            page.fill("input[name=username]", "mei")
            page.fill("input[name=password]", PASSWORD)
            page.click("button[type=submit]")
            page.click("text=查看并审核")
            assert "H5 · 近6个月有可疑症状" in page.content()
            page.check("input[value='decline:suspected_tumour']")
            page.fill("#decision-note", "近期便血，建议复查后再申请")
            page.click("text=记录审核结果")
            page.wait_for_selector("text=已记录审核结果")
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "decision-zh.png"), full_page=True)
            decision = get_decision(engine, number)
            assert (decision.decision, decision.reason, decision.staff_username) == ("decline", "suspected_tumour",
                                                                                    "mei")
            assert get_enrollment(engine, number).status == "declined"
            assert [n.kind for n in list_notices(engine, enrollment_number=number)] == ["decision"]
    finally:
        dispose_engines()
