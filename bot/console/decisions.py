"""Staff decisions in the console: for a manual review or a contested decline, the page shows the
screening answers and why the assistant could not decide, and a form to approve or decline with a reason
from the plan's list (bilingual labels in the plan configuration) and a note for colleagues.

    GET  /tickets/{id}/decision    the case and the form (or the decision, once made)
    POST /tickets/{id}/decision    decide: one decision per case (the store lets one of two staff win)

The store writes the decision, the enrollment's new status, the family's notice (sent by the notifier in
their language and channel) and the audit rows in one transaction.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Callable, Optional

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.i18n import N_
from bot.console.labels import date_time, label, summary_value
from bot.console.pages import Page, join, refusal, render, see_other
from bot.core.plan.clock import today_in_china
from bot.core.plan.config import load_plan
from bot.store import Actor, EnrollmentView, audit, get_enrollment, get_ticket
from bot.store.decisions import DECIDABLE_STATUSES, DecisionView, case_of_conversation, decide, get_decision

MAX_NOTE_CHARS = 1000
Clock = Callable[[], datetime]
CLOCK = web.AppKey("decision_clock", object)  # tests set a test clock; default: the wall clock

QUESTIONS = {
    "H1": N_("H1 · malignant or borderline tumour, ever"),
    "H2": N_("H2 · tumour treatment or transplant, ever"),
    "H3": N_("H3 · precancerous condition, past 2 years"),
    "H4": N_("H4 · raised tumour marker or unclear lump, past 12 months"),
    "H5": N_("H5 · warning signs, past 6 months"),
    "H6": N_("H6 · waiting for results or tests"),
}
ANSWERS = {"yes": N_("Yes"), "no": N_("No"), "not_sure": N_("Not sure")}
STATUSES = {"manual_review": N_("Manual review"), "declined": N_("Declined"), "active": N_("Active (covered)"),
            "eligible": N_("Eligible"), "deferred": N_("Deferred"), "withdrawn": N_("Withdrawn")}
DECISIONS = {"approve": N_("Approve"), "decline": N_("Decline")}


def _now(request: web.Request) -> datetime:
    clock = request.app.get(CLOCK)
    return clock() if clock else datetime.now(timezone.utc)


async def _case(request: web.Request) -> tuple[int, Optional[EnrollmentView]]:
    ticket_id = int(request.match_info["ticket_id"])
    engine = request.app[keys.ENGINE]
    ticket = await asyncio.to_thread(get_ticket, engine, ticket_id) if ticket_id < 2**31 else None
    if ticket is None:
        _ = keys.gettext(request)
        raise refusal(request, 404, _("There is no such conversation."))
    number = await asyncio.to_thread(case_of_conversation, engine, ticket.conversation_id)
    return ticket_id, (await asyncio.to_thread(get_enrollment, engine, number) if number else None)


async def decision_page(request: web.Request) -> web.Response:
    ticket_id, enrollment = await _case(request)
    page = Page.of(request)
    _ = page.gettext
    if enrollment is None:
        raise refusal(request, 404, _("This conversation has no enrollment to decide."))
    engine = request.app[keys.ENGINE]
    decision = await asyncio.to_thread(get_decision, engine, enrollment.enrollment_number)
    staff = keys.current_session(request).staff
    await asyncio.to_thread(audit, engine, Actor("staff", staff.username), "enrollment.read_for_decision",
                            f"enrollment:{enrollment.enrollment_number}")
    body = _body(page, ticket_id, enrollment, decision, request.query.get("notice") == "decided")
    return render(page, _("Decision on {number}").format(number=enrollment.enrollment_number), body)


def _body(page: Page, ticket_id: int, e: EnrollmentView, decision: Optional[DecisionView], just_decided: bool
          ) -> Markup:
    _ = page.gettext
    rows = [
        (_("Enrollment number"), e.enrollment_number),
        (_("Status"), label(STATUSES, e.status, _)),
        (_("Why the assistant could not decide"), summary_value(list(e.outcome_reasons))),
        (_("Submitted at"), date_time(e.created_at, page.language)),
    ]
    answers = [(label(QUESTIONS, q, _), label(ANSWERS, a, _)) for q, a in sorted(e.screening_answers.items())]
    parts = [
        Markup('<p><a href="/tickets/{}">{}</a></p><h1>{}</h1>').format(
            ticket_id, _("← Back to the conversation"),
            _("Decision on {number}").format(number=e.enrollment_number)),
        _dl("case", rows),
        Markup('<section class="screening"><h2>{}</h2>{}</section>').format(_("Health answers"),
                                                                            _dl("screening", answers)),
    ]
    if decision is not None:
        reason = load_plan().after.reason(decision.reason)
        parts.append(Markup('<section class="decision" id="decision"><h2>{}</h2>{}{}</section>').format(
            _("Decision"),
            Markup('<p class="notice" role="status">{}</p>').format(
                _("Decided. The family will be told in their language.")) if just_decided else "",
            _dl("decision", [
                (_("Decision"), label(DECISIONS, decision.decision, _)),
                (_("Reason"), reason.staff[page.language] if reason else decision.reason),
                (_("Note"), decision.note or "–"),
                (_("Decided by"), decision.staff_username),
                (_("Decided at"), date_time(decision.decided_at, page.language)),
            ])))
    elif e.status in DECIDABLE_STATUSES:
        parts.append(_form(page, ticket_id))
    else:
        parts.append(Markup('<p class="hint">{}</p>').format(_("This enrollment needs no decision.")))
    return join(parts)


def _form(page: Page, ticket_id: int) -> Markup:
    _ = page.gettext
    after = load_plan().after
    groups = join(
        Markup('<fieldset><legend>{}</legend>{}</fieldset>').format(
            label(DECISIONS, decision, _),
            join(Markup('<label><input type="radio" name="reason" value="{value}" required> {text}</label>')
                 .format(value=f"{decision}:{r.id}", text=r.staff[page.language])
                 for r in after.reasons_for(decision)))
        for decision in ("approve", "decline"))
    return Markup("""<section class="decide" id="decide"><h2>{heading}</h2>
