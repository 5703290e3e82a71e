"""The WeChat Official Account channel ("wechat"): receives messages from WeChat and sends the replies.

Enter `https://<server>/webhooks/wechat/webhook` as the server URL in the Official Account's settings,
with the same Token (and EncodingAESKey, for safe mode) as WECHAT_TOKEN (and WECHAT_AES_KEY).

WeChat gives up on a webhook call after 5 seconds and retries it, so a message is acknowledged at once
and handled in the background; the replies go out through the customer-service message API
(`wechat_api.py`). Retried deliveries are recognised by MsgId (events: sender and time) and dropped.

In plaintext mode WeChat's signature covers only the token, the timestamp and the nonce, not the body,
so a signed URL copied from anywhere would let its holder post anything as anyone. Hence: a call whose
timestamp is more than 5 minutes from our clock is refused (403); a nonce is accepted once (a second
call with the same timestamp and nonce is acknowledged and ignored: WeChat's own retries look like
that); and with an EncodingAESKey configured only encrypted (safe or compatible mode) pushes are
accepted, whose signature does cover the message. Nonces, message ids and the access token are shared
by all replicas through Redis in production (bot.store.shared_state), in memory locally.
Users appear in Rasa as `wx:<openid>`. Buttons become numbered options; a reply of the number (or the
option's title) is turned back into the button's payload.
"""
from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.core import settings
from bot.channels.pseudonym import pseudonym
from bot.channels.ttl_cache import TTLCache
from bot.channels.wechat_api import WeChatClient
from bot.channels.wechat_media import MediaReplies
from bot.store.shared_state import SharedState, shared_state
from bot.channels.wechat_protocol import InboundMessage, MessageCipher, RejectedMessage, parse_xml, \
    signature_matches

logger = logging.getLogger(__name__)

SENDER_PREFIX = "wx:"
GREETING = "/greet"  # what a new follower "says": the greet intent
GREETING_LANGUAGE = "zh"  # WeChat does not tell a follower's language; most of them read Chinese
RECENT_DELIVERIES_TTL_SECONDS = 600  # WeChat retries within about 15 seconds
RECENT_DELIVERIES_MAX = 10_000
OFFERED_CHOICES_TTL_SECONDS = 24 * 3600
OFFERED_CHOICES_MAX = 10_000
SHUTDOWN_GRACE_SECONDS = 10
TIMESTAMP_WINDOW_SECONDS = 300  # how far a call's timestamp may be from our clock, either way
NONCE_TTL_SECONDS = 2 * TIMESTAMP_WINDOW_SECONDS + 60  # longer than a timestamp stays acceptable


class Replayed(Exception):
    """A call whose nonce was seen already: a retry of WeChat's, or a replay of a logged URL."""


def sender_id_for(openid: str) -> str:
    return SENDER_PREFIX + openid


def openid_from(sender_id: str) -> Optional[str]:
    """The openid inside a `wx:` sender id, or None for a sender of another channel."""
    if sender_id.startswith(SENDER_PREFIX) and len(sender_id) > len(SENDER_PREFIX):
        return sender_id[len(SENDER_PREFIX):]
    return None


class OfferedChoices:
    """The buttons last offered to each user, so a typed "2" or "２" means the second button."""

    def __init__(self) -> None:
        self._offered: TTLCache[str, List[Dict[str, Any]]] = TTLCache(OFFERED_CHOICES_TTL_SECONDS,
                                                                      OFFERED_CHOICES_MAX)

    def offer(self, openid: str, text: str, buttons: List[Dict[str, Any]]) -> str:
        """Remembers `buttons` for `openid` and returns `text` followed by the numbered options."""
        self._offered.put(openid, buttons)
        options = [f"{number}. {button.get('title', '')}" for number, button in enumerate(buttons, 1)]
        return "\n\n".join(part for part in (text.strip(), "\n".join(options)) if part)

    def resolve(self, openid: str, text: str) -> str:
        """The payload of the option `text` picks (by number or title), else `text` itself.

        Options answer only the next message: once the user has typed anything, they are forgotten.
        """
        buttons = self._offered.pop(openid)
        if not buttons:
            return text
        answer = unicodedata.normalize("NFKC", text).strip().rstrip(".").strip()
        for number, button in enumerate(buttons, 1):
            title = unicodedata.normalize("NFKC", str(button.get("title", ""))).strip()
            if answer == str(number) or (title and answer.casefold() == title.casefold()):
                return str(button.get("payload") or button.get("title") or text)
        return text


