"""The REST channel for integrations (`POST /webhooks/rest/webhook`), with its input checked.

Rasa's own RestInput takes the body as it comes: a JSON array or number as the body is a 500, a sender
or message of any type goes on into the conversation, the `input_channel` a caller names is believed
(staff replies would then be pushed into that channel), and metadata of any shape and size is stored.
This channel, under the same name and URL, answers 400 to anything but
`{"sender": text, "message": text, "metadata": {...}?}`, 413 to a message longer than
MAX_MESSAGE_CHARS, refuses senders in another channel's namespace (`web:`, `wx:`), and keeps only the
language hint from the metadata. Error bodies are JSON; their `message` says what is wrong.
"""
from __future__ import annotations

from typing import Any, Dict, Optional, Text

from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic.exceptions import SanicException
from sanic.request import Request

from bot.channels.metadata import language_metadata
from bot.channels.webchat import SENDER_PREFIX as WEBCHAT_PREFIX
from bot.channels.wechat import SENDER_PREFIX as WECHAT_PREFIX

MAX_SENDER_CHARS = 128
MAX_MESSAGE_CHARS = 2000
RESERVED_PREFIXES = (WEBCHAT_PREFIX, WECHAT_PREFIX)


class BadInput(SanicException):
    status_code = 400
    quiet = True  # the client's mistake: no traceback in the server's log


class MessageTooLong(SanicException):
    status_code = 413
    quiet = True


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

    async def _extract_sender(self, req: Request) -> Optional[Text]:
        sender = _field(req, "sender", MAX_SENDER_CHARS, BadInput)
        if sender.startswith(RESERVED_PREFIXES) or not sender.isprintable():
            raise BadInput('"sender" must be printable and must not start with web: or wx:.')
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
