"""The plan's figures for responses, and today's date in China."""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timezone
from decimal import Decimal

from bot.core.plan.clock import today_in_china
from bot.core.plan.facts import plan_facts


def test_facts_in_chinese(plan):
    facts = plan_facts("zh", today=date(2026, 11, 28), plan=plan)
    assert facts == {
        "age_min": "60",
        "age_max": "70",
        "severe_payout": "10万元",
        "mild_payout": "5万元",
        "case_cap": "1元",
        "management_fee": "8%",
        "general_plan_cap": "188元",
        "waiting_days": "90",
        "cover_start_if_joined_today": "2027年2月27日",
        "joining_fee": "0元",
        "age_too_old": "71",
        "sharings_per_month": "2",
        "publish_days": "7日和21日",
        "deduction_days": "14日和28日",
        "next_publish_date": "2026年12月7日",
        "next_deduction_date": "2026年11月28日",
        "today": "2026年11月28日",
        "waiting_start_if_joined_today": "2026年11月29日",
        "waiting_end_if_joined_today": "2027年2月26日",
    }


def test_facts_in_english(plan):
    facts = plan_facts("en", today=date(2026, 11, 28), plan=plan)
    assert facts["severe_payout"] == "CN¥100,000"
    assert facts["cover_start_if_joined_today"] == "Feb 27, 2027"
    assert facts["publish_days"] == "7th and 21st"
    assert facts["deduction_days"] == "14th and 28th"
    assert facts["waiting_end_if_joined_today"] == "Feb 26, 2027"


def test_sharing_days_follow_the_plan(plan):
    sharing = dataclasses.replace(plan.costs.sharing, publish_days=(1, 2, 3, 11), deduction_days=(22,))
    changed = dataclasses.replace(plan, costs=dataclasses.replace(plan.costs, sharing=sharing))
    english = plan_facts("en", today=date(2026, 11, 28), plan=changed)
    assert english["publish_days"] == "1st, 2nd, 3rd, and 11th"
    assert english["deduction_days"] == "22nd"
    assert english["sharings_per_month"] == "4"
    assert plan_facts("zh", today=date(2026, 11, 28), plan=changed)["publish_days"] == "1日、2日、3日和11日"


def test_facts_follow_the_plan(plan):
    cheaper = dataclasses.replace(plan, costs=dataclasses.replace(plan.costs, cap_per_case=Decimal("0.50")))
    assert plan_facts("zh", today=date(2026, 11, 28), plan=cheaper)["case_cap"] == "0.5元"


def test_today_is_the_date_in_china():
    assert today_in_china(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)) == date(2026, 11, 28)
    assert today_in_china(datetime(2026, 11, 27, 15, 59, tzinfo=timezone.utc)) == date(2026, 11, 27)
