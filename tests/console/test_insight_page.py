"""The insight page: supervisors see the funnel, drop-offs, outcomes, handoffs and misunderstandings as
charts, in the console's language, and download every figure as CSV; agents get 403."""
from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from sqlalchemy import update

from bot.store import create_staff, create_handoff_ticket
from bot.store.models import HandoffTicket
from console_support import PASSWORDS
from insight_events import ENROLLED, HANDED_OVER, PAUSED_AT, STOPPED, keep_events

PASSWORDS.setdefault("sam", "supervisor's own passphrase")


async def supervisor(console):
    create_staff(console.engine, "sam", PASSWORDS["sam"], display_name="Sam Li", role="supervisor")
    return await console.logged_in("sam")


def with_the_mix(console) -> None:
    keep_events(console.engine, ENROLLED + STOPPED + HANDED_OVER)
    ticket = create_handoff_ticket(console.engine, conversation_id="web:person", channel="webchat",
                                   language="zh", reason="user_request", summary={})
    with console.engine.begin() as connection:  # opened by the action just before the pause
        connection.execute(update(HandoffTicket).where(HandoffTicket.id == ticket.id).values(
            created_at=datetime.fromtimestamp(PAUSED_AT - 0.5, timezone.utc)))


async def test_agents_cannot_open_the_insight_page_or_its_csv(console, staff):
    alice = await console.logged_in("alice")
    for path in ("/insight", "/insight.csv"):
        assert (await alice.get(path)).status == 403
    assert 'href="/insight"' not in await (await alice.get("/")).text()


async def test_a_supervisor_sees_the_figures_as_charts_in_both_languages(console, staff):
    with_the_mix(console)
    sam = await supervisor(console)
    await sam.get("/language/en?next=/insight")
    page = await (await sam.get("/insight")).text()
    assert page.count("<svg") == 4  # funnel, drop-offs, outcomes, misunderstandings
    assert '<title>Enrolled: 1</title>' in page and '<title>Started: 3</title>' in page
    assert '<title>ID number: 1</title>' in page  # stopped there, and misunderstood once there
    assert "Asked for a person" in page and "Median time to enroll" in page
    assert "Enrollment funnel" in page

    await sam.get("/language/zh?next=/insight")
    page = await (await sam.get("/insight")).text()
    assert "报名漏斗" in page and '<title>报名成功: 1</title>' in page and "转人工" in page
    chinese_only = await (await sam.get("/insight?language=zh")).text()
    assert '<title>开始报名: 2</title>' in chinese_only  # the two Chinese conversations


async def test_the_csv_holds_every_figure_overall_and_by_language(console, staff):
    with_the_mix(console)
    sam = await supervisor(console)
    response = await sam.get("/insight.csv")
    assert response.status == 200 and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    overall = {(r["figure"], r["key"]): r["value"] for r in rows if r["dimension"] == "all"}
    assert overall[("funnel", "started")] == "3" and overall[("funnel", "enrolled")] == "1"
    assert overall[("drop_off", "id_number")] == "1" and overall[("handoff", "user_request")] == "1"
    assert overall[("misunderstanding", "id_number")] == "1"
    assert overall[("median_seconds_to_first_staff_reply", "")] == "1.0"
    chinese = {(r["figure"], r["key"]): r["value"] for r in rows if (r["dimension"], r["group"]) == ("language", "zh")}
    assert chinese[("funnel", "started")] == "2"
