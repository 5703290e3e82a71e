"""The language of each request (the staff member's choice, else their browser's), and the switch.

`GET /language/{zh|en}?next=/path` remembers the choice in a cookie for a year and goes back to the page.
Changing one's own display language is harmless, so it needs no CSRF token and works before login.
"""
from __future__ import annotations

from typing import Awaitable, Callable

from aiohttp import hdrs, web

from bot.console import keys
from bot.console.i18n import LANGUAGE_COOKIE, choose_language, known_language
from bot.console.pages import local_path, see_other

ONE_YEAR_S = 365 * 24 * 3600

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def language_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    keys.set_language(request, choose_language(request.cookies.get(LANGUAGE_COOKIE),
                                               request.headers.get(hdrs.ACCEPT_LANGUAGE)))
    return await handler(request)


async def switch_language(request: web.Request) -> web.StreamResponse:
    language = known_language(request.match_info["language"])
    if language is None:
        raise web.HTTPNotFound()
    response = see_other(local_path(request.query.get("next")))
    response.set_cookie(LANGUAGE_COOKIE, language, max_age=ONE_YEAR_S, path="/", httponly=True,
                        samesite="Lax", secure=request.app[keys.CONFIG].secure_cookies)
    return response
