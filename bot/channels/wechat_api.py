"""Sends replies to WeChat users through the Official Account customer-service message API.

WeChat answers a webhook call only with what is returned within 5 seconds, so every reply of the assistant
goes out as a customer-service message instead: POST /cgi-bin/message/custom/send with an access token
from /cgi-bin/token. The token is cached until shortly before it expires and fetched again when WeChat
says it is invalid. Fetching a token invalidates the previous one (after a few minutes), so replicas
must share it: with a shared state (bot.store.shared_state: Redis in production) the token lives there, and
one replica at a time fetches a new one while the others wait for it. Sending never raises: a reply that cannot be delivered (the user has not written for
48 hours, WeChat is down) is logged, and the conversation goes on.
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Callable, Dict, Iterator, List, Optional

import aiohttp

from bot.channels.pseudonym import pseudonym
from bot.store.shared_state import SharedState

logger = logging.getLogger(__name__)

TEXT_LIMIT_BYTES = 2048  # WeChat's limit for one text message is about this; UTF-8 bytes are safe
TOKEN_ERRORS = {40001, 40014, 42001}  # invalid credential, invalid token, token expired
REPLY_WINDOW_CLOSED = 45015  # the user has not written within the last 48 hours
TOO_MANY_REPLIES = 45047  # too many customer-service messages since the user last wrote
TOKEN_REFRESH_MARGIN_SECONDS = 300
REQUEST_TIMEOUT_SECONDS = 10
FETCH_LOCK_SECONDS = 15  # one replica fetches the token; the others wait this long at most
FETCH_WAIT_STEP_SECONDS = 0.1


class WeChatAPIError(Exception):
    """WeChat answered with an error code (or not at all); the message never says the token."""

    def __init__(self, errcode: int, errmsg: str = "") -> None:
        super().__init__(f"errcode {errcode}: {errmsg}")
        self.errcode = errcode


def split_text(text: str, limit_bytes: int = TEXT_LIMIT_BYTES) -> List[str]:
    """Splits `text` into messages of at most `limit_bytes` UTF-8 bytes, at line ends where possible."""
    chunks: List[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        for piece in _pieces_within(line, limit_bytes):
            if len((current + piece).encode("utf-8")) > limit_bytes:
                chunks.append(current)
                current = piece
            else:
                current += piece
    chunks.append(current)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _pieces_within(line: str, limit_bytes: int) -> Iterator[str]:
    """`line` cut at character boundaries into pieces of at most `limit_bytes` UTF-8 bytes."""
    piece, size = "", 0
    for char in line:
        char_size = len(char.encode("utf-8"))
        if size + char_size > limit_bytes:
            yield piece
            piece, size = "", 0
        piece += char
        size += char_size
    if piece:
        yield piece


class WeChatClient:
    """The Official Account's API: access token handling and customer-service messages."""

    def __init__(self, app_id: str, app_secret: str, api_base: str,
                 clock: Callable[[], float] = time.monotonic, state: Optional[SharedState] = None) -> None:
        self._app_id = app_id
        self._app_secret = app_secret
        self._api_base = api_base.rstrip("/")
        self._session: Optional[aiohttp.ClientSession] = None
        self._token: Optional[str] = None
        self._token_expires_at = 0.0
        self._token_lock: Optional[asyncio.Lock] = None
        self._clock = clock
        self._state = state
        self._token_key = f"wechat:access-token:{app_id}"

    async def send_text(self, openid: str, text: str) -> bool:
        """Sends `text` as one or more text messages; True when every part was delivered."""
        delivered = True
        for part in split_text(text):
            payload = {"touser": openid, "msgtype": "text", "text": {"content": part}}
            delivered = await self.send_message(payload) and delivered
        return delivered

    async def send_message(self, payload: Dict[str, Any]) -> bool:
        """Posts one customer-service message (any `msgtype`); logs and returns False on failure."""
        user = pseudonym(str(payload.get("touser", "")))
        try:
            await self._call_with_token("/cgi-bin/message/custom/send", payload)
            return True
        except WeChatAPIError as error:
            if error.errcode in (REPLY_WINDOW_CLOSED, TOO_MANY_REPLIES):
                logger.warning("WeChat refused a reply to user %s: errcode %s (reply window or quota)",
                               user, error.errcode)
            else:
                logger.error("WeChat reply to user %s failed: %s", user, error)
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            # The exception text can contain the request URL and with it the access token: log the type only.
            logger.error("WeChat reply to user %s failed: %s", user, type(error).__name__)
        return False

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _call_with_token(self, path: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        token = await self._access_token()
        try:
            return await self._post(path, token, payload)
        except WeChatAPIError as error:
            if error.errcode not in TOKEN_ERRORS:
                raise
            logger.info("WeChat rejected the access token (errcode %s); fetching a new one", error.errcode)
            await self._forget_token(token)
            return await self._post(path, await self._access_token(), payload)

    async def _post(self, path: str, token: str, payload: Dict[str, Any]) -> Dict[str, Any]:
        async with self._http().post(f"{self._api_base}{path}", params={"access_token": token},
                                     json=payload) as response:
            return await self._checked(response)

    async def _access_token(self) -> str:
        if self._token_lock is None:
            self._token_lock = asyncio.Lock()
        async with self._token_lock:
            if self._state is not None:
                return await self._shared_access_token()
            if self._token is None or self._clock() >= self._token_expires_at:
                await self._fetch_token()
            assert self._token is not None
            return self._token

    async def _shared_access_token(self) -> str:
        assert self._state is not None
        waited = 0.0
        while True:
            token = await self._state.get(self._token_key)
            if token:
                return token
            if await self._state.add_if_absent(self._token_key + ":fetching", FETCH_LOCK_SECONDS):
                break
            if waited >= FETCH_LOCK_SECONDS:
                break  # the replica fetching it went away: fetch it here
            await asyncio.sleep(FETCH_WAIT_STEP_SECONDS)
            waited += FETCH_WAIT_STEP_SECONDS
        try:
            token, valid_for = await self._fetch_token()
            await self._state.put(self._token_key, token, valid_for)
            return token
        finally:
            await self._state.delete(self._token_key + ":fetching")

    async def _fetch_token(self) -> tuple[str, float]:
        if not self._app_id or not self._app_secret:
            raise WeChatAPIError(-1, "WECHAT_APP_ID and WECHAT_APP_SECRET are needed to send replies")
        params = {"grant_type": "client_credential", "appid": self._app_id, "secret": self._app_secret}
        async with self._http().get(f"{self._api_base}/cgi-bin/token", params=params) as response:
            body = await self._checked(response)
        token, lifetime = body.get("access_token"), body.get("expires_in")
        if not isinstance(token, str) or not token:
            raise WeChatAPIError(-1, "no access_token in WeChat's answer")
        lifetime = float(lifetime) if isinstance(lifetime, (int, float)) else 7200.0
        margin = min(TOKEN_REFRESH_MARGIN_SECONDS, lifetime / 2)
        self._token = token
        self._token_expires_at = self._clock() + lifetime - margin
        logger.info("Fetched a WeChat access token valid for %d s", lifetime)
        return token, lifetime - margin

    async def _forget_token(self, token: str) -> None:
        # Only the token that failed: a concurrent send (or replica) may have fetched a fresh one meanwhile.
        if self._state is not None:
            await self._state.delete_if(self._token_key, token)
        if self._token == token:
            self._token = None

    @staticmethod
    async def _checked(response: aiohttp.ClientResponse) -> Dict[str, Any]:
        if response.status != 200:
            raise WeChatAPIError(-1, f"HTTP status {response.status}")
        try:
            body = await response.json(content_type=None)
        except ValueError:
            raise WeChatAPIError(-1, "answer is not JSON") from None
        if not isinstance(body, dict):
            raise WeChatAPIError(-1, "answer is not a JSON object")
        errcode = body.get("errcode", 0)
        if errcode:
            try:
                errcode = int(errcode)
            except (TypeError, ValueError):
                errcode = -1
            raise WeChatAPIError(errcode, str(body.get("errmsg", "")))
        return body

    def _http(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_SECONDS))
        return self._session
