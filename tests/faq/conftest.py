"""Fixtures for the plan-question tests: a modified copy of the plan configuration, a fixed "today",
the merged domain and a way to render a response as the user would read it."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict

import pytest
import yaml
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.nlg import PlanResponseGenerator

from .common import ROOT, SHIPPED_PLAN, TODAY


@pytest.fixture(scope="session")
def domain() -> Domain:
    """The assistant's whole domain: every file in domain/, merged as Rasa merges them."""
    return Domain.from_directory(str(ROOT / "domain"))


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    """Responses that date things ("joining today, cover starts ...") see 28 November 2026."""
    monkeypatch.setattr("bot.core.plan.facts.today_in_china", lambda: TODAY)


@pytest.fixture
def use_plan(tmp_path, monkeypatch) -> Callable[[Dict[str, Any]], Path]:
    """Point PLAN_CONFIG at a copy of the shipped plan with some values changed, e.g.
    ``use_plan({"cover": {"payouts": {"severe": 123456}}})``. load_plan() caches per path, and every copy
    gets a path of its own, so the change is seen at once."""
    counter = iter(range(1000))

    def use(changes: Dict[str, Any]) -> Path:
        data = yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))
        _deep_update(data, changes)
        path = tmp_path / f"plan-{next(counter)}.yml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        monkeypatch.setenv("PLAN_CONFIG", str(path))
        return path

    return use


@pytest.fixture
def render(domain) -> Callable[..., str]:
    """The text of a response in a language, filled by the assistant's own response generator."""
    generator = PlanResponseGenerator(domain=domain)

    async def render_response(name: str, language: str, **kwargs: Any) -> str:
        tracker = DialogueStateTracker.from_events("faq-test", [SlotSet("language", language)],
                                                   slots=domain.slots)
        message = await generator.generate(name, tracker, "rest", **kwargs)
        assert message is not None, f"{name} has no {language} variation"
        return message["text"]

    return render_response


def _deep_update(data: Dict[str, Any], changes: Dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict):
            _deep_update(data[key], value)
        else:
            data[key] = value
