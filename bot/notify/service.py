"""The notifier: each round it plans the notices that are due by the plan's calendar (the notice before a
deduction, the end of the waiting period) and sends the due notices of the outbox, once each.

Several notifiers may run at once (replicas, a restart while the old one still runs): planning is
insert-if-absent on idempotency keys, sending claims rows under a lease (bot.store.outbox). Nothing is
sent during quiet hours (China time); what is due then goes out at their end. The clock is a parameter,
so tests run it at any moment they like.
"""
from __future__ import annotations

import asyncio
import logging
import os
import socket
import uuid
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Callable

from sqlalchemy.engine import Engine

from bot.notify.delivery import Delivery, DeliveryFailed
from bot.core.notice_schedule import deduction_notice_day, morning_of, outside_quiet_hours
from bot.notify.texts import notice_text, template_fields
from bot.core.plan.clock import today_in_china
from bot.core.plan.config import PlanConfig, load_plan
from bot.core.plan.contributions import most_for_cases, next_deduction_date
from bot.metrics import NOTICES, bounded, code_name
from bot.store import outbox

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
WAITING_PERIOD_LOOKBACK_DAYS = 3  # a notifier that was down a few days still tells those covered meanwhile


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Notifier:
    def __init__(self, engine: Engine, delivery: Delivery, *, clock: Clock, lease: timedelta,
                 worker: str | None = None, plan: PlanConfig | None = None, batch: int = 20) -> None:
        self.engine = engine
        self.delivery = delivery
        self.clock = clock
        self.lease = lease
        self.worker = worker or worker_name()
        self.plan = plan or load_plan()
        self.batch = batch

    # ------------------------------------------------------------------------------------ planning

    def plan_due_notices(self) -> int:
        """Queue what the calendar makes due today (idempotent). Returns how many notices are new."""
        now = self.clock()
        today = today_in_china(now)
        new = 0
        deduction_on = next_deduction_date(today + timedelta(days=1), plan=self.plan)
        if deduction_notice_day(deduction_on, plan=self.plan) <= today < deduction_on:
            cases = outbox.sharing_period_cases(self.engine, deduction_on)
            if cases is None:
                log.warning("No case count recorded for the deduction on %s: its notices wait until an "
                            "operator records it (python -m bot notify cases %s N)", deduction_on, deduction_on)
            else:
                at_most = most_for_cases(cases, plan=self.plan)
                new += outbox.queue_deduction_notices(
                    self.engine, deduction_on, cases=cases, at_most=str(Decimal(at_most)),
                    due_at=morning_of(deduction_notice_day(deduction_on, plan=self.plan), plan=self.plan),
                    now=now)
        for back in range(WAITING_PERIOD_LOOKBACK_DAYS + 1):
            day = today - timedelta(days=back)
            new += outbox.queue_waiting_period_notices(self.engine, day, due_at=morning_of(day, plan=self.plan),
                                                       now=now)
        return new

    # ------------------------------------------------------------------------------------- sending

    async def send_due_notices(self) -> int:
        """Send what is due now, unless it is quiet hours. Returns how many notices were handled."""
        now = self.clock()
        if outside_quiet_hours(now, plan=self.plan) != now:
            return 0
        claimed = await asyncio.to_thread(outbox.claim_due_notices, self.engine, self.worker, now=now,
                                          lease=self.lease, limit=self.batch)
        for notice in claimed:
            text = notice_text(notice.kind, notice.language, notice.params, plan=self.plan)
            fields = template_fields(notice.kind, notice.language, notice.params, plan=self.plan)
            try:
                status = await self.delivery.deliver(notice, text, now=now, fields=fields)
            except DeliveryFailed as error:
                log.warning("Notice %s (%s) not delivered: %s", notice.id, notice.kind, error)
                retry = min(timedelta(minutes=2 ** notice.attempts), timedelta(hours=6))
                await asyncio.to_thread(outbox.mark_failed_attempt, self.engine, notice.id, self.worker,
                                        now=self.clock(), error=str(error), retry_at=self.clock() + retry)
                NOTICES.labels(kind=code_name(notice.kind), outcome="failed").inc()
                continue
            NOTICES.labels(kind=code_name(notice.kind), outcome=bounded(status, ("sent", "kept"))).inc()
            if not await asyncio.to_thread(outbox.mark_delivered, self.engine, notice.id, self.worker,
                                           now=self.clock(), status=status):
                log.warning("Notice %s was delivered after its lease ran out", notice.id)
        return len(claimed)

    async def run_once(self) -> int:
        await asyncio.to_thread(self.plan_due_notices)
        return await self.send_due_notices()

    async def run_forever(self, interval_seconds: float, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:  # a database blip must not end the service; the next round tries again
                log.exception("Notifier round failed; trying again in %ss", interval_seconds)
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
            except asyncio.TimeoutError:
                pass
