"""The queue: conversations waiting for a person, the longest-waiting first, and the ones you hold.

`GET /` is the page; `GET /queue.json` is the same list as data, which the page's script asks for every few
seconds to keep the table current without a reload (labels come translated, times formatted).

Each waiting time is coloured by the plan's response target (handoff.response_target_minutes) and says so
in words too; staff can filter by reason, language and channel, show only their own conversations, and
find one by its enrollment number (console.js, on the rows' data attributes). A conversation from a
channel that cannot receive replies (REST) says so before anyone takes it, with the phone number the
family gave (masked, as staff see every number). Each row names the member masked (王＊英, from the
ticket's summary) and the family's last message (bot/console/last_messages.py). The page hears of new,
taken and closed conversations at once (bot/console/live.py) and polls slowly for the rest. On a phone
the table becomes one card per conversation (console.css).
"""
from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.i18n import N_
from bot.console.last_messages import LAST_MESSAGES
from bot.console.labels import (CHANNELS, CHANNELS_WITHOUT_PUSH, REASONS, TICKET_LANGUAGES, WAITING_LEVELS, label,
                                waiting_level, waiting_time)
from bot.console.pages import Page, join, notice_of, render
from bot.core.identity import mask_name
from bot.core.personal_data import mask_personal_numbers
from bot.core.plan.config import load_plan
from bot.store import HandoffTicketView, list_claimed_tickets, list_waiting_tickets
from bot.store.models import utcnow


NO_REPLIES = N_("This channel cannot receive replies: call the family back instead.")
CALL_BACK_ON = N_("Call back on: {phone}")
NO_NUMBER = N_("The family gave no phone number yet.")
LIVE_POLL_SECONDS = 20  # with live events, polling only refreshes waiting times and last messages


def member_of(ticket: HandoffTicketView) -> str:
    """The member's name as the queue shows it: masked (again, whatever the summary holds), or ""."""
    name = ticket.summary.get("member_name")
    return mask_name(str(name)) if name else ""


def phone_of(ticket: HandoffTicketView) -> str:
    """The phone number the family gave, masked (139****5678), or ""."""
    phone = ticket.summary.get("phone")
    return mask_personal_numbers(str(phone)) if phone else ""


async def _tickets(request: web.Request) -> tuple[list[HandoffTicketView], list[HandoffTicketView]]:
    engine = request.app[keys.ENGINE]
    staff_id = keys.current_session(request).staff.id
    waiting = await asyncio.to_thread(list_waiting_tickets, engine)
    mine = await asyncio.to_thread(list_claimed_tickets, engine, staff_id)
    return waiting, mine


async def _last_messages(request: web.Request, tickets: list[HandoffTicketView]) -> dict[str, str]:
    return await request.app[LAST_MESSAGES].of(request.app[keys.RASA], (t.conversation_id for t in tickets))


def _no_reply_note(ticket: HandoffTicketView, _: Any) -> str:
    if ticket.channel not in CHANNELS_WITHOUT_PUSH:
        return ""
    phone = phone_of(ticket)
    return " ".join((_(NO_REPLIES), _(CALL_BACK_ON).format(phone=phone) if phone else _(NO_NUMBER)))


def queue_entry(request: web.Request, ticket: HandoffTicketView, last_message: str = "") -> dict[str, Any]:
    """One ticket as the queue shows it, labels translated into the request's language."""
    _ = keys.gettext(request)
    language = keys.language(request)
    since = ticket.claimed_at if ticket.status == "claimed" and ticket.claimed_at else ticket.created_at
    waited = (utcnow() - ticket.created_at).total_seconds()
    level = waiting_level(waited, load_plan().handoff.response_target_minutes)
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
        "waiting_level": level,
        "waiting_level_label": _(WAITING_LEVELS[level]),
        "enrollment_number": str(ticket.summary.get("enrollment_number") or ""),
        "member": member_of(ticket),
        "last_message": mask_personal_numbers(last_message),
        "no_reply_note": _no_reply_note(ticket, _),
    }


async def queue_json(request: web.Request) -> web.Response:
    waiting, mine = await _tickets(request)
    said = await _last_messages(request, waiting + mine)
    return web.json_response({
        "waiting": [queue_entry(request, t, said.get(t.conversation_id, "")) for t in waiting],
        "mine": [queue_entry(request, t, said.get(t.conversation_id, "")) for t in mine],
    })


