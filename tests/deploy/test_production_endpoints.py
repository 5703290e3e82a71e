"""endpoints.production.yml, read by Rasa's own code with the production variables set."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from rasa.core.lock_store import LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
from rasa.core.utils import read_endpoints_from_path

from bot.core.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = ROOT / "endpoints.production.yml"
ENV = {
    "ACTION_ENDPOINT_URL": "http://actions:5055/webhook", "ACTION_SERVER_SECRET": "shared-secret",
    "TRACKER_DB_HOST": "postgres.internal", "TRACKER_DB_PORT": "5432", "TRACKER_DB_NAME": "rasa",
    "TRACKER_DB_USER": "rasa", "TRACKER_DB_PASSWORD": "pw",
    "REDIS_HOST": "redis.internal", "REDIS_PORT": "6380", "REDIS_DB": "2", "REDIS_PASSWORD": "",
}


def variables(path: Path) -> set[str]:
    lines = (line.split("#", 1)[0] for line in path.read_text().splitlines())
    return {name for line in lines for name in re.findall(r"\$\{(\w+)\}", line)}


@pytest.fixture
def production_env(monkeypatch):
    for name, value in ENV.items():
        monkeypatch.setenv(name, value)


def test_every_variable_is_a_documented_setting():
    assert variables(PRODUCTION) <= set(SETTINGS)
    assert variables(PRODUCTION) == set(ENV)


def test_production_uses_postgresql_redis_and_the_action_secret(production_env):
    endpoints = read_endpoints_from_path(PRODUCTION)

    store = endpoints.tracker_store
    assert store.type == "bot.rasa.tracker_store.PrivateTrackerStore" and store.kwargs["dialect"] == "postgresql"
    url = SQLTrackerStore.get_db_url(host=store.url, **store.kwargs)
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql", "postgres.internal", 5432, "rasa", "rasa", "pw")

    assert endpoints.lock_store.type == "redis"
    locks = LockStore.create(endpoints.lock_store)  # redis-py connects lazily: nothing is contacted
    assert isinstance(locks, RedisLockStore)
    assert locks.red.connection_pool.connection_kwargs["host"] == "redis.internal"
    assert locks.red.connection_pool.connection_kwargs["port"] == 6380

    assert endpoints.action.url == "http://actions:5055/webhook"
    assert endpoints.action.headers == {"X-Action-Secret": "shared-secret"}
    assert endpoints.nlg.type == "bot.rasa.nlg.PlanResponseGenerator"


def test_production_and_local_keep_the_same_response_generator():
    local = (ROOT / "endpoints.yml").read_text()
    assert "type: bot.rasa.nlg.PlanResponseGenerator" in local
    assert "type: bot.rasa.nlg.PlanResponseGenerator" in PRODUCTION.read_text()


def test_rasa_refuses_to_start_when_a_production_variable_is_missing(production_env, monkeypatch):
    monkeypatch.delenv("TRACKER_DB_HOST")
    with pytest.raises(Exception, match="TRACKER_DB_HOST"):
        read_endpoints_from_path(PRODUCTION)
