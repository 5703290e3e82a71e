"""The web chat channel ("webchat"): the rasa-webchat widget talking to Rasa over socket.io.

The Rasa server also serves the page and the widget, so no other process is needed:

    GET /webhooks/webchat/                 the chat page (web/index.html)
    GET /webhooks/webchat/static/<file>    embed.js (the loader a site pastes in), page.js, chat.css, webchat.js
    GET /webhooks/webchat/health           {"status": "ok"}
    socket.io at /socket.io/               session_request → session_confirm, user_uttered → bot_uttered

It differs from Rasa's own socket.io channel where that one is wrong or unsafe for us:
- it awaits `enter_room` (a coroutine since python-socketio 5.10; Rasa 3.6 does not await it, so with
  session persistence no reply ever arrives);
- the sender id is `web:<session id>` and the socket joins a room of that name, so replies pushed from
  outside a user turn (the support console) reach every open tab of the conversation;
- a message is filed under the session its socket asked for in `session_request`, never under a
  session id the message itself claims;
- session ids are issued by the server: 32 random hex digits and their HMAC under WEBCHAT_SESSION_KEY
  (32 more), so a page may come back to its own session but cannot make one up or pick another's; a
  requested id that is not signed gets a new session;
- the first 16 of the random digits are the session's route key, what nginx hashes every request of the
  conversation on (deploy/nginx/sticky-maps.conf): a first visit picks one before it connects and sends
  it as `?session=<route key>` (web/embed.js), and the session issued to that connection starts with it,
  so the handshake, the later turns, the replies pushed to `web:<session>` and a reload all land on
  one replica;
- a socket.io connection from a page whose Origin is neither this site nor one listed in RASA_CORS is
  refused (Rasa's channel turns python-socketio's check off with `cors_allowed_origins=[]` and checks
  nothing; the CORS headers themselves stay Rasa's --cors);
- rasa-webchat's `customData` becomes the message metadata, of which only `language` (zh or en) is kept;
- with several replicas (REDIS_HOST set: the production endpoints), python-socketio's Redis client
  manager carries every emit to the replica that holds the socket, so a reply pushed through the HTTP
  API of any replica (the support console's, a notice) reaches the user wherever they are connected.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Optional, Text
from urllib.parse import parse_qs

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot.channels.metadata import language_metadata
from bot.channels.pseudonym import pseudonym
from bot.channels.webchat_text import as_markdown
from bot.core import settings
from bot.core.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

SENDER_PREFIX = "web:"
MAX_MESSAGE_CHARS = 2000
_SESSION_ID = re.compile(r"[0-9a-f]{64}")  # 32 random hex digits, then their signature
SESSION_RANDOM_BYTES = 16
SESSION_SIGNATURE_CHARS = 32
ROUTE_KEY_CHARS = 16  # the random part's first digits: nginx's sticky key for the conversation
_HANDSHAKE_SESSION = re.compile(r"[0-9a-f]{16}(?:[0-9a-f]{48})?")  # a route key, or a whole session id


class SessionIds:
    """Issues web chat session ids and recognises the ones it issued (HMAC-SHA256 under a key)."""

    def __init__(self, key: str) -> None:
        if not key:
            raise ValueError("the web chat needs a session key (WEBCHAT_SESSION_KEY)")
        self._key = key.encode("utf-8")

    def _signature(self, random_part: str) -> str:
        digest = hmac.new(self._key, b"webchat-session:" + random_part.encode("ascii"), hashlib.sha256)
        return digest.hexdigest()[:SESSION_SIGNATURE_CHARS]

    def issue(self, route_key: str = "") -> str:
        """A new session id; its random part starts with `route_key` (16 hex digits) when given one."""
        if not re.fullmatch(f"[0-9a-f]{{{ROUTE_KEY_CHARS}}}", route_key):
            route_key = secrets.token_hex(ROUTE_KEY_CHARS // 2)
        random_part = route_key + secrets.token_hex(SESSION_RANDOM_BYTES - ROUTE_KEY_CHARS // 2)
        return random_part + self._signature(random_part)

    def issued(self, session_id: Any) -> bool:
        if not isinstance(session_id, str) or not _SESSION_ID.fullmatch(session_id):
            return False
        random_part, signature = session_id[:-SESSION_SIGNATURE_CHARS], session_id[-SESSION_SIGNATURE_CHARS:]
        return hmac.compare_digest(signature, self._signature(random_part))


def session_key() -> str:
    return settings.secret_from_file("WEBCHAT_SESSION_KEY", "webchat-session.key", lambda: secrets.token_hex(32))


def route_key(environ: Dict[str, Any]) -> str:
    """The route key the connection's handshake was routed by: the first 16 hex digits of its
    `?session=` (a first visit's fresh key, or a kept session id), or "" (nginx used the address)."""
    values = parse_qs(environ.get("QUERY_STRING") or "").get("session") or [""]
    return values[0][:ROUTE_KEY_CHARS] if _HANDSHAKE_SESSION.fullmatch(values[0]) else ""


def client_manager() -> Optional[Any]:
    """python-socketio's AsyncRedisManager on the shared Redis (settings.shared_redis_url), or None (one
    process: the in-memory default; also when WEBCHAT_CLIENT_MANAGER is memory). The channel is named
    after the database number, so deployments sharing one Redis server stay apart (pub/sub ignores
    database numbers)."""
    choice = settings.get("WEBCHAT_CLIENT_MANAGER").strip().lower()
    if choice not in ("auto", "memory"):
        raise ValueError(f"WEBCHAT_CLIENT_MANAGER={choice!r}: auto or memory")
    url = settings.shared_redis_url()
    if not url or choice == "memory":
        return None
    from socketio import AsyncRedisManager

    return AsyncRedisManager(url, channel=f"enrollment-webchat-{url.rsplit('/', 1)[-1]}")


def allowed_origins() -> list[str]:
    """Origins other than this site's that may open the chat: RASA_CORS ("*": any, as for Rasa's --cors)."""
    return [origin.rstrip("/") for origin in settings.get("RASA_CORS").split()]


def origin_allowed(environ: Dict[str, Any], others: list[str]) -> bool:
    """True when the connecting page is this site, or one of `others`. No Origin header (not a browser,
    or a same-origin request of an older one): allowed, as a page in a browser always sends one.

    "This site" is the scheme and host the browser used: behind proxies, what X-Forwarded-Proto and the
    Host header say (deploy/nginx passes both on)."""
    origin = environ.get("HTTP_ORIGIN")
    if not origin:
        return True
    if "*" in others or origin in others:
        return True
    scheme = (environ.get("HTTP_X_FORWARDED_PROTO") or environ.get("wsgi.url_scheme") or "http")
    scheme = scheme.split(",")[0].strip()
    host = (environ.get("HTTP_X_FORWARDED_HOST") or environ.get("HTTP_HOST") or "").split(",")[0].strip()
    return bool(host) and origin == f"{scheme}://{host}"

WEB_DIR = PROJECT_ROOT / "web"
WIDGET_JS = WEB_DIR / "node_modules" / "rasa-webchat" / "lib" / "index.js"
# The widget's CSS pulls a font from Google's servers, which many of our users cannot reach and which
# would learn who opens the page; the page names its own fonts instead.
_REMOTE_FONT_IMPORT = re.compile(rb"@import url\(https://fonts\.googleapis\.com/[^)]*\);")

JAVASCRIPT = "application/javascript; charset=utf-8"
ASSETS: Dict[str, tuple[Path, str]] = {
    "embed.js": (WEB_DIR / "embed.js", JAVASCRIPT),
    "page.js": (WEB_DIR / "page.js", JAVASCRIPT),
    "chat.css": (WEB_DIR / "chat.css", "text/css; charset=utf-8"),
    "webchat.js": (WIDGET_JS, JAVASCRIPT),
}
PAGE = (WEB_DIR / "index.html", "text/html; charset=utf-8")
PAGE_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: https:; font-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    ),
    "Referrer-Policy": "no-referrer",
}


