"""What staff do with one conversation: read it, take it, reply, hand it back, close it, put it back.

Only the staff member holding a ticket can reply to, finish or release it. Taking a ticket is the store's
conditional update, so of two people clicking at once exactly one gets it (the other sees 409). Every
action is in the audit trail: claims, releases and finishes by the store functions, replies and transcript
reads here. A change is made in Rasa before it is recorded as done in the store, so a Rasa failure leaves
the ticket as it was (502, and a reply that was not sent is shown back for copying).
"""
from __future__ import annotations

import asyncio

from aiohttp import web

from bot.console import keys
from bot.console.pages import Page, notice_of, refusal, render, see_other
from bot.console.rasa_api import RasaUnavailable
from bot.console.canned_replies import canned_replies
from bot.console.i18n import DEFAULT_LANGUAGE, known_language
from bot.console.ticket_page import MAX_REPLY_CHARS, ticket_page_body, transcript_entry
from bot.console.transcript import Conversation
from bot.store import (
    Actor,
    HandoffTicketView,
    audit,
    claim_ticket,
    finish_ticket,
    get_staff,
    get_ticket,
    release_ticket,
)

_LARGEST_ID = 2**31 - 1


def _family_gettext(request: web.Request, language: str):
    """The catalog of the family's language (the ticket's), for replies to them."""
    translations = request.app[keys.TRANSLATIONS]
    return translations[known_language(language) or DEFAULT_LANGUAGE].gettext


async def ticket_page(request: web.Request) -> web.Response:
    ticket = await ticket_of(request)
    engine = request.app[keys.ENGINE]
    session = keys.current_session(request)
    holder = await asyncio.to_thread(get_staff, engine, ticket.claimed_by) if ticket.claimed_by else None
    await asyncio.to_thread(audit, engine, Actor("staff", session.staff.username), "handoff.transcript_read",
                            f"ticket:{ticket.id}")
    try:
        conversation = await request.app[keys.RASA].conversation(ticket.conversation_id)
    except RasaUnavailable:
        conversation = None
    page = Page.of(request)
    body = ticket_page_body(page, ticket, holder=holder, conversation=conversation,
                            transcript=await _transcript(request, conversation),
                            poll_ms=request.app[keys.CONFIG].poll_seconds * 1000,
                            canned=canned_replies(page, _family_gettext(request, ticket.language)))
    _ = page.gettext
    title = _("Conversation #{number}").format(number=ticket.id)
    return render(page, title, body, notice=notice_of(request))


async def transcript_json(request: web.Request) -> web.Response:
    """The transcript again, for the page of the staff member holding the ticket to keep current."""
    ticket = await _held_ticket(request)
    try:
        conversation = await request.app[keys.RASA].conversation(ticket.conversation_id)
    except RasaUnavailable:
        return web.json_response({"error": "rasa_unavailable"}, status=502)
    lines = await _transcript(request, conversation)
    return web.json_response({"lines": lines, "paused": conversation.paused})


async def claim(request: web.Request) -> web.Response:
    ticket_id = _ticket_id(request)
    engine = request.app[keys.ENGINE]
    staff = keys.current_session(request).staff
    _ = keys.gettext(request)
    if not await asyncio.to_thread(claim_ticket, engine, ticket_id, staff.id):
        if await asyncio.to_thread(get_ticket, engine, ticket_id) is None:
            raise _no_such_ticket(request)
        raise refusal(request, 409, _("Someone else has taken this conversation, or it is closed."))
    ticket = await asyncio.to_thread(get_ticket, engine, ticket_id)
    try:  # the assistant may not have paused (a manual review, say): it must stay quiet while a person talks
        await request.app[keys.RASA].pause(ticket.conversation_id)
    except RasaUnavailable:
        await asyncio.to_thread(release_ticket, engine, ticket_id, staff.id)
        raise refusal(request, 502, _("The assistant's server did not answer, so the conversation stays in "
                                      "the queue. Try again shortly.")) from None
    return see_other(f"/tickets/{ticket_id}")