async def queue_page(request: web.Request) -> web.Response:
    page = Page.of(request)
    _ = page.gettext
    waiting, mine = await _tickets(request)
    said = await _last_messages(request, waiting + mine)
    config = request.app[keys.CONFIG]
    body = Markup("""<h1>{heading}</h1>
<p class="hint">{hint}</p>
{filters}
<table class="queue" id="queue" data-source="/queue.json" data-events="/queue/events" data-interval="{interval}"
 data-live-interval="{live_interval}" data-claim="{claim}">
<thead><tr>
<th>{number}</th><th>{member}</th><th>{language}</th><th>{reason}</th><th>{channel}</th><th>{last}</th>
<th>{waiting_for}</th><th><span class="visually-hidden">{actions}</span></th>
</tr></thead>
<tbody>{rows}</tbody>
</table>
<p class="empty" id="queue-empty"{empty_hidden}>{empty}</p>
<h2>{mine_heading}</h2>
<ul class="mine" id="mine">{mine}</ul>
<p class="empty" id="mine-empty"{mine_hidden}>{mine_empty}</p>""").format(
        heading=_("Waiting conversations"), filters=_filters(page),
        hint=_("The longest-waiting first. This list updates by itself."),
        interval=config.poll_seconds * 1000, live_interval=max(config.poll_seconds, LIVE_POLL_SECONDS) * 1000,
        claim=_("Take it"), number=_("No."), member=_("Member"), language=_("Language"), reason=_("Reason"),
        channel=_("Channel"), last=_("Last message"), waiting_for=_("Waiting for"), actions=_("Actions"),
        rows=join(_waiting_row(page, queue_entry(request, t, said.get(t.conversation_id, ""))) for t in waiting),
        empty_hidden=Markup(" hidden") if waiting else "", empty=_("Nobody is waiting."),
        mine_heading=_("Conversations you are handling"),
        mine=join(_mine_item(queue_entry(request, t, said.get(t.conversation_id, ""))) for t in mine),
        mine_hidden=Markup(" hidden") if mine else "", mine_empty=_("None at the moment."),
    )
    return render(page, _("Queue"), body, notice=notice_of(request))


def _filters(page: Page) -> Markup:
    """The filter bar: reason, language, channel, only mine, and a search by enrollment number."""
    _ = page.gettext

    def choice(name: str, title: str, table: dict[str, str]) -> Markup:
        options = join(Markup('<option value="{}">{}</option>').format(code, _(text)) for code, text in table.items())
        return Markup('<label>{title}<select name="{name}"><option value="">{all}</option>{options}</select>'
                      '</label>').format(title=title, name=name, all=_("All"), options=options)

    return Markup('<form class="filters" id="filters" role="search" aria-label="{label}">{reason}{language}'
                  '{channel}<label class="check"><input type="checkbox" name="mine"> {mine}</label>'
                  '<label>{search}<input type="search" name="number" inputmode="latin" autocomplete="off">'
                  '</label></form>').format(
        label=_("Filter the queue"), reason=choice("reason", _("Reason"), REASONS),
        language=choice("language", _("Language"), TICKET_LANGUAGES),
        channel=choice("channel", _("Channel"), CHANNELS), mine=_("Only the ones I handle"),
        search=_("Search by enrollment number"))


def _waiting_row(page: Page, entry: dict[str, Any]) -> Markup:
    _ = page.gettext
    # console.js builds the same row from /queue.json: keep the two alike.
    return Markup('<tr data-ticket="{id}" data-reason="{reason_code}" data-language="{language_code}" '
                  'data-channel="{channel_code}" data-number="{number}">'
                  '<td data-label="{h_number}" class="short"><a href="{url}">#{id}</a></td>'
                  '<td data-label="{h_member}" class="short">{member}</td>'
                  '<td data-label="{h_language}" class="short">{language}</td>'
                  '<td data-label="{h_reason}" class="reason">{reason}</td>'
                  '<td data-label="{h_channel}" class="short">{channel}</td>'
                  '<td data-label="{h_last}" class="last">{last}</td>'
                  '<td data-label="{h_waiting}" class="wait {level}">{waiting} '
                  '<span class="level">{level_label}</span></td>'
                  '<td>{note}{claim}</td></tr>').format(
        id=entry["id"], url=entry["url"], member=entry["member"] or "–", language=entry["language_label"],
        reason=entry["reason_label"], channel=entry["channel_label"], last=entry["last_message"] or "–",
        waiting=entry["waiting_label"], reason_code=entry["reason"],
        language_code=entry["language"], channel_code=entry["channel"], number=entry["enrollment_number"],
        level=entry["waiting_level"], level_label=entry["waiting_level_label"],
        h_number=_("No."), h_member=_("Member"), h_language=_("Language"), h_reason=_("Reason"),
        h_channel=_("Channel"), h_last=_("Last message"), h_waiting=_("Waiting for"),
        note=Markup('<p class="no-reply">{}</p>').format(entry["no_reply_note"]) if entry["no_reply_note"] else "",
        claim=page.post_button(entry["claim_url"], _("Take it")))


def _mine_item(entry: dict[str, Any]) -> Markup:
    return Markup('<li data-ticket="{id}" data-reason="{reason_code}" data-language="{language_code}" '
                  'data-channel="{channel_code}" data-number="{number}">'
                  '<a href="{url}">{text}</a></li>').format(
        id=entry["id"], url=entry["url"], text=mine_text(entry),
        reason_code=entry["reason"], language_code=entry["language"], channel_code=entry["channel"],
        number=entry["enrollment_number"])


def mine_text(entry: dict[str, Any]) -> str:
    """#12 · 王＊英 · Chinese · Asked for a person (console.js writes the same)."""
    return " · ".join(part for part in (f"#{entry['id']}", entry["member"], entry["language_label"],
                                        entry["reason_label"]) if part)
