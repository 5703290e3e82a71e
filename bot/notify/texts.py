"""What each notice says, in Chinese and English: the one place notice texts live. Short, plain, one
thing per notice; money and dates formatted by Babel for the family's locale (zh_CN or en)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from babel.dates import format_date
from babel.numbers import format_currency

from bot.core.plan.config import PlanConfig, load_plan

LOCALES = {"zh": "zh_CN", "en": "en"}

TEXTS: Mapping[str, Mapping[str, str]] = {
    "approved": {
        "zh": "您好！您为家人提交的加入申请（编号 {number}）经人工审核已通过，因为{reason}。"
              "等待期到{waiting_end}为止，从{cover_start}起开始保障。有问题可以随时回复我们。",
        "en": "Hello! A person has checked the application {number} and approved it, because {reason}. "
              "The waiting period lasts until {waiting_end}; cover starts on {cover_start}. "
              "Reply any time if you have a question.",
    },
    "declined": {
        "zh": "您好！您为家人提交的加入申请（编号 {number}）经人工审核，这次不能加入，因为{reason}。"
              "如果情况有变化或有新的检查结果，可以回复“转人工”，我们再帮您看看。",
        "en": "Hello. A person has checked the application {number}; it cannot join this time, because "
              "{reason}. If things change or you have new test results, reply \"talk to a human\" and "
              "we will look again.",
    },
    "deduction": {
        "zh": "提醒：{deduction_on}将扣除本期互助金。本期共 {cases} 例，您最多需付{at_most}"
              "（每例不超过 {per_case}）。编号 {number}。",
        "en": "Reminder: this period's share is deducted on {deduction_on}. There are {cases} cases, so you "
              "pay at most {at_most} (at most {per_case} per case). Membership {number}.",
    },
    "waiting_period_end": {
        "zh": "好消息：您家人的等待期已经结束，从{cover_start}起开始保障（编号 {number}）。",
        "en": "Good news: the waiting period is over. Your family member is covered from {cover_start} "
              "(membership {number}).",
    },
}


def _language(language: str) -> str:
    return language if language in LOCALES else "zh"


def money(amount: Decimal, language: str, currency: str = "CNY") -> str:
    return format_currency(amount, currency, locale=LOCALES[_language(language)])


def day(value: date, language: str) -> str:
    return format_date(value, format="long", locale=LOCALES[_language(language)])


def notice_text(kind: str, language: str, params: Mapping[str, Any], *, plan: PlanConfig | None = None) -> str:
    """The text of a queued notice, in the family's language."""
    plan = plan or load_plan()
    lang = _language(language)
    number = params.get("enrollment_number", "")
    if kind == "decision":
        reason = plan.after.reason(params["reason"])
        words = reason.family[lang] if reason else ""
        if params["decision"] == "approve":
            return TEXTS["approved"][lang].format(
                number=number, reason=words,
                waiting_end=day(date.fromisoformat(params["waiting_period_end"]), lang),
                cover_start=day(date.fromisoformat(params["cover_start"]), lang))
        return TEXTS["declined"][lang].format(number=number, reason=words)
    if kind == "deduction":
        return TEXTS["deduction"][lang].format(
            deduction_on=day(date.fromisoformat(params["deduction_on"]), lang), cases=params["cases"],
            at_most=money(Decimal(params["at_most"]), lang, plan.currency),
            per_case=money(plan.costs.cap_per_case, lang, plan.currency), number=number)
    if kind == "waiting_period_end":
        return TEXTS["waiting_period_end"][lang].format(
            cover_start=day(date.fromisoformat(params["cover_start"]), lang), number=number)
    raise ValueError(f"no text for notice kind {kind!r}")