async def reply(request: web.Request) -> web.Response:
    ticket = await _held_ticket(request)
    staff = keys.current_session(request).staff
    _ = keys.gettext(request)
    text = str((await request.post()).get("text", "")).strip()
    if not text:
        raise refusal(request, 400, _("Write a reply first."))
    if len(text) > MAX_REPLY_CHARS:
        raise refusal(request, 400, _("A reply can have at most {count} characters.").format(
            count=MAX_REPLY_CHARS), draft=text)
    try:
        await request.app[keys.RASA].send_staff_reply(ticket.conversation_id, text, staff.id)
    except RasaUnavailable:
        raise refusal(request, 502, _("The assistant's server did not answer: your reply was not sent."),
                      draft=text) from None
    details = {"staff_id": staff.id, "characters": len(text)}  # never the text: it may hold personal data
    await asyncio.to_thread(audit, request.app[keys.ENGINE], Actor("staff", staff.username), "handoff.replied",
                            f"ticket:{ticket.id}", details)
    return see_other(f"/tickets/{ticket.id}?notice=reply_sent#reply")


async def release(request: web.Request) -> web.Response:
    """Put the conversation back in the queue for someone else; the assistant stays quiet meanwhile."""
    ticket = await _held_ticket(request)
    staff = keys.current_session(request).staff
    if not await asyncio.to_thread(release_ticket, request.app[keys.ENGINE], ticket.id, staff.id):
        raise _not_holding(request)
    return see_other("/?notice=released")


async def hand_back(request: web.Request) -> web.Response:
    """The assistant takes over again and says so (the bot side's `resume_conversation` intent)."""
    ticket = await _finish(request, "handed_back")
    intent = request.app[keys.CONFIG].resume_intent
    try:
        await request.app[keys.RASA].trigger_intent(ticket.conversation_id, intent)
    except RasaUnavailable:
        return see_other("/?notice=handed_back_quietly")
    return see_other("/?notice=handed_back")


async def close(request: web.Request) -> web.Response:
    """The matter is settled: the ticket is closed and the assistant answers whatever the user says next."""
    await _finish(request, "closed")
    return see_other("/?notice=closed")


async def _finish(request: web.Request, outcome: str) -> HandoffTicketView:
    ticket = await _held_ticket(request)
    staff = keys.current_session(request).staff
    _ = keys.gettext(request)
    try:
        await request.app[keys.RASA].resume(ticket.conversation_id)
    except RasaUnavailable:
        raise refusal(request, 502, _("The assistant's server did not answer, so nothing changed. Try again "
                                      "shortly.")) from None
    if not await asyncio.to_thread(finish_ticket, request.app[keys.ENGINE], ticket.id, staff.id, outcome):
        raise _not_holding(request)
    return ticket


def _ticket_id(request: web.Request) -> int:
    ticket_id = int(request.match_info["ticket_id"])
    if ticket_id > _LARGEST_ID:
        raise _no_such_ticket(request)
    return ticket_id


async def ticket_of(request: web.Request) -> HandoffTicketView:
    ticket = await asyncio.to_thread(get_ticket, request.app[keys.ENGINE], _ticket_id(request))
    if ticket is None:
        raise _no_such_ticket(request)
    return ticket


async def _held_ticket(request: web.Request) -> HandoffTicketView:
    ticket = await ticket_of(request)
    if ticket.status != "claimed" or ticket.claimed_by != keys.current_session(request).staff.id:
        raise _not_holding(request)
    return ticket


def _no_such_ticket(request: web.Request) -> web.HTTPException:
    _ = keys.gettext(request)
    return refusal(request, 404, _("There is no such conversation."))


def _not_holding(request: web.Request) -> web.HTTPException:
    _ = keys.gettext(request)
    return refusal(request, 409, _("You are not handling this conversation (any more)."))


async def _transcript(request: web.Request, conversation: Conversation | None) -> list[dict]:
    if conversation is None:
        return []
    engine = request.app[keys.ENGINE]
    names: dict[int, str] = {}
    for staff_id in {line.staff_id for line in conversation.lines if line.staff_id is not None}:
        account = await asyncio.to_thread(get_staff, engine, staff_id)
        if account is not None:
            names[staff_id] = account.display_name
    _ = keys.gettext(request)
    return [transcript_entry(line, _, keys.language(request), names) for line in conversation.lines]
