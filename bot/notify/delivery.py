"""How a notice reaches the family, by the channel they used:

- WeChat (`wx:<openid>`): a customer-service text message through bot.channels.wechat_api;
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
from typing import Optional

import aiohttp

from bot.channels.wechat_api import WeChatClient
from bot.console.rasa_api import RasaClient, RasaUnavailable
from bot.store.outbox import NoticeView


class DeliveryFailed(Exception):
    """The channel did not take the notice; the message names the channel only, never the recipient."""


class Delivery:
    def __init__(self, http: aiohttp.ClientSession, *, wechat: Optional[WeChatClient], rasa: Optional[RasaClient],
                 rest_callback_url: str = "") -> None:
        self._http = http
        self._wechat = wechat
        self._rasa = rasa
        self._rest_callback_url = rest_callback_url

    async def deliver(self, notice: NoticeView, text: str) -> str:
        recipient = notice.recipient
        if recipient.startswith("wx:"):
            if self._wechat is None:
                raise DeliveryFailed("wechat: not configured")
            if not await self._wechat.send_text(recipient[3:], text):
                raise DeliveryFailed("wechat: the API refused or did not answer")
            return "sent"
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
