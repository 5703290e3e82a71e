"""The plan's figures ready to drop into a response, formatted for the conversation's language.

Domain responses say {severe_payout} or {waiting_days}; bot.rasa.nlg fills them from `plan_facts(language)`,
so changing a number in the plan configuration changes every answer that mentions it.
"""
from __future__ import annotations

from datetime import date

from babel.lists import format_list

from bot.core import i18n
from bot.core.language import normalise_language
from bot.core.plan.clock import today_in_china
from bot.core.plan.config import PlanConfig, load_plan
from bot.core.plan.contributions import next_deduction_date, next_publish_date
from bot.core.plan.cover import cover_dates


def plan_facts(language: str | None, *, today: date | None = None,
               plan: PlanConfig | None = None) -> dict[str, str]:
    """Placeholder name → text; `today` (default: today in China) dates the cover start of joining now."""
    plan = plan or load_plan()
    today = today or today_in_china()
    joined_today = cover_dates(today, plan=plan)
    sharing = plan.costs.sharing
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
        # Added for the plan-question answers (FAQ): joining, the first age that can no longer join,
        # the sharing calendar and the waiting period of someone joining today.
        "joining_fee": i18n.format_money(plan.costs.joining_fee, language, plan.currency),
        "age_too_old": i18n.format_number(plan.age.max + 1, language),
        "sharings_per_month": i18n.format_number(len(sharing.publish_days), language),
        "publish_days": _days_of_month(sharing.publish_days, language),
        "deduction_days": _days_of_month(sharing.deduction_days, language),
        "next_publish_date": i18n.format_date(next_publish_date(today, plan=plan), language),
        "next_deduction_date": i18n.format_date(next_deduction_date(today, plan=plan), language),
        "today": i18n.format_date(today, language),
        "waiting_start_if_joined_today": i18n.format_date(joined_today.waiting_period_starts, language),
        "waiting_end_if_joined_today": i18n.format_date(joined_today.waiting_period_ends, language),
    }


def deduction_schedule(language: str | None, plan: PlanConfig | None = None) -> str:
    """The deduction schedule as the authorization question shows it, in the user's language:
    每月14日和28日各扣一次 / on the 14th and 28th of each month (kept with the authorization record)."""
    plan = plan or load_plan()
    days = _days_of_month(plan.costs.sharing.deduction_days, language)
    if normalise_language(language) == "en":
        return f"on the {days} of each month"
    return f"每月{days}各扣一次"


_ENGLISH_ORDINAL_SUFFIXES = {"one": "st", "two": "nd", "few": "rd"}


def _days_of_month(days: tuple[int, ...], language: str | None) -> str:
    """Days of the month as a list: 7日和21日 / 7th and 21st."""
    locale = i18n.locale_for(language)
    if normalise_language(language) == "en":
        names = [f"{day}{_ENGLISH_ORDINAL_SUFFIXES.get(locale.ordinal_form(day), 'th')}" for day in days]
    else:
        names = [f"{i18n.format_number(day, language)}日" for day in days]
    return format_list(names, locale=locale)
