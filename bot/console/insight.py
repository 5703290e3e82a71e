"""The insight page (supervisors only): where families drop out, how enrollments end, why and how often
conversations go to staff and how long staff take to reply, which questions the assistant misunderstands.

    GET /insight[?language=zh|en]   the figures with bar charts drawn here as SVG (no script, no CDN)
    GET /insight.csv                every figure overall and by day, language and channel

The figures come from what the insight consumer (`python -m bot insight`) kept, through the same rules
the consumer's own CSV uses (bot.core.insight.figures).
"""
from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from typing import Optional

from aiohttp import web
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from markupsafe import Markup

from bot.console import keys
from bot.console.i18n import N_
from bot.console.labels import REASONS, label
from bot.console.pages import Page, join, render
from bot.core.i18n import locale_for
from bot.core.insight.figures import Figures, figures_of_kept, table
from bot.core.spreadsheet import safe_cell
from bot.store.insight import handoff_reasons, read_facts

INSIGHT_ROUTES = frozenset({"insight", "insight_csv"})
STAGES = {"started": N_("Started"), "privacy_consent": N_("Agreed to the privacy notice"),
          "identity": N_("Gave name, ID and phone"), "health_consent": N_("Agreed to the health questions"),
          "screening": N_("Began the health questions"), "outcome": N_("Got a screening result"),
          "authorization": N_("Authorized the deduction"), "enrolled": N_("Enrolled")}
QUESTIONS = {
    "privacy_consent": N_("Privacy notice"), "relationship": N_("Relationship"), "member_name": N_("Name"),
    "id_number": N_("ID number"), "phone": N_("Phone"), "health_consent": N_("Health information consent"),
    "member_agreement": N_("Member's agreement"), "truthful_declaration": N_("Declaration"),
    "deduction_authorization": N_("Deduction authorization"), "enrollment_confirmed": N_("Final check"),
    "(none)": N_("Outside the enrollment"),
    **{f"screening_h{n}": N_("Health question") for n in range(1, 7)},
}
OUTCOMES = {"enrolled": N_("Enrolled"), "declined": N_("Declined"), "deferred": N_("Come back after results"),
            "manual_review": N_("Manual review"), "too_young": N_("Too young"), "too_old": N_("Too old"),
            "privacy_refused": N_("Refused the privacy notice"),
            "health_consent_refused": N_("Refused the health questions"),
            "member_disagrees": N_("Member did not agree"), "declaration_refused": N_("Refused the declaration"),
            "authorization_refused": N_("Refused the deduction"), "already_member": N_("Already a member"),
            "cancelled": N_("Stopped")}
BAR_HEIGHT, LABEL_WIDTH, CHART_WIDTH = 26, 230, 640


def question_label(code: str, _) -> str:
    text = label(QUESTIONS, code, _)
    return f"{text} {code[-2:].upper()}" if code.startswith("screening_h") else text


def bar_chart(title: str, bars: list[tuple[str, int]], language: str) -> Markup:
    """A horizontal bar chart as inline SVG: one bar per (label, count), scaled to the largest."""
    if not bars:
        return Markup("")
    top = max(count for _, count in bars) or 1
    room = CHART_WIDTH - LABEL_WIDTH - 60
    rows = join(Markup(
        '<g transform="translate(0,{y})"><text x="{lx}" y="17" text-anchor="end" font-size="13">{label}</text>'
        '<rect x="{x}" y="4" width="{w}" height="18" fill="#0b63c5" rx="2"><title>{label}: {n}</title></rect>'
        '<text x="{tx}" y="17" font-size="13">{n}</text></g>').format(
        y=i * BAR_HEIGHT, lx=LABEL_WIDTH - 8, label=name, x=LABEL_WIDTH, w=max(1, round(room * count / top)),
        tx=LABEL_WIDTH + max(1, round(room * count / top)) + 6,
        n=babel_numbers.format_decimal(count, locale=locale_for(language)))
        for i, (name, count) in enumerate(bars))
    return Markup('<figure class="chart"><svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{t}" '
                  'width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="sans-serif" fill="#1d2733">'
                  '<title>{t}</title>{rows}</svg></figure>').format(
        t=title, w=CHART_WIDTH, h=len(bars) * BAR_HEIGHT + 4, rows=rows)


