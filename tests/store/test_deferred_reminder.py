"""The reminder a deferred member is promised (waiting for a test result, H6): queued with the deferred
enrollment, sent once when due (the plan's deferred_reminder_days later, at the end of the quiet hours),
in the family's language and channel; not after 退订, not when they have applied again meanwhile.
The notifier runs on a test clock against the real store and the fakes at the network edge."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from bot.notify.service import Notifier
from bot.core.plan.config import load_plan
from bot.store import submit_enrollment
from bot.store.outbox import list_notices, opt_out_of_notices
from notice_fakes import edge_and_delivery
from store_samples import id_number, submission
from test_notifier import LEASE, StoppedClock, china

DEFERRED_ON = date(2026, 11, 28)


def deferred(engine, sender: str, language: str, *, birth: str = "19560315") -> str:
    return submit_enrollment(engine, submission(
        conversation_id=sender, sender_id=sender, channel="wechat" if sender.startswith("wx:") else "webchat",
        language=language, id_number=id_number(birth=birth), outcome="deferred", outcome_reasons=["H6_yes"],
        screening_answers={**{f"H{i}": "no" for i in range(1, 6)}, "H6": "yes"}, authorization=None,
        waiting_period_end=None, cover_start=None, enrolled_on=DEFERRED_ON)).enrollment_number


def test_a_deferred_enrollment_queues_its_reminder_for_nine_in_the_morning_thirty_days_later(engine):
    number = deferred(engine, "wx:openid-zh", "zh")
    assert load_plan().after.deferred_reminder_days == 30
    [notice] = list_notices(engine, enrollment_number=number)
    assert (notice.kind, notice.status, notice.recipient, notice.language) == (
        "deferred_reminder", "pending", "wx:openid-zh", "zh")
    assert notice.due_at.astimezone(timezone.utc) == datetime(2026, 12, 28, 1, 0, tzinfo=timezone.utc)  # 09:00 China
    # A retried submission of the same conversation stores nothing new, so queues nothing new.
    deferred(engine, "wx:openid-zh", "zh")
    assert len(list_notices(engine, enrollment_number=number)) == 1


async def test_the_reminder_goes_out_once_when_due_in_each_family_language(engine):
    deferred(engine, "wx:openid-zh", "zh")
    deferred(engine, "web:tab-en", "en", birth="19580420")
    clock = StoppedClock(china(2026, 12, 27, 20, 0))  # the evening before: not yet due
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        await notifier.run_once()
        assert edge.wechat == [] and edge.webchat == []
        clock.at = china(2026, 12, 28, 9, 0)
        await notifier.run_once()
        clock.at += timedelta(hours=2)
        await notifier.run_once()
    [wechat] = edge.wechat
    assert wechat["touser"] == "openid-zh"
    assert "还在等检查结果" in wechat["text"]["content"] and "2026年11月28日" in wechat["text"]["content"]
    assert "回复“退订”" in wechat["text"]["content"]
    [web] = edge.webchat
    assert web["conversation"] == "web:tab-en"
    assert "waiting for test results" in web["event"]["text"] and "November 28, 2026" in web["event"]["text"]
    assert {n.status for n in list_notices(engine)} == {"sent"}


async def test_a_reminder_missed_overnight_waits_for_the_end_of_the_quiet_hours(engine):
    deferred(engine, "wx:openid-zh", "zh")
    clock = StoppedClock(china(2026, 12, 28, 22, 30))  # the notifier was down all day; now it is night
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        await notifier.run_once()
        assert edge.wechat == []
        clock.at = china(2026, 12, 29, 9, 0)
        await notifier.run_once()
    assert len(edge.wechat) == 1


async def test_no_reminder_after_stop_or_once_the_member_applied_again(engine):
    stopped = deferred(engine, "wx:openid-zh", "zh")
    opt_out_of_notices(engine, "wx:openid-zh", now=china(2026, 12, 1, 10))
    came_back = deferred(engine, "web:tab-en", "en", birth="19580420")
    submit_enrollment(engine, submission(  # results in, the son enrolled his father again in a new chat
        conversation_id="web:tab-en-later", sender_id="web:tab-en", channel="webchat", language="en",
        id_number=id_number(birth="19580420"), enrolled_on=date(2026, 12, 20)))
    async with edge_and_delivery() as (edge, delivery):
        await Notifier(engine, delivery, clock=StoppedClock(china(2026, 12, 28, 10)), lease=LEASE).run_once()
    assert edge.wechat == [] and edge.webchat == []
    for number in (stopped, came_back):
        assert [n.status for n in list_notices(engine, enrollment_number=number)] == ["skipped"]
