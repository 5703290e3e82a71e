"""The conversation store of the privacy and condensing tests, on SQLite (local) and PostgreSQL
(production), with a broker that collects what would be published."""
from __future__ import annotations

import pytest
from rasa.shared.core.domain import Domain
from sqlalchemy.engine import make_url

from bot.rasa.tracker_store import PrivateTrackerStore

DOMAIN = Domain.load("domain")


class CollectingBroker:
    """Stands in for Kafka/RabbitMQ: what would be published."""

    def __init__(self):
        self.published = []

    def publish(self, event):
        self.published.append(event)


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    broker = CollectingBroker()
    if request.param == "sqlite":
        made = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                   event_broker=broker)
    else:
        url, _admin = request.getfixturevalue("postgres_server")
        monkeypatch.setenv("CONVERSATION_SEAL_KEY", "k" * 43 + "=")
        server = make_url(url)
        made = PrivateTrackerStore(domain=DOMAIN, dialect="postgresql", host=server.host, port=server.port,
                                   db=server.database, username=server.username, event_broker=broker)
    made.broker = broker
    yield made
    made.engine.dispose()
