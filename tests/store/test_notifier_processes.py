"""Two notifier processes (separate Python processes, as two replicas are) against the same PostgreSQL:
the deduction reminder and the waiting-period notice each reach the family once. Each process runs the
real Notifier with a test clock fixed at 09:30 China time the day before the deduction."""
from __future__ import annotations

import asyncio
import sys
from datetime import date

import pytest

from bot.core.settings import PROJECT_ROOT
from bot.store import Actor
from bot.store.outbox import list_notices, record_sharing_period
from notice_fakes import APP_ID, APP_SECRET, RASA_TOKEN, edge_and_delivery
from test_notifier import china, member

NOTIFIER = """
import asyncio, sys
from datetime import datetime, timedelta
import aiohttp
from bot.channels.wechat_api import WeChatClient
from bot.console.rasa_api import RasaClient
from bot.notify.delivery import Delivery
from bot.notify.service import Notifier
from bot.store import engine_for

database_url, edge, worker, now = sys.argv[1:5]
clock = lambda: datetime.fromisoformat(now)

async def main():
    wechat = WeChatClient({app_id!r}, {app_secret!r}, edge)
    async with aiohttp.ClientSession() as http:
        delivery = Delivery(http, wechat=wechat, rasa=RasaClient(http, edge, {token!r}))
        notifier = Notifier(engine_for(database_url), delivery, clock=clock, lease=timedelta(minutes=2),
                            worker=worker, batch=1)
        for _ in range(6):
            await notifier.run_once()
    await wechat.close()

asyncio.run(main())
""".format(app_id=APP_ID, app_secret=APP_SECRET, token=RASA_TOKEN)


@pytest.mark.parametrize("database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
async def test_two_notifier_processes_send_each_notice_once(engine, database_url):
    today = date(2026, 12, 13)
    wx = member(engine, "wx:openid-zh", "zh", birth="19560315", cover_start=today)
    web = member(engine, "web:tab-en", "en", birth="19580420", cover_start=today)
    record_sharing_period(engine, date(2026, 12, 14), 4, Actor("operator", "ops"), china(2026, 12, 8, 10))
    now = china(2026, 12, 13, 9, 30).isoformat()
    async with edge_and_delivery() as (edge, _delivery):
        processes = [await asyncio.create_subprocess_exec(
            sys.executable, "-c", NOTIFIER, database_url, edge.url, worker, now, cwd=str(PROJECT_ROOT),
            stderr=asyncio.subprocess.PIPE) for worker in ("replica-1", "replica-2")]
        results = [await asyncio.wait_for(p.communicate(), 120) for p in processes]
        assert [p.returncode for p in processes] == [0, 0], [r[1].decode()[-2000:] for r in results]
    assert len(edge.wechat) == 2 and len(edge.webchat) == 2
    assert sum("¥4.00" in m["text"]["content"] for m in edge.wechat) == 1
    assert sum("CN¥4.00" in m["event"]["text"] for m in edge.webchat) == 1
    for number in (wx, web):
        notices = list_notices(engine, enrollment_number=number)
        assert sorted(n.kind for n in notices) == ["deduction", "waiting_period_end"]
        assert {n.status for n in notices} == {"sent"}
