"""The notifier against the real store (SQLite and PostgreSQL) and fakes of WeChat, Rasa's HTTP API and a
REST callback: each notice reaches the family once, in their language and channel, even with two
notifiers running at once; quiet hours wait; 退订 stops all but the required deduction notice."""
from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta, timezone

from bot.notify.service import Notifier
from bot.core.plan.clock import CHINA_TIME
from bot.store import Actor, create_staff, submit_enrollment
from bot.store.decisions import decide
from bot.store.outbox import claim_due_notices, list_notices, opt_out_of_notices, record_sharing_period
from notice_fakes import edge_and_delivery
from store_samples import id_number, submission

LEASE = timedelta(minutes=2)


class StoppedClock:
    """The notifiers' clock: it moves only when the test says so."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


def china(*args) -> datetime:
    return datetime(*args, tzinfo=CHINA_TIME).astimezone(timezone.utc)


def member(engine, sender: str, language: str, *, birth: str, cover_start: date | None = None) -> str:
    joined = (cover_start or date(2027, 2, 27)) - timedelta(days=91)
    return submit_enrollment(engine, submission(
        conversation_id=sender, sender_id=sender, channel=sender.split(":")[0].replace("wx", "wechat"),
        language=language, id_number=id_number(birth=birth), enrolled_on=joined,
        waiting_period_end=joined + timedelta(days=90), cover_start=joined + timedelta(days=91),
    )).enrollment_number


async def run_two_notifiers(engine, delivery, clock, rounds: int = 3) -> None:
    first = Notifier(engine, delivery, clock=clock, lease=LEASE, worker="notifier-a", batch=1)
    second = Notifier(engine, delivery, clock=clock, lease=LEASE, worker="notifier-b", batch=1)
    for _ in range(rounds):
        await asyncio.gather(first.run_once(), second.run_once(), first.run_once(), second.run_once())


async def test_deduction_and_waiting_period_notices_go_out_once_each_with_two_notifiers(engine):
    today = date(2026, 12, 13)  # the day before the deduction on the 14th
    wx = member(engine, "wx:openid-zh", "zh", birth="19560315", cover_start=today)
    web = member(engine, "web:tab-en", "en", birth="19580420", cover_start=today)
    record_sharing_period(engine, date(2026, 12, 14), 3, Actor("operator", "ops"), china(2026, 12, 8, 10))
    clock = StoppedClock(china(2026, 12, 13, 9, 30))
    async with edge_and_delivery() as (edge, delivery):
        await run_two_notifiers(engine, delivery, clock)
    wechat_texts = [m["text"]["content"] for m in edge.wechat]
    assert len(wechat_texts) == 2 and all(m["touser"] == "openid-zh" for m in edge.wechat)
    assert any("2026年12月14日" in t and "共 3 例" in t and "¥3.00" in t for t in wechat_texts)
    assert any("等待期已经结束" in t and "2026年12月13日" in t for t in wechat_texts)
    web_texts = [m["event"]["text"] for m in edge.webchat]
    assert len(web_texts) == 2 and all(m["conversation"] == "web:tab-en" for m in edge.webchat)
    assert any("December 14, 2026" in t and "3 cases" in t and "CN¥3.00" in t for t in web_texts)
    assert any("waiting period is over" in t for t in web_texts)
    for number in (wx, web):
        assert sorted(n.status for n in list_notices(engine, enrollment_number=number)) == ["sent", "sent"]


async def test_nothing_is_sent_in_quiet_hours_and_it_goes_out_at_nine(engine):
    member(engine, "wx:openid-zh", "zh", birth="19560315", cover_start=date(2026, 12, 13))
    clock = StoppedClock(china(2026, 12, 13, 7, 0))
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        await notifier.run_once()
        assert edge.wechat == []
        clock.at = china(2026, 12, 13, 9, 0)
        await notifier.run_once()
        assert len(edge.wechat) == 1


async def test_a_family_who_typed_stop_gets_only_the_required_deduction_notice(engine):
    member(engine, "wx:openid-zh", "zh", birth="19560315", cover_start=date(2026, 12, 13))
    opt_out_of_notices(engine, "wx:openid-zh", now=china(2026, 12, 1, 10))
    record_sharing_period(engine, date(2026, 12, 14), 2, Actor("operator", "ops"), china(2026, 12, 8, 10))
    async with edge_and_delivery() as (edge, delivery):
        await Notifier(engine, delivery, clock=StoppedClock(china(2026, 12, 13, 10)), lease=LEASE).run_once()
    [only] = edge.wechat
    assert "扣除" in only["text"]["content"]
    assert sorted(n.status for n in list_notices(engine, recipient="wx:openid-zh")) == ["sent", "skipped"]


async def test_a_staff_decision_reaches_wechat_and_web_chat_in_their_language(engine):
    staff = create_staff(engine, "li.na", "a long enough password")
    numbers = {}
    for sender, language, birth in (("wx:openid-zh", "zh", "19560315"), ("web:tab-en", "en", "19580420")):
        numbers[sender] = submit_enrollment(engine, submission(
            conversation_id=sender, sender_id=sender, channel="wechat" if sender.startswith("wx") else "webchat",
            language=language, id_number=id_number(birth=birth), outcome="manual_review", authorization=None,
            waiting_period_end=None, cover_start=None)).enrollment_number
    now = china(2026, 12, 2, 11)
    decide(engine, numbers["wx:openid-zh"], staff_id=staff.id, decision="approve", reason="benign_confirmed",
           note="", now=now, decided_on=date(2026, 12, 2))
    decide(engine, numbers["web:tab-en"], staff_id=staff.id, decision="decline", reason="suspected_tumour",
           note="", now=now, decided_on=date(2026, 12, 2))
    async with edge_and_delivery() as (edge, delivery):
        await run_two_notifiers(engine, delivery, StoppedClock(now + timedelta(minutes=1)))
    [wechat] = edge.wechat
    assert "审核已通过" in wechat["text"]["content"] and "2027年3月3日" in wechat["text"]["content"]
    [web] = edge.webchat
    assert "cannot join this time" in web["event"]["text"] and "may be related to a tumour" in web["event"]["text"]


async def test_a_rest_family_gets_the_callback_or_the_notice_is_kept(engine):
    member(engine, "rest:daughter-1", "zh", birth="19560315", cover_start=date(2026, 12, 13))
    member(engine, "rest:son-2", "en", birth="19580420", cover_start=date(2026, 12, 13))
    clock = StoppedClock(china(2026, 12, 13, 10))
    async with edge_and_delivery(rest_callback=True) as (edge, delivery):
        await run_two_notifiers(engine, delivery, clock)
    assert sorted(c["recipient"] for c in edge.callbacks) == ["rest:daughter-1", "rest:son-2"]
    assert all(c["key"].startswith("waiting_period_end:") for c in edge.callbacks)
    member(engine, "rest:other-3", "zh", birth="19590101", cover_start=date(2026, 12, 13))
    async with edge_and_delivery() as (edge, delivery):
        await Notifier(engine, delivery, clock=clock, lease=LEASE).run_once()
    assert [n.status for n in list_notices(engine, recipient="rest:other-3")] == ["kept"]


async def test_a_notice_whose_sender_died_is_sent_once_the_lease_runs_out(engine):
    member(engine, "wx:openid-zh", "zh", birth="19560315", cover_start=date(2026, 12, 13))
    clock = StoppedClock(china(2026, 12, 13, 10))
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE, worker="alive")
        await asyncio.to_thread(notifier.plan_due_notices)
        assert len(claim_due_notices(engine, "died", now=clock(), lease=LEASE)) == 1  # then it crashed
        await notifier.send_due_notices()
        assert edge.wechat == []  # the lease still holds
        clock.at += LEASE + timedelta(seconds=1)
        await notifier.send_due_notices()
        assert len(edge.wechat) == 1


async def test_a_web_chat_notice_waits_while_rasa_is_down(engine):
    member(engine, "web:tab-en", "en", birth="19580420", cover_start=date(2026, 12, 13))
    clock = StoppedClock(china(2026, 12, 13, 10))
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        edge.rasa_down = True
        await notifier.run_once()
        [notice] = list_notices(engine, recipient="web:tab-en")
        assert notice.status == "pending"
        edge.rasa_down = False
        clock.at += timedelta(minutes=5)
        await notifier.run_once()
    assert len(edge.webchat) == 1
    assert [n.status for n in list_notices(engine, recipient="web:tab-en")] == ["sent"]


async def test_no_deduction_reminder_after_the_authorization_is_cancelled_or_the_member_left(engine):
    from bot.store import cancel_deduction_authorization, withdraw_membership

    cancelled = member(engine, "wx:openid-zh", "zh", birth="19560315")
    left = member(engine, "wx:openid-two", "zh", birth="19580420")
    record_sharing_period(engine, date(2026, 12, 14), 2, Actor("operator", "ops"), china(2026, 12, 8, 10))
    clock = StoppedClock(china(2026, 12, 13, 7, 0))  # quiet hours: planned, not yet sent
    async with edge_and_delivery() as (edge, delivery):
        notifier = Notifier(engine, delivery, clock=clock, lease=LEASE)
        await notifier.run_once()
        cancel_deduction_authorization(engine, cancelled, Actor("operator", "ops"))
        withdraw_membership(engine, Actor("operator", "ops"), enrollment_number=left)
        clock.at = china(2026, 12, 13, 9, 5)
        await notifier.run_once()
    assert edge.wechat == []
    assert {n.status for n in list_notices(engine)} == {"skipped"}
