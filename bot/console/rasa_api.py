"""The console's calls to the Rasa server's HTTP API (`python -m bot.rasa.server run --enable-api ...`).

    GET  /conversations/{id}/tracker?include_events=ALL                 the whole transcript (and when
                                                                         the user last wrote: notifier)
    POST /conversations/{id}/tracker/events                              {"event": "pause"} or "resume"
    POST /conversations/{id}/tracker/events?execute_side_effects=true&output_channel=latest
                                                                         a staff reply: {"event": "bot", ...}
    POST /conversations/{id}/trigger_intent?output_channel=latest        {"name": "resume_conversation"}

Every call carries a short-lived JWT in the Authorization header (bot.rasa.api_token), never a token in the
query string, where access logs would keep it. With execute_side_effects
Rasa appends the bot event and then hands its message to the output channel of the channel the user last
wrote from (`MessageProcessor.execute_side_effects` → `OutputChannel.send_response`); the web chat and
WeChat channels can push it, the REST channel cannot (Rasa then collects the message and drops it).

Errors name the call and the status only, never the conversation's URL or the header.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import Any, Optional
from urllib.parse import quote

from aiohttp import ClientError, ClientSession
from yarl import URL

from bot.rasa.api_token import authorization
from bot.console.transcript import Conversation, conversation_from_tracker

log = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa could not be reached, or refused a call (bad token, unknown intent, an error of its own)."""

    def __init__(self, call: str, status: Optional[int] = None) -> None:
        self.call = call
        self.status = status
        super().__init__(f"Rasa {call}: " + (f"HTTP {status}" if status else "not reachable"))


class RasaClient:
    def __init__(self, http: ClientSession, base_url: str, token: str) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")
        self._secret = token  # RASA_API_TOKEN: signs the JWTs, never sent itself

    async def conversation(self, conversation_id: str) -> Conversation:
        """Every message of the conversation, also those before a restart."""
        tracker = await self._call("GET", conversation_id, "tracker", {"include_events": "ALL"})
        return conversation_from_tracker(tracker)

    async def slot_value(self, conversation_id: str, slot: str) -> Any:
        """One slot of the conversation as the assistant holds it (None when unset)."""
        tracker = await self._call("GET", conversation_id, "tracker", {"include_events": "NONE"})
        return ((tracker or {}).get("slots") or {}).get(slot)

    async def last_user_message_at(self, conversation_id: str) -> Optional[datetime]:
        """When the user last wrote in the conversation (aware, UTC), or None if they never did."""
        tracker = await self._call("GET", conversation_id, "tracker", {"include_events": "ALL"})
        stamps = [e.get("timestamp") for e in (tracker or {}).get("events") or ()
                  if e.get("event") == "user" and isinstance(e.get("timestamp"), (int, float))]
        return datetime.fromtimestamp(max(stamps), timezone.utc) if stamps else None

    async def pause(self, conversation_id: str) -> None:
        """Keep the assistant quiet: it records the user's messages but answers none."""
        await self._append_event(conversation_id, {"event": "pause"})

    async def resume(self, conversation_id: str) -> None:
        """Let the assistant answer the user's messages again."""
        await self._append_event(conversation_id, {"event": "resume"})

    async def send_staff_reply(self, conversation_id: str, text: str, staff_id: int) -> None:
        """Say `text` to the user as a bot message marked with the staff member's id, pushed to their
        channel."""
        event = {"event": "bot", "text": text, "metadata": {"staff_id": staff_id}}
        push = {"execute_side_effects": "true", "output_channel": "latest", "include_events": "NONE"}
        await self._call("POST", conversation_id, "tracker/events", push, event)

    async def push_message(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> None:
        """Say `text` to the user as a bot message (a notice), pushed to the channel they last wrote from."""
        event = {"event": "bot", "text": text, "metadata": metadata}
        push = {"execute_side_effects": "true", "output_channel": "latest", "include_events": "NONE"}
        await self._call("POST", conversation_id, "tracker/events", push, event)

    async def trigger_intent(self, conversation_id: str, intent: str) -> None:
        """Run the assistant as if the user had expressed `intent`; its replies go to the user's channel."""
        await self._call("POST", conversation_id, "trigger_intent",
                         {"output_channel": "latest", "include_events": "NONE"}, {"name": intent})

    async def _append_event(self, conversation_id: str, event: dict[str, Any]) -> None:
        await self._call("POST", conversation_id, "tracker/events", {"include_events": "NONE"}, event)

    async def _call(self, method: str, conversation_id: str, endpoint: str, params: dict[str, str],
                    body: Any = None) -> Any:
        call = f"{method} /conversations/{{id}}/{endpoint}"
        # Conversation ids are "web:<hex>", "wx:<openid>", ...: quote anything a path segment cannot hold.
        url = URL(f"{self._base_url}/conversations/{quote(conversation_id, safe=':@')}/{endpoint}",
                  encoded=True).with_query(params)
        try:
            async with self._http.request(method, url, json=body,
                                          headers=authorization(self._secret, "console")) as response:
                if response.status >= 400:
                    log.warning("Rasa refused %s: HTTP %s", call, response.status)
                    raise RasaUnavailable(call, response.status)
                return await response.json(content_type=None)
        except (ClientError, asyncio.TimeoutError) as error:
            log.warning("Rasa did not answer %s: %s", call, type(error).__name__)
            raise RasaUnavailable(call) from None
