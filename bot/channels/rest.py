"""The REST channel for integrations (`POST /webhooks/rest/webhook`), with its input checked.

Rasa's own RestInput takes the body as it comes: a JSON array or number as the body is a 500, a sender
or message of any type goes on into the conversation, the `input_channel` a caller names is believed
(staff replies would then be pushed into that channel), and metadata of any shape and size is stored.
This channel, under the same name and URL, answers 400 to anything but
`{"sender": text, "message": text, "metadata": {...}?}`, 413 to a message longer than
MAX_MESSAGE_CHARS, refuses senders in another channel's namespace (`web:`, `wx:`), and keeps only the
language hint from the metadata. Error bodies are JSON; their `message` says what is wrong.

Who may call it: each integrator has a key (REST_INTEGRATOR_KEYS, `name:key` pairs). A call must send
`Authorization: Bearer <key>` (401 otherwise), and its sender becomes `rest:<name>:<sender>`, so one
integrator can never write into another's conversations, nor into a web chat or WeChat one. Without any
key configured (local development) senders are taken as sent but may not contain ":" (no sender can
look like another channel's); with the production endpoints and no key, every call is refused. The
body must be sent as JSON (`Content-Type: application/json`, else 415), so a web page cannot post to it
with a plain HTML form or a "simple" cross-site request.
"""
from __future__ import annotations

import hmac
import logging
from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.core import settings
from bot.channels.metadata import language_metadata
from bot.channels.webchat import SENDER_PREFIX as WEBCHAT_PREFIX
from bot.channels.wechat import SENDER_PREFIX as WECHAT_PREFIX

MAX_SENDER_CHARS = 128
MAX_MESSAGE_CHARS = 2000
RESERVED_PREFIXES = (WEBCHAT_PREFIX, WECHAT_PREFIX)
SENDER_PREFIX = "rest:"

log = logging.getLogger(__name__)


class BadInput(SanicException):
    status_code = 400
    quiet = True  # the client's mistake: no traceback in the server's log


class MessageTooLong(SanicException):
    status_code = 413
    quiet = True


class NotAuthorized(SanicException):
    status_code = 401
    quiet = True
    headers = {"WWW-Authenticate": 'Bearer realm="rest"'}


class NotJSON(SanicException):
    status_code = 415
    quiet = True


def integrator_keys(raw: str) -> Dict[str, str]:
    """{"name": "key"} from `name:key name2:key2`; ValueError for a malformed or repeated entry."""
    keys: Dict[str, str] = {}
    for pair in raw.split():
        name, _, key = pair.partition(":")
        if not name or not key or not name.replace("-", "").replace("_", "").isalnum() or name in keys:
            raise ValueError("REST_INTEGRATOR_KEYS must be space-separated name:key pairs with unique "
                             "names of letters, digits, - and _")
        keys[name] = key
    return keys


def _body(request: Request) -> Dict[Text, Any]:
    body = request.json  # Sanic answers 400 itself when the body is not JSON
    if not isinstance(body, dict):
        raise BadInput('The body must be a JSON object: {"sender": "...", "message": "..."}.')
    return body


def _field(request: Request, name: str, limit: int, too_long: type[SanicException]) -> Text:
    value = _body(request).get(name)
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f'"{name}" must be a non-empty string.')
    if len(value) > limit:
        raise too_long(f'"{name}" is longer than {limit} characters.')
    return value


class RestInput(RasaRestInput):
    """Rasa's REST channel (same name, URL and replies) that refuses malformed or oversized input."""

    @classmethod
    def name(cls) -> Text:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "RestInput":
        return cls(integrator_keys(settings.get("REST_INTEGRATOR_KEYS")), refuse_all=settings.production())

    def __init__(self, integrators: Optional[Dict[str, str]] = None, refuse_all: bool = False) -> None:
        self._integrators = dict(integrators or {})
        self._refuse_all = refuse_all and not self._integrators
        if self._refuse_all:
            log.warning("REST_INTEGRATOR_KEYS is empty with the production endpoints: the REST channel "
                        "refuses every call")

    def integrator(self, req: Request) -> Optional[str]:
        """The integrator whose key the call carries (None: no keys configured); 401 otherwise."""
        if self._refuse_all:
            raise NotAuthorized("The REST channel has no integrator keys configured.")
        if not self._integrators:
            return None
        scheme, _, given = (req.headers.get("authorization") or "").partition(" ")
        if scheme.lower() == "bearer" and given:
            for name, key in self._integrators.items():
                if hmac.compare_digest(key.encode("utf-8"), given.strip().encode("utf-8")):
                    return name
        raise NotAuthorized("Send your integrator key as Authorization: Bearer <key>.")

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        integrator = self.integrator(req)
        if (req.content_type or "").split(";")[0].strip().lower() != "application/json":
            raise NotJSON("Send the body as JSON (Content-Type: application/json).")
        sender = _field(req, "sender", MAX_SENDER_CHARS, BadInput)
        if not sender.isprintable():
            raise BadInput('"sender" must be printable.')
        if integrator is not None:
            return f"{SENDER_PREFIX}{integrator}:{sender}"
        if ":" in sender or sender.startswith(RESERVED_PREFIXES):
            raise BadInput('"sender" must not contain ":" (web: and wx: belong to other channels).')
        return sender

    def _extract_message(self, req: Request) -> Optional[Text]:
        return _field(req, "message", MAX_MESSAGE_CHARS, MessageTooLong)

    def _extract_input_channel(self, req: Request) -> Text:
        return self.name()  # never what the caller claims

    def get_metadata(self, request: Request) -> Optional[Dict[Text, Any]]:
        metadata = _body(request).get("metadata")
        if metadata is not None and not isinstance(metadata, dict):
            raise BadInput('"metadata" must be a JSON object when given.')
        return language_metadata(metadata) or None