class WebChatOutput(SocketIOOutput):
    """Emits the assistant's messages to the room of a web chat sender (every tab of that session)."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    def __init__(self, sio: AsyncServer, bot_message_evt: Text, namespace: Optional[Text] = None) -> None:
        super().__init__(sio, bot_message_evt)
        self.namespace = namespace

    async def _send_message(self, socket_id: Text, response: Any) -> None:
        # The widget reads every message as Markdown: each one, whoever wrote it, is shown as written.
        if isinstance(response, dict) and isinstance(response.get("text"), str):
            response = {**response, "text": as_markdown(response["text"])}
        await self.sio.emit(self.bot_message_evt, response, room=socket_id, namespace=self.namespace)

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        """The response, after its step label ("第3步，共9步") if it has one, and before its enrollment
        number card if it has one (see bot.rasa.nlg): each a message with its own class for the page's CSS."""
        step = message.get("step")
        if isinstance(step, dict) and step.get("text"):
            await self._send_message(recipient_id, _styled(str(step["text"]), "enrollment-step"))
        await super().send_response(recipient_id, message)
        card = message.get("enrollment_number_card")
        if isinstance(card, dict) and card.get("text"):
            await self._send_message(recipient_id, _styled(str(card["text"]), "enrollment-number-card"))

    async def send_custom_json(self, recipient_id: Text, json_message: Dict[Text, Any],
                               **kwargs: Any) -> None:
        # Rasa's version spreads the message into emit()'s arguments; the widget wants the message itself.
        await self._send_message(recipient_id, json_message)


