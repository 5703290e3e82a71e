"""The queue: conversations waiting for a person, the longest-waiting first, and the ones you hold.

`GET /` is the page; `GET /queue.json` is the same list as data, which the page's script asks for every few
seconds to keep the table current without a reload (labels come translated, times formatted).
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.labels import CHANNELS, REASONS, TICKET_LANGUAGES, label, waiting_time
from bot.console.pages import Page, join, notice_of, render
from bot.store import HandoffTicketView, list_claimed_tickets, list_waiting_tickets
from bot.store.models import utcnow


async def _tickets(request: web.Request) -> tuple[list[HandoffTicketView], list[HandoffTicketView]]:
    engine = request.app[keys.ENGINE]
    staff_id = keys.current_session(request).staff.id
    waiting = await asyncio.to_thread(list_waiting_tickets, engine)
    mine = await asyncio.to_thread(list_claimed_tickets, engine, staff_id)
    return waiting, mine


def queue_entry(request: web.Request, ticket: HandoffTicketView) -> dict[str, Any]:
    """One ticket as the queue shows it, labels translated into the request's language."""
    _ = keys.gettext(request)
    language = keys.language(request)
    since = ticket.claimed_at if ticket.status == "claimed" and ticket.claimed_at else ticket.created_at
    return {
        "id": ticket.id,
        "url": f"/tickets/{ticket.id}",
        "claim_url": f"/tickets/{ticket.id}/claim",
        "language": ticket.language,
        "language_label": label(TICKET_LANGUAGES, ticket.language, _),
        "reason": ticket.reason,
        "reason_label": label(REASONS, ticket.reason, _),
        "channel": ticket.channel,
        "channel_label": label(CHANNELS, ticket.channel, _),
        "created_at": ticket.created_at.isoformat(),
        "waiting_seconds": int((utcnow() - ticket.created_at).total_seconds()),
        "waiting_label": waiting_time(since, utcnow(), language),
    }


async def queue_json(request: web.Request) -> web.Response:
    waiting, mine = await _tickets(request)
    return web.json_response({
        "waiting": [queue_entry(request, t) for t in waiting],
        "mine": [queue_entry(request, t) for t in mine],
    })


async def queue_page(request: web.Request) -> web.Response:
    page = Page.of(request)
    _ = page.gettext
    waiting, mine = await _tickets(request)
    interval_ms = request.app[keys.CONFIG].poll_seconds * 1000
    body = Markup("""<h1>{heading}</h1>
<p class="hint">{hint}</p>
<table class="queue" id="queue" data-source="/queue.json" data-interval="{interval}" data-claim="{claim}">
<thead><tr>
<th>{number}</th><th>{language}</th><th>{reason}</th><th>{channel}</th><th>{waiting_for}</th><th></th>
</tr></thead>
<tbody>{rows}</tbody>
</table>
<p class="empty" id="queue-empty"{empty_hidden}>{empty}</p>
<h2>{mine_heading}</h2>
<ul class="mine" id="mine">{mine}</ul>
<p class="empty" id="mine-empty"{mine_hidden}>{mine_empty}</p>""").format(
        heading=_("Waiting conversations"),
        hint=_("The longest-waiting first. This list updates by itself."),
        interval=interval_ms, claim=_("Take it"),
        number=_("No."), language=_("Language"), reason=_("Reason"), channel=_("Channel"),
        waiting_for=_("Waiting for"),
        rows=join(_waiting_row(page, queue_entry(request, t)) for t in waiting),
        empty_hidden=Markup(" hidden") if waiting else "", empty=_("Nobody is waiting."),
        mine_heading=_("Conversations you are handling"),
        mine=join(_mine_item(queue_entry(request, t)) for t in mine),
        mine_hidden=Markup(" hidden") if mine else "", mine_empty=_("None at the moment."),
    )
    return render(page, _("Queue"), body, notice=notice_of(request))


def _waiting_row(page: Page, entry: dict[str, Any]) -> Markup:
    _ = page.gettext
    # console.js builds the same row from /queue.json: keep the two alike.
    return Markup('<tr data-ticket="{id}"><td><a href="{url}">#{id}</a></td><td>{language}</td>'
                  '<td>{reason}</td><td>{channel}</td><td>{waiting}</td><td>{claim}</td></tr>').format(
        id=entry["id"], url=entry["url"], language=entry["language_label"], reason=entry["reason_label"],
        channel=entry["channel_label"], waiting=entry["waiting_label"],
        claim=page.post_button(entry["claim_url"], _("Take it")))


def _mine_item(entry: dict[str, Any]) -> Markup:
    return Markup('<li data-ticket="{id}"><a href="{url}">#{id} · {language} · {reason}</a></li>').format(
        id=entry["id"], url=entry["url"], language=entry["language_label"], reason=entry["reason_label"])
