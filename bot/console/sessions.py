"""Who is logged in: the session cookie, and the middleware that finds its session in the store.

The cookie holds only the session's random token (see bot/store/staff_sessions.py); it is HttpOnly (no
script reads it), SameSite=Lax (other sites' forms do not send it), Secure when the console is served
over HTTPS, and lasts as long as the session.
"""
from __future__ import annotations

import asyncio
from typing import Awaitable, Callable

from aiohttp import web

from bot.console import keys
from bot.store import find_staff_session

SESSION_COOKIE = "console_session"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def staff_session_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    token = request.cookies.get(SESSION_COOKIE, "")
    session = None
    if token:
        session = await asyncio.to_thread(find_staff_session, request.app[keys.ENGINE], token)
    keys.set_staff_session(request, session)
    return await handler(request)


def set_session_cookie(request: web.Request, response: web.StreamResponse, token: str) -> None:
    config = request.app[keys.CONFIG]
    response.set_cookie(SESSION_COOKIE, token, max_age=int(config.session_lifetime.total_seconds()),
                        path="/", httponly=True, samesite="Lax", secure=config.secure_cookies)


def clear_session_cookie(response: web.StreamResponse) -> None:
    response.del_cookie(SESSION_COOKIE, path="/")