class WeChatOutput(OutputChannel):
    """Sends the assistant's messages to one WeChat user as customer-service messages."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    def __init__(self, client: WeChatClient, choices: OfferedChoices) -> None:
        self._client = client
        self._choices = choices

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        openid = self._openid(recipient_id)
        if openid:
            await self._client.send_text(openid, text)

    async def send_text_with_buttons(self, recipient_id: Text, text: Text,
                                     buttons: List[Dict[Text, Any]], **kwargs: Any) -> None:
        openid = self._openid(recipient_id)
        if openid:
            await self._client.send_text(openid, self._choices.offer(openid, text, buttons))

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        # Images must be uploaded to WeChat as media first; a link reaches the user just as well.
        await self.send_text_message(recipient_id, image)

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        """A `custom` response shaped like a customer-service message ({"msgtype": ...}) is sent as is."""
        openid = self._openid(recipient_id)
        if openid and "msgtype" in json_message:
            await self._client.send_message({**json_message, "touser": openid})
        elif openid:
            logger.warning("Dropped a custom response without msgtype for WeChat user %s", pseudonym(openid))

    @staticmethod
    def _openid(recipient_id: Text) -> Optional[str]:
        openid = openid_from(recipient_id)
        if openid is None:
            logger.error("The WeChat channel cannot reach sender %s: not a wx: sender id",
                         pseudonym(recipient_id))
        return openid


class WeChatInput(InputChannel):
    """The webhook WeChat calls: URL verification (GET) and message and event pushes (POST)."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        """Values in credentials.yml win; missing ones come from the WECHAT_* settings."""
        credentials = credentials or {}

        def value(key: str, setting: str) -> str:
            return str(credentials.get(key) or settings.get(setting)).strip()

        return cls(
            token=value("token", "WECHAT_TOKEN"),
            app_id=value("app_id", "WECHAT_APP_ID"),
            app_secret=value("app_secret", "WECHAT_APP_SECRET"),
            aes_key=value("aes_key", "WECHAT_AES_KEY"),
            api_base=value("api_base", "WECHAT_API_BASE"),
        )

    def __init__(self, token: str, app_id: str = "", app_secret: str = "", aes_key: str = "",
                 api_base: str = "https://api.weixin.qq.com", *, state: Optional[SharedState] = None,
                 clock: Callable[[], float] = time.time) -> None:
        self._token = token
        self._cipher = MessageCipher(aes_key, app_id) if aes_key else None
        self._clock = clock  # wall-clock seconds, as WeChat's timestamps are
        self._state = state if state is not None else shared_state()
        self._client = WeChatClient(app_id, app_secret, api_base, state=self._state)
        self._choices = OfferedChoices()
        self._media = MediaReplies()
        self._tasks: Set["asyncio.Task[None]"] = set()

    def get_output_channel(self) -> OutputChannel:
        return WeChatOutput(self._client, self._choices)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        if not self._token:
            logger.warning("WECHAT_TOKEN is not set: the WeChat webhook answers 403 to every call")
        wechat_webhook = Blueprint("wechat_webhook", __name__)

        @wechat_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @wechat_webhook.route("/webhook", methods=["GET"])
        async def verify_url(request: Request) -> HTTPResponse:
            args = request.args
            if self._token and self._fresh(args.get("timestamp", "")) and signature_matches(
                    args.get("signature"), self._token, args.get("timestamp", ""), args.get("nonce", "")):
                return response.text(args.get("echostr", ""))
            logger.warning("Refused a WeChat URL verification with a bad signature")
            return response.text("forbidden", status=403)

        @wechat_webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                message = await self._authentic_message(request)
            except PermissionError as error:
                logger.warning("Refused a WeChat push: %s", error or "bad signature")
                return response.text("forbidden", status=403)
            except RejectedMessage as error:
                logger.warning("Refused a WeChat push: %s", error)
                return response.text("bad request", status=400)
            except Replayed:
                logger.info("Ignored a WeChat call whose nonce was used already")
                return response.text("success")

            if not await self._state.add_if_absent(f"wechat:delivery:{message.dedup_key}",
                                                   RECENT_DELIVERIES_TTL_SECONDS):
                logger.debug("Dropped a repeated WeChat delivery from user %s", pseudonym(message.openid))
            else:
                self._answer(message, on_new_message)
            return response.text("success")

        @wechat_webhook.listener("before_server_stop")
        async def finish(*_: Any) -> None:
            await self.finish_background_work(SHUTDOWN_GRACE_SECONDS)

        return wechat_webhook

    async def finish_background_work(self, grace_seconds: float) -> None:
        """Lets turns in progress finish for `grace_seconds`, cancels the rest, closes the HTTP client."""
        if self._tasks:
            _, pending = await asyncio.wait(set(self._tasks), timeout=grace_seconds)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        await self._client.close()

    def _fresh(self, timestamp: str) -> bool:
        """True when `timestamp` (WeChat's, in seconds) is within the window around our clock."""
        try:
            return abs(self._clock() - int(timestamp)) <= TIMESTAMP_WINDOW_SECONDS
        except ValueError:
            return False

    async def _authentic_message(self, request: Request) -> InboundMessage:
        """The pushed message, once its signature, freshness and first use are proven.

        PermissionError: not from WeChat, too old, or plaintext while a key is configured; Replayed: the
        nonce was used already."""
        args = request.args
        if not self._token:
            raise PermissionError("WECHAT_TOKEN is not set")
        timestamp, nonce = args.get("timestamp", ""), args.get("nonce", "")
        if not self._fresh(timestamp):
            raise PermissionError("timestamp outside the 5-minute window")
        if self._cipher is not None and args.get("encrypt_type") != "aes":
            raise PermissionError("plaintext push while WECHAT_AES_KEY is set")
        if args.get("encrypt_type") == "aes":
            if self._cipher is None:
                logger.error("WeChat sent an encrypted message but WECHAT_AES_KEY is not set")
                raise PermissionError
            encrypted = parse_xml(request.body).get("Encrypt", "")
            if not signature_matches(args.get("msg_signature"), self._token, timestamp, nonce, encrypted):
                raise PermissionError
            fields = parse_xml(self._cipher.decrypt(encrypted))
        else:
            if not signature_matches(args.get("signature"), self._token, timestamp, nonce):
                raise PermissionError
            fields = parse_xml(request.body)
        if not await self._state.add_if_absent(f"wechat:nonce:{timestamp}:{nonce}", NONCE_TTL_SECONDS):
            raise Replayed
        return InboundMessage.from_fields(fields)

    def _answer(self, message: InboundMessage, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> None:
        """Hands the message to the assistant in the background: a recognised voice message after saying
        back what was heard; a message it cannot read gets the channel's own short answer instead."""
        user_message = self._user_message(message)
        if user_message is not None:
            heard = None
            if message.msg_type == "voice":
                heard = self._media.heard(message.openid, message.content)
            self._in_background(self._handle(on_new_message, user_message, self._client, heard, message.openid))
            return
        unreadable = self._media.unreadable(message.openid, message.msg_type)
        if unreadable:
            self._in_background(self._client.send_text(message.openid, unreadable))

    def _user_message(self, message: InboundMessage) -> Optional[UserMessage]:
        """What the push means to the assistant, or None for pushes it does not act on."""
        metadata: Optional[Dict[str, str]] = None
        if message.msg_type == "event" and message.event == "subscribe":
            text, metadata = GREETING, {"language": GREETING_LANGUAGE}
        elif message.msg_type in ("text", "voice") and message.content.strip():
            self._media.note(message.openid, message.content)
            text = self._choices.resolve(message.openid, message.content)
        else:
            logger.info("Ignored a WeChat %s push from user %s", message.msg_type, pseudonym(message.openid))
            return None
        return UserMessage(
            text,
            self.get_output_channel(),
            sender_id_for(message.openid),
            input_channel=self.name(),
            message_id=message.msg_id or None,
            metadata=metadata,
        )

    def _in_background(self, work: Awaitable[None]) -> None:
        task = asyncio.ensure_future(work)
        self._tasks.add(task)  # the loop keeps only a weak reference to running tasks
        task.add_done_callback(self._tasks.discard)

    @staticmethod
    async def _handle(on_new_message: Callable[[UserMessage], Awaitable[Any]], user_message: UserMessage,
                      client: Optional[WeChatClient] = None, heard: Optional[str] = None,
                      openid: str = "") -> None:
        try:
            if heard and client is not None:
                await client.send_text(openid, heard)
            await on_new_message(user_message)
        except Exception:
            logger.exception("Handling a WeChat message from user %s failed",
                             pseudonym(user_message.sender_id))
