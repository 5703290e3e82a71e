"""Pages for supervisors only: every conversation handed to people (not just the queue and one's own),
and the staff accounts, which they can disable (ending that account's sessions) or enable again.

Agents get 403 on these routes (`require_supervisor`); roles are set with `python -m bot staff
create --role` or `set-role`. Every change is audited under the supervisor.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web
from markupsafe import Markup

from bot.console import keys
from bot.console.i18n import N_
from bot.console.labels import REASONS, TICKET_LANGUAGES, TICKET_STATUSES, date_time, label
from bot.console.pages import Page, join, notice_of, refusal, render, see_other
from bot.store import Actor
from bot.store.staff_admin import disable_staff, enable_staff, list_staff
from bot.store.supervision import list_all_tickets

SUPERVISOR_ROUTES = frozenset({"all_tickets", "staff_list", "staff_disable", "staff_enable",
                               "insight", "insight_csv", "call_back_number"})
ROLES = {"agent": N_("Agent"), "supervisor": N_("Supervisor")}

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def require_supervisor(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.match_info.route.name in SUPERVISOR_ROUTES:
        session = keys.staff_session(request)
        if session is None or not session.staff.supervisor:
            _ = keys.gettext(request)
            raise refusal(request, 403, _("Only supervisors can open this page."))
    return await handler(request)


async def all_tickets(request: web.Request) -> web.Response:
    engine = request.app[keys.ENGINE]
    page = Page.of(request)
    _ = page.gettext
    tickets = await asyncio.to_thread(list_all_tickets, engine)
    accounts = {a.id: a for a in await asyncio.to_thread(list_staff, engine)}
    rows = join(Markup('<tr><td><a href="/tickets/{id}">#{id}</a></td><td>{status}</td><td>{language}</td>'
                       '<td>{reason}</td><td>{holder}</td><td>{opened}</td></tr>').format(
        id=t.id, status=label(TICKET_STATUSES, t.status, _), language=label(TICKET_LANGUAGES, t.language, _),
        reason=label(REASONS, t.reason, _),
        holder=accounts[t.claimed_by].display_name if t.claimed_by in accounts else "",
        opened=date_time(t.created_at, page.language)) for t in tickets)
    body = Markup('<h1>{heading}</h1><table class="queue"><thead><tr><th>{number}</th><th>{status}</th>'
                  '<th>{language}</th><th>{reason}</th><th>{holder}</th><th>{opened}</th></tr></thead>'
                  '<tbody>{rows}</tbody></table>{empty}').format(
        heading=_("All conversations"), number=_("No."), status=_("Status"), language=_("Language"),
        reason=_("Reason"), holder=_("Handled by"), opened=_("Opened"), rows=rows,
        empty=Markup('<p class="empty">{}</p>').format(_("No conversations yet.")) if not tickets else "")
    return render(page, _("All conversations"), body)


async def staff_list(request: web.Request) -> web.Response:
    page = Page.of(request)
    _ = page.gettext
    me = keys.current_session(request).staff.id
    accounts = await asyncio.to_thread(list_staff, request.app[keys.ENGINE])

    def action(account) -> Markup:
        if account.id == me:
            return Markup("")
        if account.active:
            return page.post_button(f"/staff/{account.id}/disable", _("Disable"))
        return page.post_button(f"/staff/{account.id}/enable", _("Enable"))

    rows = join(Markup("<tr><td>{username}</td><td>{name}</td><td>{role}</td><td>{state}</td><td>{action}</td>"
                       "</tr>").format(username=a.username, name=a.display_name, role=label(ROLES, a.role, _),
                                       state=_("Active") if a.active else _("Disabled"), action=action(a))
                for a in accounts)
    body = Markup('<h1>{heading}</h1><table class="queue"><thead><tr><th>{username}</th><th>{name}</th>'
                  '<th>{role}</th><th>{state}</th><th></th></tr></thead><tbody>{rows}</tbody></table>').format(
        heading=_("Staff"), username=_("Username"), name=_("Name"), role=_("Role"), state=_("Status"), rows=rows)
    return render(page, _("Staff"), body, notice=notice_of(request))


async def _change(request: web.Request, change) -> web.Response:
    engine = request.app[keys.ENGINE]
    session = keys.current_session(request)
    staff_id = int(request.match_info["staff_id"])
    target = next((a for a in await asyncio.to_thread(list_staff, engine) if a.id == staff_id), None)
    _ = keys.gettext(request)
    if target is None:
        raise refusal(request, 404, _("There is no such staff account."))
    if target.id == session.staff.id:
        raise refusal(request, 409, _("You cannot disable your own account."))
    await asyncio.to_thread(change, engine, target.username, Actor("staff", session.staff.username))
    return see_other("/staff?notice=staff_changed")


async def staff_disable(request: web.Request) -> web.Response:
    return await _change(request, disable_staff)


async def staff_enable(request: web.Request) -> web.Response:
    return await _change(request, enable_staff)
