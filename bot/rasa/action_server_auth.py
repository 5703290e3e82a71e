"""The action server's shared-secret check, loaded by rasa-sdk itself.

rasa-sdk 3.6 has no request authentication; it imports a top-level `rasa_sdk_plugins` package when one
is importable, calls `init_hooks(manager)`, and then `attach_sanic_app_extensions(app)` on the action
server's Sanic app (rasa_sdk/plugin.py, rasa_sdk/endpoint.py `run`). The hook here adds a request
middleware: while ACTION_SERVER_SECRET is set, a call to /webhook without that value in the
X-Action-Secret header is answered 401 before any action runs. Rasa sends the header from
`action_endpoint.headers` (endpoints.production.yml). /health stays open for probes.

Empty ACTION_SERVER_SECRET means no check, for `make run` on localhost; with the production endpoints
(RASA_ENDPOINTS=endpoints.production.yml, which the manifests give every pod) the action server refuses
to start instead of failing open. It listens on ACTION_HOST (127.0.0.1 unless set; rasa-sdk itself would
take 0.0.0.0): the hook runs just before rasa-sdk reads SANIC_HOST, and sets it when it is unset.
"""
from __future__ import annotations

import hmac
import logging
import os
import sys
from typing import Optional

import pluggy
from sanic import Sanic, response
from sanic.request import Request

HEADER = "X-Action-Secret"
PROTECTED_PATHS = ("/webhook",)

hookimpl = pluggy.HookimplMarker("rasa_sdk")
log = logging.getLogger(__name__)


def init_hooks(manager: pluggy.PluginManager) -> None:
    """Called by rasa_sdk.plugin when it discovers this package."""
    manager.register(sys.modules[__name__])


def secret_matches(expected: str, given: Optional[str]) -> bool:
    """Constant-time comparison of the configured secret with the one a request carries."""
    return hmac.compare_digest(expected.encode("utf-8"), (given or "").encode("utf-8"))


def require_secret(app: Sanic, secret: str) -> None:
    """Reject calls to the protected paths that lack `secret` in the X-Action-Secret header."""

    @app.middleware("request")
    async def check_action_secret(request: Request):
        if request.path.rstrip("/") in PROTECTED_PATHS and not secret_matches(
                secret, request.headers.get(HEADER)):
            return response.json({"error": "missing or wrong X-Action-Secret"}, status=401)
        return None


class InsecureStart(SystemExit):
    """The action server would run in production without its secret."""


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    from bot.core import settings

    secret = settings.get("ACTION_SERVER_SECRET")
    if not secret and settings.production():
        log.error("action server: ACTION_SERVER_SECRET is empty with the production endpoints; not starting")
        raise InsecureStart("error: ACTION_SERVER_SECRET must be set with the production endpoints "
                            f"({settings.PRODUCTION_ENDPOINTS}); the action server did not start.")
    os.environ.setdefault("SANIC_HOST", settings.get("ACTION_HOST"))
    from bot.rasa import metrics

    metrics.attach(app)  # GET /metrics, each action call timed; not behind the secret, like /health
    if secret:
        require_secret(app, secret)
        log.info("action server: /webhook requires the %s header", HEADER)
    else:
        log.warning("action server: ACTION_SERVER_SECRET is empty, /webhook is unauthenticated "
                    "(fine on localhost; production must set it)")