<form method="post" action="/tickets/{ticket}/decision" class="decision-form">{csrf}
{groups}
<label for="decision-note">{note_label}</label>
<textarea id="decision-note" name="note" rows="3" maxlength="{max}"></textarea>
<button type="submit">{submit}</button>
</form>
<p class="hint">{hint}</p>
</section>""").format(
        heading=_("Decide"), ticket=ticket_id, csrf=page.csrf_field(), groups=groups,
        note_label=_("Note for colleagues (not sent to the family)"), max=MAX_NOTE_CHARS,
        submit=_("Record the decision"),
        hint=_("Approve: the membership starts today and the waiting period counts from today. The family "
               "is told the outcome and the reason in their language."))


def _dl(css_class: str, rows) -> Markup:
    return Markup('<dl class="{}">{}</dl>').format(
        css_class, join(Markup("<dt>{}</dt><dd>{}</dd>").format(term, value) for term, value in rows))


async def decide_case(request: web.Request) -> web.Response:
    ticket_id, enrollment = await _case(request)
    _ = keys.gettext(request)
    if enrollment is None:
        raise refusal(request, 404, _("This conversation has no enrollment to decide."))
    form = await request.post()
    decision, _sep, reason = str(form.get("reason", "")).partition(":")
    chosen = load_plan().after.reason(reason)
    if chosen is None or chosen.decision != decision:
        raise refusal(request, 400, _("Choose a decision and its reason."))
    note = str(form.get("note", "")).strip()
    if len(note) > MAX_NOTE_CHARS:
        raise refusal(request, 400, _("A note can have at most {count} characters.").format(count=MAX_NOTE_CHARS))
    now = _now(request)
    staff = keys.current_session(request).staff
    result = await asyncio.to_thread(
        decide, request.app[keys.ENGINE], enrollment.enrollment_number, staff_id=staff.id, decision=decision,
        reason=reason, note=note, now=now, decided_on=today_in_china(now))
    if result.status == "already_decided":
        raise refusal(request, 409, _("{name} has already decided this case.").format(
            name=result.decision.staff_username))
    if result.status == "already_member":
        raise refusal(request, 409, _("This member already has an active membership, so this enrollment "
                                      "cannot be approved."))
    if result.status != "decided":
        raise refusal(request, 409, _("This enrollment needs no decision."))
    return see_other(f"/tickets/{ticket_id}/decision?notice=decided#decision")
