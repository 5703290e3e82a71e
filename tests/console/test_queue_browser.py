"""The console on a shift, in a real browser: the queue's filters, search and phone layout, and axe-core's
WCAG 2.1 AA check on every console page (issue 21).

The console runs as `python -m bot.console` over its own store; the Rasa server is not needed (ticket
pages then say the transcript cannot be shown). Screenshots go to results/screenshots/console/.
"""
from __future__ import annotations

import os
import socket
from datetime import date, timedelta
from typing import Iterator

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.core.identity import check_character
from bot.core.settings import PROJECT_ROOT
from bot.store import (EnrollmentSubmission, claim_ticket, create_handoff_ticket, create_staff, dispose_engines,
                       engine_for, submit_enrollment, upgrade_schema)
from bot.store.models import HandoffTicket, utcnow
from tests.console.console_support import console_process

pytestmark = pytest.mark.browser
PASSWORD = "a long staff password"
SCREENSHOTS = PROJECT_ROOT / "results" / "screenshots" / "console"
PHONE = {"width": 390, "height": 844}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def make_older(engine, ticket_id: int, minutes: int) -> None:
    with Session(engine) as session, session.begin():
        session.execute(update(HandoffTicket).where(HandoffTicket.id == ticket_id)
                        .values(created_at=utcnow() - timedelta(minutes=minutes)))


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[dict]:
    """A console with a supervisor and four waiting conversations of different kinds."""
    tmp = tmp_path_factory.mktemp("console-queue")
    url_db = f"sqlite:///{tmp / 'enrollment.db'}"
    env = {**os.environ, "DATA_DIR": str(tmp / "data"), "DATABASE_URL": url_db}
    saved = os.environ.get("DATA_DIR")
    os.environ["DATA_DIR"] = env["DATA_DIR"]  # the same generated keys here and in the console
    upgrade_schema(url_db)
    engine = engine_for(url_db)
    lin = create_staff(engine, "lin", PASSWORD, display_name="Lin", role="supervisor")
    first_17 = "110105" + "19560315" + "124"
    number = submit_enrollment(engine, EnrollmentSubmission(
        conversation_id="web:tab-1", channel="webchat", sender_id="web:tab-1", language="zh",
        relationship="mother", member_name="王秀英", id_number=first_17 + check_character(first_17),
        phone=None, birth_date=date(1956, 3, 15), sex="female", outcome="manual_review",
        outcome_reasons=["H5_yes"], consents=(), enrolled_on=date(2026, 11, 28),
        screening_answers={"H1": "no", "H2": "no", "H3": "no", "H4": "no", "H5": "yes", "H6": "no"},
    )).enrollment_number
    tickets = {
        "review": create_handoff_ticket(engine, conversation_id="web:tab-1", channel="webchat", language="zh",
                                        reason="manual_review",
                                        summary={"member_name": "王＊英", "relationship": "mother",
                                                 "enrollment_number": number}),
        "wechat": create_handoff_ticket(engine, conversation_id="wx:o1", channel="wechat", language="zh",
                                        reason="user_request", summary={"relationship": "father"}),
        "english": create_handoff_ticket(engine, conversation_id="web:tab-2", channel="webchat", language="en",
                                         reason="misunderstood", summary={"member_name": "G**** H*****"}),
        "rest": create_handoff_ticket(engine, conversation_id="rest:x", channel="rest", language="zh",
                                      reason="user_request", summary={"phone": "139****5678"}),
    }
    make_older(engine, tickets["wechat"].id, 15)
    held = create_handoff_ticket(engine, conversation_id="web:tab-3", channel="webchat", language="en",
                                 reason="user_request", summary={})
    claim_ticket(engine, held.id, lin.id)  # taken already: claiming asks the Rasa server, not running here
    port = free_port()
    env.update(RASA_URL=f"http://127.0.0.1:{free_port()}", RASA_API_TOKEN="unused")
    try:
        with console_process(env, port, tmp / "console.log") as base:
            yield {"url": base, "tickets": tickets, "number": number, "held": held.id, "engine": engine}
    finally:
        dispose_engines()
        if saved is None:
            os.environ.pop("DATA_DIR", None)
        else:
            os.environ["DATA_DIR"] = saved


def logged_in(browser, console, viewport, locale="en-GB"):
    context = browser.new_context(locale=locale, viewport=viewport)
    page = context.new_page()
    page.goto(console["url"] + "/")
    page.fill("input[name=username]", "lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#queue")
    return context, page


def visible_tickets(page) -> set[int]:
    return {int(row.get_attribute("data-ticket")) for row in page.locator("#queue tbody tr").all()
            if row.is_visible()}


