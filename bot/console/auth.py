"""Logging in and out, and the check that keeps everything but the login page behind a login.

Passwords are checked against the argon2 hashes of the staff accounts (`python -m bot staff create`).
Every attempt is counted per username and per client address before its password is checked
(login_throttle.py): past either limit the console answers 429 without checking the password. Every refused login is in the audit trail (bot/store/staff.py), every
login and logout too (bot/store/staff_sessions.py).
"""
from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable
from urllib.parse import quote

from aiohttp import web

from bot.console import csrf, keys
from bot.console.login_throttle import client_address
from bot.console.pages import local_path, login_page, see_other
from bot.console.sessions import SESSION_COOKIE, clear_session_cookie, set_session_cookie
from bot.store import close_staff_session, open_staff_session, record_refused_login, verify_staff_password

log = logging.getLogger(__name__)

# Routes anyone may open; everything else needs a login.
PUBLIC_ROUTES = frozenset({"login_form", csrf.LOGIN_ROUTE, "switch_language", "health", "static"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


SCRIPT_STREAMS = frozenset({"/queue/events"})  # read by scripts, like the .json routes


@web.middleware
async def require_staff(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Pages send a visitor without a session to the login page; scripts and forms get 401."""
    if request.match_info.route.name in PUBLIC_ROUTES or keys.staff_session(request) is not None:
        return await handler(request)
    if request.method == "GET" and not request.path.endswith(".json") and request.path not in SCRIPT_STREAMS:
        return see_other(f"/login?next={quote(request.rel_url.raw_path_qs, safe='/')}" if request.path != "/"
                         else "/login")
    _ = keys.gettext(request)
    return web.json_response({"error": _("Log in first.")}, status=401)


async def login_form(request: web.Request) -> web.StreamResponse:
    next_path = local_path(request.query.get("next"))
    if keys.staff_session(request) is not None:
        return see_other(next_path)
    token = csrf.login_token(request)
    response = login_page(request, token, next_path=next_path)
    csrf.keep_login_token(request, response, token)
    return response


async def login(request: web.Request) -> web.StreamResponse:
    form = await request.post()
    username = str(form.get("username", "")).strip()[:100]
    password = str(form.get("password", ""))
    next_path = local_path(str(form.get("next", "")))
    config = request.app[keys.CONFIG]
    address = client_address(request.remote, request.headers.get("X-Forwarded-For"), config.trusted_proxies)
    engine = request.app[keys.ENGINE]
    throttle = request.app[keys.LOGIN_THROTTLE]
    _ = keys.gettext(request)
    token = csrf.login_token(request)

    if not await throttle.reserve(username, address):
        await asyncio.to_thread(record_refused_login, engine, username, throttled=True)
        log.warning("login refused: too many attempts for one username or from one address")
        minutes = int(request.app[keys.CONFIG].login_failure_window.total_seconds() // 60)
        return login_page(request, token, next_path=next_path, username=username, status=429,
                          error=_("Too many failed logins. Wait {minutes} minutes and try again.")
                          .format(minutes=minutes))

    account = await asyncio.to_thread(verify_staff_password, engine, username, password)
    if account is None:
        await asyncio.to_thread(record_refused_login, engine, username, throttled=False)
        return login_page(request, token, next_path=next_path, username=username, status=401,
                          error=_("Wrong username or password."))

    await throttle.succeeded(username, address)
    session_token, _opened = await asyncio.to_thread(
        open_staff_session, engine, account.id, request.app[keys.CONFIG].session_lifetime)
    response = see_other(next_path)
    set_session_cookie(request, response, session_token)
    csrf.forget_login_token(response)
    return response


async def logout(request: web.Request) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    await asyncio.to_thread(close_staff_session, request.app[keys.ENGINE], token)
    response = see_other("/login?notice=logged_out")
    clear_session_cookie(response)
    return response
