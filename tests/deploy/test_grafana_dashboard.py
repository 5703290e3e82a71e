"""deploy/grafana/assistant.json: every query of the dashboard names metrics the services export
(bot/metrics), groups by labels those metrics have, and every metric we export has a panel."""
from __future__ import annotations

import json
import re
from pathlib import Path

from bot import metrics

DASHBOARD = Path(__file__).resolve().parents[2] / "deploy" / "grafana" / "assistant.json"
SERIES = re.compile(r"\bassistant_[a-z_]+\b")
SUFFIXES = ("_bucket", "_count", "_sum", "_total")


def expressions() -> list[str]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            found.extend(v for k, v in node.items() if k == "expr")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads(DASHBOARD.read_text(encoding="utf-8")))
    return found


def labels_of(series: str) -> set[str]:
    for metric in metrics.OURS:
        family = metric.describe()[0]
        if series == family.name or any(series == family.name + s for s in SUFFIXES):
            return set(metric._labelnames) | ({"le"} if series.endswith("_bucket") else set())
    raise AssertionError(f"{series} is not one of ours")


def test_every_query_names_only_exported_series_and_their_labels():
    exported = metrics.exported_names()
    assert len(expressions()) >= 10
    for expr in expressions():
        named = set(SERIES.findall(expr))
        assert named, expr
        assert named <= exported, (expr, named - exported)
        labels = set().union(*(labels_of(series) for series in named))
        for grouping in re.findall(r"\bby \(([^)]*)\)", expr):
            assert {label.strip() for label in grouping.split(",")} <= labels, expr
        for label in re.findall(r"\{(\w+)[!=~]", expr):
            assert label in labels, expr


def test_every_exported_metric_has_a_panel():
    used = {series for expr in expressions() for series in SERIES.findall(expr)}
    families = {metric.describe()[0].name for metric in metrics.OURS}
    assert {family for family in families if not any(s.startswith(family) for s in used)} == set()


def test_the_checker_catches_a_wrong_name():
    assert "assistant_turn_latency_seconds_bucket" not in metrics.exported_names()
    assert "assistant_turn_seconds_bucket" in metrics.exported_names()