def duration(seconds: Optional[float], language: str, _) -> str:
    if seconds is None:
        return _("none yet")
    return babel_dates.format_timedelta(timedelta(seconds=seconds), threshold=1.5, locale=locale_for(language))


def _load(request: web.Request) -> "asyncio.Future[Figures]":
    engine = request.app[keys.ENGINE]
    return asyncio.to_thread(lambda: figures_of_kept(read_facts(engine), handoff_reasons(engine)))


def _filters(page: Page, chosen: Optional[str]) -> Markup:
    _ = page.gettext
    options = [(None, _("All languages")), ("zh", "中文"), ("en", "English")]
    return Markup('<p class="filters">{}</p>').format(Markup(" · ").join(
        Markup('<a href="/insight{q}"{cur}>{text}</a>').format(
            q=f"?language={code}" if code else "", text=text,
            cur=Markup(' aria-current="true"') if code == chosen else "")
        for code, text in options))


def _handoff_table(figures: Figures, page: Page) -> Markup:
    _ = page.gettext
    rows = join(Markup("<tr><td>{reason}</td><td>{n}</td><td>{wait}</td></tr>").format(
        reason=label(REASONS, reason, _), n=count,
        wait=duration(figures.median_seconds_to_first_reply(reason), page.language, _))
        for reason, count in figures.handoff_reasons().most_common())
    return Markup('<table class="queue"><thead><tr><th>{r}</th><th>{n}</th><th>{w}</th></tr></thead>'
                  '<tbody>{rows}</tbody></table>').format(
        r=_("Reason"), n=_("Handoffs"), w=_("Median time to the first staff reply"), rows=rows)


async def insight_page(request: web.Request) -> web.Response:
    page = Page.of(request)
    _ = page.gettext
    language = request.query.get("language")
    language = language if language in ("zh", "en") else None
    figures = await _load(request)
    if language:
        figures = figures.where(language=language)
    funnel = [(label(STAGES, stage, _), count) for stage, count in figures.funnel()]
    drops = [(question_label(q, _), n) for q, n in figures.drop_offs().most_common()]
    outcomes = [(label(OUTCOMES, r, _), n) for r, n in figures.outcomes().most_common()]
    missed = [(question_label(q, _), n) for q, n in figures.misunderstood_questions().most_common()]
    body = Markup(
        '<h1>{heading}</h1>{filters}<p><a href="/insight.csv" download>{csv}</a></p>'
        '<h2>{h_funnel}</h2>{funnel}<p>{median_enroll}</p>'
        '<h2>{h_drops}</h2>{drops}<h2>{h_outcomes}</h2>{outcomes}'
        '<h2>{h_handoffs}</h2>{handoffs}<h2>{h_missed}</h2>{missed}{empty}').format(
        heading=_("Insight"), filters=_filters(page, language), csv=_("Download every figure (CSV)"),
        h_funnel=_("Enrollment funnel"), funnel=bar_chart(_("Enrollment funnel"), funnel, page.language),
        median_enroll=_("Median time to enroll: {time}").format(
            time=duration(figures.median_seconds_to_enroll(), page.language, _)),
        h_drops=_("Where unfinished enrollments stopped"),
        drops=bar_chart(_("Where unfinished enrollments stopped"), drops, page.language),
        h_outcomes=_("How enrollments ended"),
        outcomes=bar_chart(_("How enrollments ended"), outcomes, page.language),
        h_handoffs=_("Handoffs to staff"), handoffs=_handoff_table(figures, page),
        h_missed=_("Misunderstandings per question"),
        missed=bar_chart(_("Misunderstandings per question"), missed, page.language),
        empty=Markup('<p class="empty">{}</p>').format(_("No conversations yet.")) if not figures.attempts
        and not figures.handoffs else "")
    return render(page, _("Insight"), body)


async def insight_csv(request: web.Request) -> web.Response:
    out = io.StringIO()
    csv.writer(out).writerows(table(await _load(request), safe_cell))
    return web.Response(body=out.getvalue().encode("utf-8-sig"), content_type="text/csv", charset="utf-8",
                        headers={"Content-Disposition": 'attachment; filename="insight.csv"'})
