"""`python -m bot notify` (or `python -m bot.notify`): the notifier process.

    python -m bot notify                    plan and send due notices every NOTIFY_INTERVAL_SECONDS
    python -m bot notify --once             one round, then exit (a Kubernetes CronJob can run this)
    python -m bot notify cases DATE N       record that the period deducted on DATE has N cases

Several may run at once: each notice is still sent once (bot.store.outbox). While it runs, its Prometheus
metrics are at METRICS_HOST:NOTIFY_METRICS_PORT/metrics. Settings: bot/core/settings.py.
"""
from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from datetime import date, datetime, timedelta, timezone
from typing import Optional, Sequence

import aiohttp

from bot.core import settings

log = logging.getLogger(__name__)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot notify", description="Send notices to families.")
    parser.add_argument("--once", action="store_true", help="one round, then exit")
    parser.add_argument("--database-url", help="enrollment store URL (default: DATABASE_URL)")
    commands = parser.add_subparsers(dest="command")
    cases = commands.add_parser("cases", help="record a sharing period's case count")
    cases.add_argument("deduction_on", type=date.fromisoformat, help="deduction day, YYYY-MM-DD")
    cases.add_argument("cases", type=int)
    return parser


def wall_clock() -> datetime:
    return datetime.now(timezone.utc)


async def serve(database_url: str, *, once: bool, clock=wall_clock) -> int:
    from bot.channels.wechat_api import WeChatClient
    from bot.console.rasa_api import RasaClient
    from bot.rasa.api_token import api_token
    from bot.notify.delivery import Delivery
    from bot.notify.service import Notifier
    from bot.store import engine_for, upgrade_schema

    upgrade_schema(database_url)
    engine = engine_for(database_url)
    wechat = None
    if settings.get("WECHAT_APP_ID") and settings.get("WECHAT_APP_SECRET"):
        wechat = WeChatClient(settings.get("WECHAT_APP_ID"), settings.get("WECHAT_APP_SECRET"),
                              settings.get("WECHAT_API_BASE"))
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as http:
        delivery = Delivery(http, wechat=wechat, rasa=RasaClient(http, settings.rasa_url(), api_token()),
                            rest_callback_url=settings.get("NOTIFY_REST_CALLBACK_URL"),
                            wechat_templates=settings.wechat_notice_templates())
        notifier = Notifier(engine, delivery, clock=clock,
                            lease=timedelta(seconds=float(settings.get("NOTIFY_LEASE_SECONDS"))))
        try:
            if once:
                await notifier.run_once()
                return 0
            stop = asyncio.Event()
            loop = asyncio.get_running_loop()
            for signum in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(signum, stop.set)
            print("Notifier running (Ctrl-C to stop)", flush=True)
            metrics_port = await serve_metrics(engine, clock)
            housekeeping = asyncio.create_task(forget_unfinished_hourly(clock, stop))
            await notifier.run_forever(float(settings.get("NOTIFY_INTERVAL_SECONDS")), stop)
            await housekeeping
            if metrics_port is not None:
                await metrics_port.cleanup()
            return 0
        finally:
            if wechat is not None:
                await wechat.close()


async def serve_metrics(engine, clock):
    """GET /metrics on METRICS_HOST:NOTIFY_METRICS_PORT (0: none): the notices due and not yet sent."""
    from bot import metrics
    from bot.metrics.server import start_metrics_port
    from bot.store.outbox import count_due_unsent

    metrics.own(metrics.NOTICES_PENDING)

    async def refresh() -> None:
        metrics.NOTICES_PENDING.set(await asyncio.to_thread(count_due_unsent, engine, now=clock()))

    return await start_metrics_port(settings.get("METRICS_HOST"), settings.optional_port("NOTIFY_METRICS_PORT"),
                                    refresh)


async def forget_unfinished_hourly(clock, stop: asyncio.Event, every_s: float = 3600) -> None:
    """Keeps the conversation store's promise (bot.rasa.conversation_retention): an enrollment left
    unfinished for UNFINISHED_ENROLLMENT_DAYS is forgotten with its personal data."""
    from bot.rasa.conversation_retention import forget_unfinished
    from bot.rasa.tracker_store import open_configured_store

    while True:
        try:
            store = await asyncio.to_thread(open_configured_store, settings.get("RASA_ENDPOINTS"))
            forgotten = await asyncio.to_thread(forget_unfinished, store, now=clock())
            store.engine.dispose()
            if forgotten:
                log.info("forgot %d unfinished enrollment(s) in the conversation store", len(forgotten))
        except Exception:  # the conversation store may be starting; the next hour tries again
            log.exception("Forgetting unfinished enrollments failed; trying again in an hour")
        try:
            await asyncio.wait_for(stop.wait(), timeout=every_s)
            return
        except asyncio.TimeoutError:
            pass


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(name)s %(message)s")
    url = args.database_url or settings.database_url()
    if args.command == "cases":
        from bot.store import Actor, engine_for, upgrade_schema
        from bot.store.outbox import record_sharing_period

        upgrade_schema(url)
        record_sharing_period(engine_for(url), args.deduction_on, args.cases, Actor.operator(), wall_clock())
        print(f"Recorded {args.cases} cases for the deduction on {args.deduction_on}.")
        return 0
    return asyncio.run(serve(url, once=args.once))


if __name__ == "__main__":
    sys.exit(main())
