"""`python -m bot insight`: the consumer that turns the conversation events into the operator's figures.

    python -m bot insight              read the event broker of RASA_ENDPOINTS, keep each event's facts
    python -m bot insight --once       read what is there now, then stop
    python -m bot insight figures      print the figures as CSV (overall, by day, language and channel)

Restartable: facts and the read position are kept in one transaction, every fact is unique by the digest
of its event, and a RabbitMQ message is acknowledged only after its facts are kept; so an event read
twice (a restart, a redelivery) is counted once.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import os
import signal
import sys
from typing import Optional, Sequence

from bot.core import settings
from bot.core.spreadsheet import safe_cell
from bot.core.insight.facts import digest, fact_of
from bot.core.insight.figures import Figures, figures_of_kept, table
from bot.insight.sources import Batch, RabbitSource, SqlBrokerSource, broker_config
from bot.store import engine_for, upgrade_schema
from bot.store.insight import handoff_reasons, read_facts, read_position, record_facts

log = logging.getLogger(__name__)


def keep(engine, batch: Batch, source: Optional[str] = None) -> int:
    """The batch's facts kept (with the new position for a positioned source); how many were new."""
    pairs = []
    for event in batch.events:
        fact = fact_of(event)
        if fact is not None:
            pairs.append((digest(event), {"conversation_id": fact.conversation_id, "at": fact.at,
                                          "kind": fact.kind, "name": fact.name, "value": fact.value}))
    return record_facts(engine, pairs, source=source if batch.position is not None else None,
                        position=batch.position)


def figures(engine) -> Figures:
    """The figures of everything kept so far."""
    return figures_of_kept(read_facts(engine), handoff_reasons(engine))


async def consume_sql(engine, source: SqlBrokerSource, stop: asyncio.Event, once: bool) -> None:
    interval = float(settings.get("INSIGHT_POLL_SECONDS"))
    while not stop.is_set():
        batch = await asyncio.to_thread(source.read, await asyncio.to_thread(read_position, engine, source.name))
        if batch.events:
            await asyncio.to_thread(keep, engine, batch, source.name)
            continue
        if once:
            return
        try:
            await asyncio.wait_for(stop.wait(), timeout=interval)
        except asyncio.TimeoutError:
            pass


async def consume_rabbit(engine, source: RabbitSource, stop: asyncio.Event, once: bool) -> None:
    await source.open()
    batches = source.batches()
    try:
        while not stop.is_set():
            batch = await batches.__anext__()
            if batch.events:
                await asyncio.to_thread(keep, engine, batch)
            if batch.acknowledge is not None:
                await batch.acknowledge()
            if once and not batch.events:
                return
    finally:
        await batches.aclose()
        await source.close()


def local_endpoint_variables() -> None:
    """The variables endpoints.yml names, with the defaults the launcher gives them, for a consumer
    started on its own (Rasa reads the whole file and refuses an unset variable)."""
    if settings.production():
        return
    defaults = {"INSIGHT_EVENTS_DB": settings.insight_events_db(), "TRACKER_DB": settings.tracker_db(),
                "ACTION_ENDPOINT_URL": settings.get("ACTION_ENDPOINT_URL")
                or f"http://localhost:{settings.get('ACTION_PORT')}/webhook",
                "ACTION_SERVER_SECRET": settings.get("ACTION_SERVER_SECRET")}
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


async def serve(database_url: str, endpoints_file: str, *, once: bool) -> int:
    local_endpoint_variables()
    upgrade_schema(database_url)
    engine = engine_for(database_url)
    config = broker_config(endpoints_file)
    stop = asyncio.Event()
    if not once:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    kind = (config.type or "").lower()
    if kind == "sql":
        source = SqlBrokerSource.of(config)
        print(f"Insight consumer reading {source.name}", flush=True)
        try:
            await consume_sql(engine, source, stop, once)
        finally:
            source.close()
    elif kind == "pika":
        source = RabbitSource.of(config)
        print(f"Insight consumer reading {source.name}", flush=True)
        await consume_rabbit(engine, source, stop, once)
    else:
        raise SystemExit(f"the insight consumer reads the sql or pika event broker, not {config.type!r}")
    return 0


def print_figures(database_url: str, out=sys.stdout) -> int:
    upgrade_schema(database_url)
    csv.writer(out).writerows(table(figures(engine_for(database_url)), safe_cell))
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot insight", description=__doc__.splitlines()[0])
    parser.add_argument("--once", action="store_true", help="read what is there now, then stop")
    parser.add_argument("--database-url", help="enrollment store URL (default: DATABASE_URL)")
    parser.add_argument("what", nargs="?", choices=["figures"], help="print the figures as CSV")
    args = parser.parse_args(argv)
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(name)s %(message)s")
    url = args.database_url or settings.database_url()
    if args.what == "figures":
        return print_figures(url)
    return asyncio.run(serve(url, settings.get("RASA_ENDPOINTS"), once=args.once))
