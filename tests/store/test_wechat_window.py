"""WeChat takes customer-service messages only within 48 hours of the user's last message: a notice due
later goes out as a template message, with the template id from the settings. The notifier runs on a test
clock; when the user last wrote comes from their conversation (the fake Rasa HTTP API at the edge)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core import settings
from bot.notify.service import Notifier
from bot.store import create_staff, submit_enrollment
from bot.store.decisions import decide
from bot.store.outbox import list_notices
from notice_fakes import edge_and_delivery
from store_samples import id_number, submission
from test_notifier import LEASE, StoppedClock, china, member

WROTE = china(2026, 12, 2, 10, 0)  # the family's last message


@pytest.fixture
def templates(monkeypatch):
    monkeypatch.setenv("WECHAT_NOTICE_TEMPLATES", "decision:TPL-DECISION waiting_period_end:TPL-COVER")
    return settings.wechat_notice_templates()


def decided_case(engine, language: str = "zh") -> str:
    staff = create_staff(engine, "li.na", "a long enough password")
    number = submit_enrollment(engine, submission(
        conversation_id="wx:openid-zh", sender_id="wx:openid-zh", channel="wechat", language=language,
        id_number=id_number(birth="19560315"), outcome="manual_review", authorization=None,
        waiting_period_end=None, cover_start=None)).enrollment_number
    decide(engine, number, staff_id=staff.id, decision="approve", reason="benign_confirmed", note="",
           now=WROTE + timedelta(hours=1), decided_on=date(2026, 12, 2))
    return number


async def test_within_48_hours_the_notice_is_a_customer_service_message(engine, templates):
    decided_case(engine)
    async with edge_and_delivery(wechat_templates=templates) as (edge, delivery):
        edge.last_wrote["wx:openid-zh"] = WROTE
        await Notifier(engine, delivery, clock=StoppedClock(WROTE + timedelta(hours=47)), lease=LEASE).run_once()
    [message] = edge.wechat
    assert message["touser"] == "openid-zh" and "审核已通过" in message["text"]["content"]
    assert edge.templates == []


async def test_after_48_hours_the_notice_is_a_template_message_in_the_family_language(engine, templates):
    number = decided_case(engine)
    async with edge_and_delivery(wechat_templates=templates) as (edge, delivery):
        edge.last_wrote["wx:openid-zh"] = WROTE
        await Notifier(engine, delivery, clock=StoppedClock(WROTE + timedelta(hours=49)), lease=LEASE).run_once()
    assert edge.wechat == []  # no customer-service message tried: WeChat would refuse it
    [template] = edge.templates
    assert (template["touser"], template["template_id"]) == ("openid-zh", "TPL-DECISION")
    data = {name: field["value"] for name, field in template["data"].items()}
    assert data["first"] == "审核结果通知" and data["keyword1"] == number and data["keyword2"] == "审核通过"
    assert "审核已通过" in data["remark"] and "2027年3月3日" in data["remark"]
    assert [n.status for n in list_notices(engine, enrollment_number=number)] == ["sent"]


async def test_an_english_family_gets_the_template_in_english(engine, templates):
    member(engine, "wx:openid-en", "en", birth="19580420", cover_start=date(2026, 12, 13))
    async with edge_and_delivery(wechat_templates=templates) as (edge, delivery):
        edge.last_wrote["wx:openid-en"] = china(2026, 9, 14, 10)  # they last wrote when they joined
        await Notifier(engine, delivery, clock=StoppedClock(china(2026, 12, 13, 10)), lease=LEASE).run_once()
    [template] = edge.templates
    data = {name: field["value"] for name, field in template["data"].items()}
    assert template["template_id"] == "TPL-COVER"
    assert data["keyword2"] == "Covered from December 13, 2026" and "waiting period is over" in data["remark"]


async def test_when_wechat_says_the_window_closed_the_template_goes_instead(engine, templates):
    number = decided_case(engine)
    async with edge_and_delivery(wechat_templates=templates) as (edge, delivery):
        edge.window_closed.add("openid-zh")  # nobody could say when they last wrote; WeChat knows
        await Notifier(engine, delivery, clock=StoppedClock(WROTE + timedelta(hours=2)), lease=LEASE).run_once()
    assert edge.wechat == [] and [t["template_id"] for t in edge.templates] == ["TPL-DECISION"]
    assert [n.status for n in list_notices(engine, enrollment_number=number)] == ["sent"]


async def test_without_a_template_the_notice_waits_for_the_family_to_write_again(engine, monkeypatch):
    monkeypatch.setenv("WECHAT_NOTICE_TEMPLATES", "")
    number = decided_case(engine)
    clock = StoppedClock(WROTE + timedelta(hours=49))
    async with edge_and_delivery(wechat_templates=settings.wechat_notice_templates()) as (edge, delivery):
        edge.last_wrote["wx:openid-zh"] = WROTE
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        await notifier.run_once()
        [notice] = list_notices(engine, enrollment_number=number)
        assert (notice.status, edge.wechat, edge.templates) == ("pending", [], [])
        edge.last_wrote["wx:openid-zh"] = clock.at + timedelta(minutes=1)  # they write again
        clock.at += timedelta(hours=1)
        await notifier.run_once()
    assert len(edge.wechat) == 1 and "审核已通过" in edge.wechat[0]["text"]["content"]


def test_a_malformed_template_setting_is_refused_by_name(monkeypatch):
    monkeypatch.setenv("WECHAT_NOTICE_TEMPLATES", "decision:TPL-1 TPL-2")
    with pytest.raises(ValueError, match="WECHAT_NOTICE_TEMPLATES"):
        settings.wechat_notice_templates()
