"""The support console's aiohttp application: its routes, middlewares and the resources it holds.

    GET  /                               the queue (waiting conversations, oldest first; yours)
    GET  /queue.json                     the same, as data for the page to refresh itself
    GET  /queue/events                   Server-Sent Events: the queue changed (bot/console/live.py)
    GET  /tickets/{id}                   one conversation: ticket, notes, whole transcript, actions
    GET  /tickets/{id}/transcript.json   the transcript again (for the staff member holding the ticket)
    POST /tickets/{id}/claim             take it (one winner when several click at once)
    POST /tickets/{id}/reply             say something to the user
    POST /tickets/{id}/hand-back         the assistant takes over again and says so
    POST /tickets/{id}/close             settled: close the ticket, the assistant answers what comes next
    POST /tickets/{id}/release           back into the queue for someone else
    GET  /all                            supervisors: every conversation handed to people, any state
    GET  /staff, POST /staff/{id}/disable|enable   supervisors: the staff accounts
    GET  /insight, /insight.csv          supervisors: the operator's figures (bot/console/insight.py)
    GET  /tickets/{id}/decision          a manual review or contested decline: the case and the form
    POST /tickets/{id}/decision          approve or decline with a reason (one decision per case)
    GET  /login, POST /login, POST /logout
    GET  /language/{zh|en}?next=/path    switch the console's language
    GET  /health                         "ok", for the launcher and load balancers
    GET  /static/...                     console.css, console.js
    GET  /metrics on CONSOLE_METRICS_PORT  Prometheus (a port of its own: this one is public)

Each request passes, in order: language → staff session → login check → role check → CSRF check →
handler. Responses
carry a strict Content-Security-Policy (scripts and styles from this site only) and no-framing headers.
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from pathlib import Path
from typing import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web

from bot import metrics
from bot.console import auth, call_back, decisions, insight, keys, live, queue, supervision, tickets
from bot.console.config import ConsoleConfig
from bot.console.csrf import LOGIN_ROUTE, csrf_middleware
from bot.console.i18n import load_translations
from bot.console.last_messages import LAST_MESSAGES, LastMessages
from bot.console.language_switch import language_middleware, switch_language
from bot.console.login_throttle import LoginThrottle
from bot.console.rasa_api import RasaClient
from bot.console.sessions import staff_session_middleware
from bot.metrics.server import start_metrics_port
from bot.store.shared_state import shared_state
from bot.store import engine_for, list_waiting_tickets

STATIC_DIR = Path(__file__).resolve().parent / "static"
TICKET = r"/tickets/{ticket_id:\d+}"

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


async def health(request: web.Request) -> web.Response:
    return web.Response(text="ok")


ROUTES = [
    web.get("/", queue.queue_page, name="queue"),
    web.get("/queue.json", queue.queue_json, name="queue_json"),
    web.get("/queue/events", live.queue_events, name="queue_events"),
    web.get(TICKET, tickets.ticket_page, name="ticket"),
    web.get(TICKET + "/transcript.json", tickets.transcript_json, name="transcript_json"),
    web.post(TICKET + "/claim", tickets.claim, name="claim"),
    web.post(TICKET + "/reply", tickets.reply, name="reply"),
    web.post(TICKET + "/hand-back", tickets.hand_back, name="hand_back"),
    web.post(TICKET + "/close", tickets.close, name="close"),
    web.post(TICKET + "/release", tickets.release, name="release"),
    web.post(TICKET + "/call-back-number", call_back.call_back_number, name="call_back_number"),
    web.get("/all", supervision.all_tickets, name="all_tickets"),
    web.get("/staff", supervision.staff_list, name="staff_list"),
    web.get("/insight", insight.insight_page, name="insight"),
    web.get("/insight.csv", insight.insight_csv, name="insight_csv"),
    web.post(r"/staff/{staff_id:\d{1,9}}/disable", supervision.staff_disable, name="staff_disable"),
    web.post(r"/staff/{staff_id:\d{1,9}}/enable", supervision.staff_enable, name="staff_enable"),
    web.get(TICKET + "/decision", decisions.decision_page, name="decision"),
    web.post(TICKET + "/decision", decisions.decide_case, name="decide"),
    web.get("/login", auth.login_form, name="login_form"),
    web.post("/login", auth.login, name=LOGIN_ROUTE),
    web.post("/logout", auth.logout, name="logout"),
    web.get("/language/{language}", switch_language, name="switch_language"),
    web.get("/health", health, name="health"),
    web.static("/static", STATIC_DIR, name="static"),
]


def create_app(config: ConsoleConfig) -> web.Application:
    """The console, ready for `web.run_app` or a TestServer. The store's schema must be current already."""
    app = web.Application(middlewares=[language_middleware, staff_session_middleware, auth.require_staff,
                                       supervision.require_supervisor, csrf_middleware])
    app[keys.CONFIG] = config
    app[keys.TRANSLATIONS] = load_translations()
    app[keys.LOGIN_THROTTLE] = LoginThrottle(config.login_failures_allowed, config.login_failure_window,
                                             per_address=config.login_attempts_per_address,
                                             state=shared_state())  # Redis in production
    app[LAST_MESSAGES] = LastMessages()
    app.add_routes(ROUTES)
    app.cleanup_ctx.extend([_store, _rasa, _metrics, live.watching])
    app.on_shutdown.append(live.stop_streams)
    app.on_response_prepare.append(_security_headers)
    return app


async def _store(app: web.Application) -> AsyncIterator[None]:
    engine = engine_for(app[keys.CONFIG].database_url)
    app[keys.ENGINE] = engine
    yield
    engine.dispose()


async def _rasa(app: web.Application) -> AsyncIterator[None]:
    config = app[keys.CONFIG]
    async with ClientSession(timeout=ClientTimeout(total=config.rasa_timeout_seconds)) as http:
        app[keys.RASA] = RasaClient(http, config.rasa_url, config.rasa_token)
        yield


async def _metrics(app: web.Application) -> AsyncIterator[None]:
    """The console's metrics on a port of their own (the console's is public): the handover queue."""
    config, engine = app[keys.CONFIG], app[keys.ENGINE]
    metrics.own(metrics.HANDOVER_QUEUE, metrics.HANDOVER_OLDEST_SECONDS)

    async def refresh() -> None:
        waiting = await asyncio.to_thread(list_waiting_tickets, engine)
        metrics.HANDOVER_QUEUE.set(len(waiting))
        oldest = min((ticket.created_at for ticket in waiting), default=None)
        metrics.HANDOVER_OLDEST_SECONDS.set(
            0 if oldest is None else max(0.0, (datetime.now(timezone.utc) - oldest).total_seconds()))

    runner = await start_metrics_port(config.metrics_host, config.metrics_port, refresh)
    yield
    if runner is not None:
        await runner.cleanup()


async def _security_headers(request: web.Request, response: web.StreamResponse) -> None:
    response.headers.update(SECURITY_HEADERS)
    if request.path != "/health" and not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"  # pages hold conversations: keep them out of caches
