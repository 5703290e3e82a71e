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

A message sent again is answered once: the body may carry the client's own `"message_id"` (letters,
digits, `._:-`, at most 64), which the conversation keeps with the message. A message whose id the
conversation already holds (a turn that got a 502 or timed out after its replica had processed it, and
is sent again, to whichever replica) is not processed again: the call answers with the replies stored
after it. Rasa's `?stream=true` is not offered.
"""
from __future__ import annotations

import hmac
import logging
import re
from asyncio import CancelledError
from typing import Any, Awaitable, Callable, Dict, List, Optional, Text

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import settings
from bot.channels.metadata import language_metadata
from bot.channels.webchat import SENDER_PREFIX as WEBCHAT_PREFIX
from bot.channels.wechat import SENDER_PREFIX as WECHAT_PREFIX

MAX_SENDER_CHARS = 128
MAX_MESSAGE_CHARS = 2000
RESERVED_PREFIXES = (WEBCHAT_PREFIX, WECHAT_PREFIX)
SENDER_PREFIX = "rest:"
MESSAGE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")

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

    def _extract_message_id(self, req: Request) -> Optional[Text]:
        message_id = _body(req).get("message_id")
        if message_id is None:
            return None
        if not isinstance(message_id, str) or not MESSAGE_ID.fullmatch(message_id):
            raise BadInput('"message_id" must be 1-64 letters, digits or ._:- when given.')
        return message_id

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            sender_id = await self._extract_sender(request)
            text = self._extract_message(request)
            metadata = self.get_metadata(request)
            message_id = self._extract_message_id(request)
            if message_id is not None:
                answered = await replies_to(request.app.ctx.agent, sender_id, message_id)
                if answered is not None:
                    return response.json(answered)
            collector = CollectingOutputChannel()
            try:
                await on_new_message(UserMessage(text, collector, sender_id, input_channel=self.name(),
                                                 metadata=metadata, message_id=message_id))
            except CancelledError:
                log.error("a REST message was still being handled when its call timed out")
            except Exception:  # noqa: BLE001 - as Rasa's channel: the caller gets what was said so far
                log.exception("a REST message could not be handled")
            return response.json(collector.messages)

        return webhook


async def replies_to(agent: Any, sender_id: Text, message_id: Text) -> Optional[List[Dict[str, Any]]]:
    """The replies stored after the conversation's message `message_id`, as the REST channel returns
    them; None when the conversation holds no such message (it was never processed)."""
    store = getattr(agent, "tracker_store", None)
    tracker = await store.retrieve(sender_id) if store is not None else None
    if tracker is None:
        return None
    events = list(tracker.events)
    at = next((n for n, e in enumerate(events)
               if getattr(e, "type_name", "") == "user" and e.message_id == message_id), None)
    if at is None:
        return None
    replies: List[Dict[str, Any]] = []
    for event in events[at + 1:]:
        if event.type_name == "user":
            break
        if event.type_name == "bot":
            replies += _as_sent(sender_id, event.text, event.data or {})
    return replies


def _as_sent(sender_id: Text, text: Optional[Text], data: Dict[str, Any]) -> List[Dict[str, Any]]:
    """A bot event as Rasa's CollectingOutputChannel delivered it: a text split at blank lines."""
    extras = {key: data[key] for key in ("buttons", "image", "custom", "attachment") if data.get(key)}
    parts = [part for part in (text or "").strip().split("\n\n") if part] if text and "buttons" not in extras \
        else ([text] if text else [])
    sent = [{"recipient_id": sender_id, "text": part} for part in parts]
    if extras:
        if sent:
            sent[-1].update(extras)
        else:
            sent.append({"recipient_id": sender_id, **extras})
    return sent