def test_the_queue_filters_searches_and_fits_a_phone(browser, console):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tickets = {name: ticket.id for name, ticket in console["tickets"].items()}
    context, page = logged_in(browser, console, PHONE)
    assert visible_tickets(page) == set(tickets.values())
    page.screenshot(path=str(SCREENSHOTS / "queue-phone.png"), full_page=True)

    # A usable phone layout: nothing wider than the screen, each conversation a card of readable lines.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    row = page.locator(f'#queue tr[data-ticket="{tickets["wechat"]}"]')
    assert row.bounding_box()["width"] <= PHONE["width"]
    assert row.get_by_role("button", name="Take it").bounding_box()["height"] >= 44
    assert "Over the response target" in row.inner_text()  # 15 minutes against a 10-minute target
    rest = page.locator(f'#queue tr[data-ticket="{tickets["rest"]}"]')
    assert "cannot receive replies" in rest.inner_text() and "Call back on: 139****5678" in rest.inner_text()
    review = page.locator(f'#queue tr[data-ticket="{tickets["review"]}"]')
    assert "王＊英" in review.inner_text()  # the member, masked; the last message is "–" with no Rasa here

    page.select_option("select[name=language]", "en")
    assert visible_tickets(page) == {tickets["english"]}
    page.select_option("select[name=language]", "")
    page.select_option("select[name=channel]", "wechat")
    assert visible_tickets(page) == {tickets["wechat"]}
    page.select_option("select[name=channel]", "")
    page.select_option("select[name=reason]", "user_request")
    assert visible_tickets(page) == {tickets["wechat"], tickets["rest"]}
    page.select_option("select[name=reason]", "")
    page.fill("input[name=number]", console["number"][-6:].lower())
    assert visible_tickets(page) == {tickets["review"]}
    page.screenshot(path=str(SCREENSHOTS / "queue-phone-search.png"), full_page=True)
    page.fill("input[name=number]", "")
    page.check("input[name=mine]")
    assert not page.locator("#queue").is_visible()
    page.uncheck("input[name=mine]")

    # A conversation handed to people while the page is open appears without a reload, at once (the page
    # polls only every 20 s while its live stream is open), and the filters still hold.
    page.select_option("select[name=language]", "en")
    arrived = {language: create_handoff_ticket(console["engine"], conversation_id=f"web:live-{language}",
                                               channel="webchat", language=language, reason="user_request",
                                               summary={"member_name": "M*** L**"}).id
               for language in ("en", "zh")}
    page.wait_for_selector(f'#queue tr[data-ticket="{arrived["en"]}"]', timeout=8000)
    assert visible_tickets(page) == {tickets["english"], arrived["en"]}
    assert page.locator(f'#queue tr[data-ticket="{arrived["zh"]}"]').count() == 1  # there, filtered out
    page.screenshot(path=str(SCREENSHOTS / "queue-phone-live.png"), full_page=True)
    context.close()


@pytest.mark.parametrize("locale", ["zh-CN", "en-GB"])
def test_every_console_page_passes_axe(browser, console, axe_violations, locale):
    review = console["tickets"]["review"].id
    context = browser.new_context(locale=locale, viewport={"width": 1100, "height": 900})
    page = context.new_page()
    page.goto(console["url"] + "/login")
    assert axe_violations(page) == []
    page.fill("input[name=username]", "lin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#queue")
    page.screenshot(path=str(SCREENSHOTS / f"queue-desktop-{locale}.png"), full_page=True)
    for path in ("/", f"/tickets/{review}", f"/tickets/{console['held']}", f"/tickets/{review}/decision", "/all", "/staff",
                 f"/tickets/{console['tickets']['rest'].id}"):
        page.goto(console["url"] + path)
        page.wait_for_load_state("networkidle")
        assert axe_violations(page) == [], path
    context.close()


def test_canned_replies_come_in_the_familys_language(browser, console, axe_violations):
    context, page = logged_in(browser, console, PHONE, locale="zh-CN")  # the agent reads Chinese
    page.goto(f"{console['url']}/tickets/{console['held']}")  # an English family's, taken by this agent
    page.wait_for_selector("#reply-text")
    page.get_by_role("button", name="Please give me a moment while I check this for you.").click()
    assert page.input_value("#reply-text") == "Please give me a moment while I check this for you."
    assert page.get_by_role("button", name="请稍等，我帮您查一下。").count() == 0  # not the agent's language
    page.screenshot(path=str(SCREENSHOTS / "canned-replies-phone.png"), full_page=True)
    assert axe_violations(page) == []
    context.close()
