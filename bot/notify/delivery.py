"""How a notice reaches the family, by the channel they used:

- WeChat (`wx:<openid>`): a customer-service text message through bot.channels.wechat_api while the
  user wrote within the last 48 hours (when they last wrote is in their conversation: the Rasa HTTP
  API); after that, or when WeChat refuses the customer-service message (its window closed), a template
  message with the notice kind's template (WECHAT_NOTICE_TEMPLATES). Without a template the notice stays
  pending and is tried again later (the user may write meanwhile);
- web chat (`web:<session>`): a bot message pushed through the Rasa HTTP API, like a staff reply. Rasa
  records it in the conversation and emits it to the session's room, so an open tab shows it at once. If
  Rasa cannot be reached the notice stays pending and is pushed again on the next round;
- REST integrators: a JSON POST to NOTIFY_REST_CALLBACK_URL with an `Idempotency-Key` header (the
  notice's key, the same on a retry); without that setting the notice is marked 'kept' (queued, not sent);
- any other channel: 'kept'.

`deliver` returns "sent" or "kept", or raises DeliveryFailed (then the notice is retried later).
"""
from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Mapping, Optional

import aiohttp

from bot.channels.wechat_api import WeChatClient
from bot.console.rasa_api import RasaClient, RasaUnavailable
from bot.store.outbox import NoticeView

REPLY_WINDOW = timedelta(hours=48)  # WeChat takes customer-service messages this long after the user wrote


class DeliveryFailed(Exception):
    """The channel did not take the notice; the message names the channel only, never the recipient."""


class Delivery:
    def __init__(self, http: aiohttp.ClientSession, *, wechat: Optional[WeChatClient], rasa: Optional[RasaClient],
                 rest_callback_url: str = "", wechat_templates: Optional[Mapping[str, str]] = None) -> None:
        self._http = http
        self._wechat = wechat
        self._rasa = rasa
        self._rest_callback_url = rest_callback_url
        self._templates = dict(wechat_templates or {})

    async def deliver(self, notice: NoticeView, text: str, *, now: Optional[datetime] = None,
                      fields: Optional[Mapping[str, str]] = None) -> str:
        """Deliver `text`; `now` (the notifier's clock) and the template `fields` serve WeChat users
        outside the 48-hour window."""
        recipient = notice.recipient
        if recipient.startswith("wx:"):
            return await self._to_wechat(notice, text, now, fields)
        if recipient.startswith("web:"):
            if self._rasa is None:
                raise DeliveryFailed("webchat: no Rasa server configured")
            try:
                await self._rasa.push_message(recipient, text, {"notice": notice.idempotency_key})
            except RasaUnavailable as error:
                raise DeliveryFailed(f"webchat: {error}") from None
            return "sent"
        if notice.channel == "rest" or recipient.startswith("rest:"):
            if not self._rest_callback_url:
                return "kept"
            body = {"idempotency_key": notice.idempotency_key, "recipient": recipient, "kind": notice.kind,
                    "language": notice.language, "text": text}
            try:
                async with self._http.post(self._rest_callback_url, json=body,
                                           headers={"Idempotency-Key": notice.idempotency_key}) as response:
                    if response.status >= 300:
                        raise DeliveryFailed(f"rest callback: HTTP {response.status}")
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                raise DeliveryFailed(f"rest callback: {type(error).__name__}") from None
            return "sent"
        return "kept"

    async def _to_wechat(self, notice: NoticeView, text: str, now: Optional[datetime],
                         fields: Optional[Mapping[str, str]]) -> str:
        if self._wechat is None:
            raise DeliveryFailed("wechat: not configured")
        openid = notice.recipient[3:]
        last = await self._last_message_at(notice.recipient)
        window_open = last is None or now is None or now - last < REPLY_WINDOW
        if window_open and await self._wechat.send_text(openid, text):
            return "sent"
        template_id = self._templates.get(notice.kind)
        if not template_id or fields is None:
            raise DeliveryFailed("wechat: the API refused or did not answer" if window_open else
                                 "wechat: 48-hour window closed and no template for this kind of notice")
        if not await self._wechat.send_template(openid, template_id, dict(fields)):
            raise DeliveryFailed("wechat: the template message was refused or not answered")
        return "sent"

    async def _last_message_at(self, conversation_id: str) -> Optional[datetime]:
        """When the user last wrote, or None when nobody can say (then the window is tried)."""
        if self._rasa is None:
            return None
        try:
            return await self._rasa.last_user_message_at(conversation_id)
        except RasaUnavailable:
            return None
