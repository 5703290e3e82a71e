"""The number to call a family back on, for a supervisor, and only with a record of who looked.

A family that talks to us over REST cannot receive a staff reply, so the queue offers the phone number it
gave, masked (139****5678). Someone has to dial it: the plan shows personal numbers only masked, except
to staff with the supervisor role, audited. So a supervisor, on the ticket's page, asks for the full
number; the console reads it from the conversation (the assistant's own `phone` slot, never kept by the
console), writes `handoff.call_back_number_read` to the audit trail (the ticket, never the number) and
shows it once on a page that is not cached. Agents get 403 (bot.console.supervision).
"""
from __future__ import annotations

import asyncio

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.labels import CHANNELS_WITHOUT_PUSH
from bot.console.pages import Page, refusal, render
from bot.console.rasa_api import RasaUnavailable
from bot.console.tickets import ticket_of
from bot.store import Actor, audit

PHONE_SLOT = "phone"


async def call_back_number(request: web.Request) -> web.Response:
    engine = request.app[keys.ENGINE]
    _ = keys.gettext(request)
    ticket = await ticket_of(request)
    if ticket.channel not in CHANNELS_WITHOUT_PUSH:
        raise refusal(request, 409, _("This family can receive replies here; no call-back is needed."))
    try:
        number = await request.app[keys.RASA].slot_value(ticket.conversation_id, PHONE_SLOT)
    except RasaUnavailable as error:
        raise refusal(request, 502, _("The assistant's server did not answer, so nothing changed. Try again shortly.")) from error
    staff = keys.current_session(request).staff
    await asyncio.to_thread(audit, engine, Actor("staff", staff.username), "handoff.call_back_number_read",
                            f"ticket:{ticket.id}")
    page = Page.of(request)
    shown = (Markup('<p class="call-back-number"><a href="tel:{0}">{0}</a></p>').format(number) if number
             else Markup('<p class="hint">{}</p>').format(_("The family gave no phone number yet.")))
    body = Markup('<p><a href="/tickets/{id}">{back}</a></p><h1>{heading}</h1>{shown}<p class="hint">{note}</p>').format(
        id=ticket.id, back=_("← Back to the conversation"), shown=shown,
        heading=_("Number to call back, conversation #{number}").format(number=ticket.id),
        note=_("Do not write this number down or pass it on. Your look at it is recorded."))
    response = render(page, _("Number to call back"), body)
    response.headers["Cache-Control"] = "no-store"
    return response
