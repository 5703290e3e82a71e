"""Paths and the fixed date the plan-question tests share."""
from datetime import date
from pathlib import Path

from bot.core import settings

ROOT = Path(__file__).resolve().parents[2]
SHIPPED_PLAN = Path(settings.SETTINGS["PLAN_CONFIG"].default)
TODAY = date(2026, 11, 28)