def _styled(text: str, css_class: str) -> Dict[str, Any]:
    """A message the widget shows with `css_class` in place of its usual bubble class (rasa-webchat's
    metadata.customCss)."""
    return {"text": text, "metadata": {"customCss": {"style": "class", "css": css_class}}}


class WebChatInput(SocketIOInput):
    """Rasa's socket.io input channel, corrected and extended with the chat page (see the module doc)."""

    @classmethod
    def name(cls) -> Text:
        return "webchat"

    sessions: SessionIds
    origins: list[str] = []

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            session_persistence=credentials.get("session_persistence", True),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            metadata_key=credentials.get("metadata_key", "customData"),
        )
        channel.sessions = SessionIds(session_key())
        channel.origins = allowed_origins()
        return channel

    def get_output_channel(self) -> Optional[OutputChannel]:
        """An output channel that reaches any web chat sender, for replies pushed through the HTTP API."""
        if self.sio is None:
            return super().get_output_channel()  # warns that there is no server yet
        return WebChatOutput(self.sio, self.bot_message_evt, self.namespace)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        manager = client_manager()
        sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[],  # CORS headers: Rasa's --cors
                          **({"client_manager": manager} if manager else {}))
        self.sio = sio
        webchat_webhook = SocketBlueprint(sio, self.socketio_path, "webchat_webhook", __name__)
        _add_page_routes(webchat_webhook)
        namespace = self.namespace

        @sio.on("connect", namespace=namespace)
        async def connect(sid: Text, environ: Dict, auth: Optional[Dict] = None) -> bool:
            if not origin_allowed(environ, self.origins):
                logger.warning("Refused a web chat connection from another site's page")
                return False
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: Text, data: Any) -> None:
            requested = data.get("session_id") if isinstance(data, dict) else None
            if self.session_persistence and self.sessions.issued(requested):
                session_id = requested
            else:  # on the route nginx took to this replica, as every later request of it will
                session_id = self.sessions.issue(route_key(sio.get_environ(sid, namespace=namespace) or {}))
            sender_id = SENDER_PREFIX + session_id
            previous = (await sio.get_session(sid, namespace=namespace)).get("sender_id")
            if previous and previous != sender_id:
                await sio.leave_room(sid, previous, namespace=namespace)
            await sio.save_session(sid, {"sender_id": sender_id}, namespace=namespace)
            await sio.enter_room(sid, sender_id, namespace=namespace)
            await sio.emit("session_confirm", session_id, room=sid, namespace=namespace)
            logger.debug("Web chat session %s confirmed", pseudonym(sender_id))

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: Text, data: Any) -> None:
            sender_id = (await sio.get_session(sid, namespace=namespace)).get("sender_id")
            if not sender_id:
                logger.warning("Ignored a web chat message sent before its session_request")
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or len(text) > MAX_MESSAGE_CHARS:
                logger.warning("Ignored a malformed or overlong web chat message from %s",
                               pseudonym(sender_id))
                return
            await on_new_message(UserMessage(
                text,
                WebChatOutput(sio, self.bot_message_evt, namespace),
                sender_id,
                input_channel=self.name(),
                metadata=language_metadata(data.get(self.metadata_key)),
            ))

        return webchat_webhook


@dataclass(frozen=True)
class _Asset:
    body: bytes
    content_type: str
    etag: str


_loaded: Dict[Path, _Asset] = {}


def _asset(path: Path, content_type: str) -> Optional[_Asset]:
    """The file's bytes, read once; None when it is missing (the widget before `npm ci --prefix web`)."""
    if path not in _loaded:
        try:
            body = path.read_bytes()
        except FileNotFoundError:
            logger.error("Web chat file %s is missing (did setup run `npm ci --prefix web`?)",
                         path.relative_to(PROJECT_ROOT))
            return None
        if path == WIDGET_JS:
            body = _REMOTE_FONT_IMPORT.sub(b"", body)
        _loaded[path] = _Asset(body, content_type, '"' + hashlib.sha256(body).hexdigest()[:20] + '"')
    return _loaded[path]


def _serve(request: Request, asset: Optional[_Asset],
           headers: Optional[Dict[str, str]] = None) -> HTTPResponse:
    if asset is None:
        return response.text("not found", status=404)
    all_headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
                   **(headers or {})}
    if request.headers.get("if-none-match") == asset.etag:
        return response.empty(status=304, headers=all_headers)
    return response.raw(asset.body, content_type=asset.content_type, headers=all_headers)


def _add_page_routes(blueprint: Blueprint) -> None:
    @blueprint.route("/", methods=["GET"])
    async def page(request: Request) -> HTTPResponse:
        return _serve(request, _asset(*PAGE), PAGE_SECURITY_HEADERS)

    @blueprint.route("/static/<name:str>", methods=["GET"])
    async def static(request: Request, name: str) -> HTTPResponse:
        source = ASSETS.get(name)
        return _serve(request, _asset(*source) if source else None)

    @blueprint.route("/health", methods=["GET"])
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})
