"""What each notice says, in Chinese and English: the notices' wording is marked here and written in the
catalogs (bot.notify.catalog: locale/<language>/LC_MESSAGES/notices.po). Short, plain, one thing per
notice; numbers, money and dates formatted by Babel for the family's locale (zh_CN or en).

`notice_text` is the message itself (customer-service message, web chat, REST callback);
`template_fields` fills a WeChat template message (first, keyword1, keyword2, remark) for a user who
has not written for 48 hours: a heading, the membership number, the gist, and the notice as the remark."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Mapping

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from bot.core.plan.config import PlanConfig, load_plan
from bot.notify.catalog import N_, translate

LOCALES = {"zh": "zh_CN", "en": "en"}

# Each notice's wording (the English is the msgid; bot/notify/locale holds both languages' catalogs).
TEXTS: Mapping[str, str] = {
    "approved": N_("Hello! A person has checked the application {number} and approved it, because {reason}. "
                   "The waiting period lasts until {waiting_end}; cover starts on {cover_start}. "
                   "Reply any time if you have a question."),
    "declined": N_("Hello. A person has checked the application {number}; it cannot join this time, because "
                   "{reason}. If things change or you have new test results, reply \"talk to a human\" and "
                   "we will look again."),
    "deduction": N_("Reminder: this period's share is deducted on {deduction_on}. There are {cases} cases, so "
                    "you pay at most {at_most} (at most {per_case} per case). Membership {number}."),
    "deferred_reminder": N_("Hello! When you applied for your family member on {enrolled_on}, they were waiting "
                            "for test results. If the results are in and a tumour is ruled out, reply "
                            "\"enroll\" to apply again. To stop these notices, reply \"stop\"."),
    "waiting_period_end": N_("Good news: the waiting period is over. Your family member is covered from "
                             "{cover_start} (membership {number})."),
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
            return translate(TEXTS["approved"], lang).format(
                number=number, reason=words,
                waiting_end=day(date.fromisoformat(params["waiting_period_end"]), lang),
                cover_start=day(date.fromisoformat(params["cover_start"]), lang))
        return translate(TEXTS["declined"], lang).format(number=number, reason=words)
    if kind == "deduction":
        return translate(TEXTS["deduction"], lang).format(
            deduction_on=day(date.fromisoformat(params["deduction_on"]), lang),
            cases=format_decimal(params["cases"], locale=LOCALES[lang]),
            at_most=money(Decimal(params["at_most"]), lang, plan.currency),
            per_case=money(plan.costs.cap_per_case, lang, plan.currency), number=number)
    if kind == "waiting_period_end":
        return translate(TEXTS["waiting_period_end"], lang).format(
            cover_start=day(date.fromisoformat(params["cover_start"]), lang), number=number)
    if kind == "deferred_reminder":
        return translate(TEXTS["deferred_reminder"], lang).format(enrolled_on=day(date.fromisoformat(params["enrolled_on"]), lang))
    raise ValueError(f"no text for notice kind {kind!r}")


# A template message's heading and gist (keyword2), per kind.
HEADINGS: Mapping[str, str] = {
    "decision": N_("Your review result"),
    "deduction": N_("Deduction reminder"),
    "waiting_period_end": N_("Your cover starts"),
    "deferred_reminder": N_("A reminder to apply"),
}
GISTS: Mapping[str, str] = {
    "approve": N_("Approved"),
    "decline": N_("Cannot join this time"),
    "deduction": N_("Deducted on {deduction_on}, at most {at_most}"),
    "waiting_period_end": N_("Covered from {cover_start}"),
    "deferred_reminder": N_("Apply again once the results are in"),
}


def template_fields(kind: str, language: str, params: Mapping[str, Any], *,
                    plan: PlanConfig | None = None) -> dict[str, str]:
    """The values of a WeChat template message for this notice, in the family's language."""
    plan = plan or load_plan()
    lang = _language(language)
    if kind == "decision":
        gist = translate(GISTS[params["decision"]], lang)
    elif kind == "deduction":
        gist = translate(GISTS[kind], lang).format(deduction_on=day(date.fromisoformat(params["deduction_on"]), lang),
                                        at_most=money(Decimal(params["at_most"]), lang, plan.currency))
    elif kind == "waiting_period_end":
        gist = translate(GISTS[kind], lang).format(cover_start=day(date.fromisoformat(params["cover_start"]), lang))
    else:
        gist = translate(GISTS[kind], lang)
    return {"first": translate(HEADINGS[kind], lang), "keyword1": params.get("enrollment_number", ""), "keyword2": gist,
            "remark": notice_text(kind, language, params, plan=plan)}
