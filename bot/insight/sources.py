"""Where the conversation events are read from: the event broker the Rasa server publishes to, as named
in its endpoints file (RASA_ENDPOINTS): Rasa's SQL event broker (a table `events`, read by id from the
last position kept) or RabbitMQ (a durable queue, each message acknowledged only once its facts are kept).
"""
from __future__ import annotations

import asyncio
import json
import logging
from dataclasses import dataclass
from typing import Any, AsyncIterator, Optional

import sqlalchemy as sa

log = logging.getLogger(__name__)
BATCH = 500


@dataclass(frozen=True)
class Batch:
    events: list[dict[str, Any]]
    position: Optional[int] = None  # the SQL broker's last event id in this batch
    acknowledge: Any = None  # RabbitMQ: a coroutine function that acknowledges the batch


def broker_config(endpoints_file: str):
    """The event_broker section of the endpoints file, variables filled in (Rasa's own reader)."""
    from rasa.utils.endpoints import read_endpoint_config

    config = read_endpoint_config(endpoints_file, "event_broker")
    if config is None:
        raise SystemExit(f"{endpoints_file} names no event_broker: the insight consumer has nothing to read")
    return config


class SqlBrokerSource:
    """Rasa's SQL event broker: the rows of its `events` table after the last position kept."""

    def __init__(self, url: str) -> None:
        self.engine = sa.create_engine(url, future=True)
        self.name = "sql:" + sa.engine.make_url(url).render_as_string(hide_password=True)
        self._events = sa.table("events", sa.column("id", sa.Integer), sa.column("data", sa.Text))

    @classmethod
    def of(cls, config) -> "SqlBrokerSource":
        from rasa.core.tracker_store import SQLTrackerStore

        kwargs = {k: v for k, v in config.kwargs.items() if k in ("dialect", "port", "db", "username", "password")}
        return cls(str(SQLTrackerStore.get_db_url(host=config.url, **kwargs)))

    def read(self, after: int) -> Batch:
        query = sa.select(self._events.c.id, self._events.c.data).where(self._events.c.id > after) \
            .order_by(self._events.c.id).limit(BATCH)
        try:
            with self.engine.connect() as connection:
                rows = connection.execute(query).all()
        except sa.exc.OperationalError:
            return Batch([], after)  # the broker has not created its table yet
        return Batch([json.loads(data) for _, data in rows], rows[-1][0] if rows else after)

    def close(self) -> None:
        self.engine.dispose()


class RabbitSource:
    """A durable RabbitMQ queue bound to Rasa's exchange, read with manual acknowledgement."""

    def __init__(self, host: str, port: int, username: str, password: str, queue: str,
                 exchange: str = "rasa-exchange") -> None:
        self.host, self.port, self.username, self.password = host, port, username, password
        self.queue_name, self.exchange_name = queue, exchange
        self.name = f"rabbitmq:{host}:{port}/{queue}"
        self._connection = None
        self._queue = None

    @classmethod
    def of(cls, config) -> "RabbitSource":
        queues = config.kwargs.get("queues") or ["rasa_core_events"]
        queue = queues[0] if isinstance(queues, list) else str(queues)
        return cls(config.url, int(config.kwargs.get("port") or 5672), config.kwargs.get("username", "guest"),
                   config.kwargs.get("password", "guest"), queue,
                   config.kwargs.get("exchange_name", "rasa-exchange"))

    async def open(self) -> None:
        import aio_pika

        self._connection = await aio_pika.connect_robust(
            host=self.host, port=self.port, login=self.username, password=self.password)
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=BATCH)
        exchange = await channel.declare_exchange(self.exchange_name, aio_pika.ExchangeType.FANOUT)
        self._queue = await channel.declare_queue(self.queue_name, durable=True)
        await self._queue.bind(exchange, "")

    async def batches(self, idle_s: float = 0.5) -> AsyncIterator[Batch]:
        """Batches of messages, each ended by a short quiet moment or BATCH messages."""
        messages = []
        # The iterator's own timeout (a wait_for around __anext__ would close the iterator when it fires).
        async with self._queue.iterator(timeout=idle_s) as iterator:
            while True:
                try:
                    message = await iterator.__anext__()
                    messages.append(message)
                    if len(messages) < BATCH:
                        continue
                except asyncio.TimeoutError:
                    if not messages:
                        yield Batch([])
                        continue
                yield self._batch(messages)
                messages = []

    @staticmethod
    def _batch(messages: list) -> Batch:
        events = []
        for message in messages:
            try:
                events.append(json.loads(message.body))
            except ValueError:
                log.warning("skipped a message that is not JSON")

        async def acknowledge() -> None:
            await messages[-1].ack(multiple=True)

        return Batch(events, acknowledge=acknowledge)

    async def close(self) -> None:
        if self._connection is not None:
            await self._connection.close()
