"""The plan's figures ready to drop into a response, formatted for the conversation's language.

Domain responses say {severe_payout} or {waiting_days}; bot.nlg fills them from `plan_facts(language)`,
so changing a number in the plan configuration changes every answer that mentions it.
"""
from __future__ import annotations

from datetime import date

from bot import i18n
from bot.plan.clock import today_in_china
from bot.plan.config import PlanConfig, load_plan
from bot.plan.cover import cover_dates


def plan_facts(language: str | None, *, today: date | None = None,
               plan: PlanConfig | None = None) -> dict[str, str]:
    """Placeholder name → text; `today` (default: today in China) dates the cover start of joining now."""
    plan = plan or load_plan()
    joined_today = cover_dates(today or today_in_china(), plan=plan)
    return {
        "age_min": i18n.format_number(plan.age.min, language),
        "age_max": i18n.format_number(plan.age.max, language),
        "severe_payout": i18n.format_money(plan.cover.payouts.severe, language, plan.currency),
        "mild_payout": i18n.format_money(plan.cover.payouts.mild, language, plan.currency),
        "case_cap": i18n.format_money(plan.costs.cap_per_case, language, plan.currency),
        "management_fee": i18n.format_percent(plan.costs.management_fee_rate, language),
        "general_plan_cap": i18n.format_money(plan.costs.general_plan_yearly_cap, language, plan.currency),
        "waiting_days": i18n.format_number(plan.cover.waiting_period_days, language),
        "cover_start_if_joined_today": i18n.format_date(joined_today.covered_from, language),
    }
