"""The operations metrics every service exports for Prometheus, in one place, so the Grafana dashboard
(deploy/grafana/assistant.json) and the code name the same series.

Each process (Rasa server, action server, console, notifier) serves its own copy of these at /metrics
(bot.rasa.metrics for the two Sanic servers, bot.metrics.server for the aiohttp ones); Prometheus adds
them up. A metric is incremented where the thing happens, whichever process that is: a handoff ticket
opened by the action server or, while that is down, by the Rasa server counts the same.

No label carries personal data or grows without bound: channel, action, reason, store, error and
outcome are each one of a fixed set of names (an unknown value is counted as "other"), never a sender,
a name, a number or a text.
"""
from __future__ import annotations

import re
from typing import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from bot.core.handoff import HandoffReason

disable_created_metrics()  # no *_created series: the dashboard has no use for them
OTHER = "other"
CHANNELS = frozenset({"rest", "webchat", "wechat", "socketio", "cmdline", "collector"})
_CODE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,79}$")

TURN_SECONDS = Histogram(
    "assistant_turn_seconds",
    "Time from a user's message reaching the Rasa server to the assistant's answer, lock wait included.",
    ["channel"], buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 8, 13, 30, 60))
ACTION_FAILURES = Counter(
    "assistant_action_failures_total",
    "Custom actions the Rasa server gave up on: kind=timeout (ACTION_TIMEOUT_SECONDS) or error; the user "
    "was told and offered a person (bot.rasa.outage).", ["action", "kind"])
ACTION_SECONDS = Histogram(
    "assistant_action_seconds",
    "Custom actions as the action server ran them, by outcome (ok, rejected, not_found, error).",
    ["action", "outcome"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5))
HANDOFFS = Counter(
    "assistant_handoffs_total", "Conversations queued for a person (new handoff tickets), by reason.",
    ["reason"])
STORE_ERRORS = Counter(
    "assistant_store_errors_total",
    "Database errors, by store (enrollment, conversation) and error class.", ["store", "error"])
# The gauges below are read from the store when scraped, by the one service that owns them (the console,
# the notifier: `own()`), so that no other process reports a 0 for them.
HANDOVER_QUEUE = Gauge(
    "assistant_handover_queue_waiting",
    "Handed-over conversations waiting for a staff member to take them (read when scraped).", registry=None)
HANDOVER_OLDEST_SECONDS = Gauge(
    "assistant_handover_queue_oldest_seconds",
    "How long the longest-waiting handed-over conversation has waited, 0 when none waits.", registry=None)
NOTICES_PENDING = Gauge(
    "assistant_notices_pending", "Notices due and not yet sent, in the notifier's outbox (read when scraped).",
    registry=None)
NOTICES = Counter(
    "assistant_notices_total", "Notices the notifier handled, by kind and outcome (sent, kept, failed).",
    ["kind", "outcome"])

OURS = (TURN_SECONDS, ACTION_FAILURES, ACTION_SECONDS, HANDOFFS, STORE_ERRORS, HANDOVER_QUEUE,
        HANDOVER_OLDEST_SECONDS, NOTICES_PENDING, NOTICES)


def own(*gauges: Gauge) -> None:
    """Export these store-read gauges from this process (idempotent)."""
    for gauge in gauges:
        try:
            REGISTRY.register(gauge)
        except ValueError:
            pass  # registered already


def bounded(value: object, allowed: Iterable[str]) -> str:
    """`value` as a label if it is one of `allowed`, else "other"."""
    return value if isinstance(value, str) and value in allowed else OTHER


def code_name(value: object) -> str:
    """An action or kind name (lower-case letters, digits, underscores, like the domain's), else "other"."""
    return value if isinstance(value, str) and _CODE_NAME.match(value) else OTHER


def channel_label(channel: object) -> str:
    return bounded(channel, CHANNELS)


def count_handoff(reason: object) -> None:
    HANDOFFS.labels(reason=bounded(reason, HandoffReason._value2member_map_)).inc()


def count_store_error(store: str, error: BaseException) -> None:
    STORE_ERRORS.labels(store=store, error=code_name(type(error).__name__.lower())).inc()


def exported_names() -> set[str]:
    """Every series name these metrics can appear under in the text format (what a dashboard may use)."""
    suffixes = {"counter": ("_total",), "gauge": ("",), "histogram": ("_bucket", "_sum", "_count")}
    names = set()
    for metric in OURS:
        for family in metric.describe():
            names.update(family.name + suffix for suffix in suffixes[family.type])
    return names


def exposition() -> tuple[bytes, str]:
    """The process's metrics in Prometheus' text format, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
