"""Typed keys of what the console keeps on its application and on each request."""
from __future__ import annotations

from typing import Optional

from aiohttp import web
from babel.support import Translations
from sqlalchemy.engine import Engine

from bot.console.config import ConsoleConfig
from bot.console.i18n import ConsoleLanguage
from bot.console.login_throttle import LoginThrottle
from bot.console.rasa_api import RasaClient
from bot.store import StaffSessionView

CONFIG = web.AppKey("config", ConsoleConfig)
ENGINE = web.AppKey("engine", Engine)
RASA = web.AppKey("rasa", RasaClient)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
TRANSLATIONS = web.AppKey("translations", dict[ConsoleLanguage, Translations])

# Per request (aiohttp 3.9 has typed keys only for the application): set by the middlewares in app.py.
_LANGUAGE = "console.language"
_STAFF_SESSION = "console.staff_session"


def language(request: web.Request) -> ConsoleLanguage:
    return request[_LANGUAGE]


def set_language(request: web.Request, value: ConsoleLanguage) -> None:
    request[_LANGUAGE] = value


def gettext(request: web.Request):
    """The `_` of the request's language."""
    return request.app[TRANSLATIONS][language(request)].gettext


def staff_session(request: web.Request) -> Optional[StaffSessionView]:
    """The logged-in staff member's session, or None."""
    return request.get(_STAFF_SESSION)


def set_staff_session(request: web.Request, value: Optional[StaffSessionView]) -> None:
    request[_STAFF_SESSION] = value


def current_session(request: web.Request) -> StaffSessionView:
    """The session of a request that the login check let through (routes behind the login)."""
    found = staff_session(request)
    if found is None:
        raise RuntimeError("this route is behind the login: the login check should have refused it")
    return found
