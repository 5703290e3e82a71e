"""Cross-site request forgery: every POST must carry the token of the session it acts for.

Logged in, the token is the session's own (bot/store/staff_sessions.py), put into each form and into a
`<meta name="csrf-token">` for scripts (sent as the X-CSRF-Token header). Before login there is no session
yet, so the login form carries a token that also sits in a short-lived cookie and the two must match:
another site can make a browser post the form, but cannot read or set that cookie. A POST without the
right token gets 403 and changes nothing.
"""
from __future__ import annotations

import hmac
import secrets
from typing import Awaitable, Callable

from aiohttp import web

from bot.console import keys
from bot.console.pages import CSRF_FIELD, refusal

CSRF_HEADER = "X-CSRF-Token"
LOGIN_CSRF_COOKIE = "console_login_csrf"
LOGIN_ROUTE = "login"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method in SAFE_METHODS:
        return await handler(request)
    if request.match_info.route.name == LOGIN_ROUTE:
        expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    else:
        session = keys.staff_session(request)
        expected = session.csrf_token if session else ""
    given = request.headers.get(CSRF_HEADER) or str((await request.post()).get(CSRF_FIELD, ""))
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        _ = keys.gettext(request)
        raise refusal(request, 403, _("This form has expired or did not come from the console. "
                                          "Go back, reload the page and try again."))
    return await handler(request)


def login_token(request: web.Request) -> str:
    """The login form's token: the one in the browser's cookie, or a new one (see `keep_login_token`)."""
    return request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)


def keep_login_token(request: web.Request, response: web.StreamResponse, token: str) -> None:
    response.set_cookie(LOGIN_CSRF_COOKIE, token, max_age=3600, path="/login", httponly=True, samesite="Lax",
                        secure=request.app[keys.CONFIG].secure_cookies)


def forget_login_token(response: web.StreamResponse) -> None:
    response.del_cookie(LOGIN_CSRF_COOKIE, path="/login")
