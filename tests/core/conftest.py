"""Fixtures for the core tests: the shipped plan, and broken or modified copies of its file."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from bot.core import settings
from bot.core.plan.config import PlanConfig, read_plan

SHIPPED_PLAN = Path(settings.SETTINGS["PLAN_CONFIG"].default)


@pytest.fixture
def plan() -> PlanConfig:
    """The plan configuration that ships with the assistant."""
    return read_plan(SHIPPED_PLAN)


@pytest.fixture
def plan_text() -> str:
    """The shipped plan file as text, comments and all."""
    return SHIPPED_PLAN.read_text(encoding="utf-8")


@pytest.fixture
def plan_data() -> dict[str, Any]:
    """The shipped plan file as plain data, to modify before writing a copy."""
    return yaml.safe_load(SHIPPED_PLAN.read_text(encoding="utf-8"))


@pytest.fixture
def write_plan(tmp_path: Path) -> Callable[[Any], Path]:
    """Write plan data (or raw YAML text) to a file in tmp_path and return its path."""

    def write(data: Any) -> Path:
        path = tmp_path / "plan.yml"
        text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
        path.write_text(text, encoding="utf-8")
        return path

    return write
