"""GET /metrics on the two Sanic servers (the Rasa server and the action server), and what they measure.

- The Rasa server (`install()`, called by bot.rasa.server before Rasa starts): every user message's turn
  is timed from the moment it reaches the agent, lock wait included, to the answer
  (`assistant_turn_seconds`, by channel); /metrics is added to the Sanic app Rasa builds. Failed and
  timed-out actions are counted by bot.rasa.outage, handoffs and store errors by the store.
- The action server (`attach(app)`, from the rasa-sdk plugin hook in bot.rasa.action_server_auth): each
  /webhook call is timed by action and outcome (`assistant_action_seconds`); a call that is refused
  (401) or names no known action (404) is counted under action "other", so nobody outside can add labels.

/metrics is not behind the HTTP API's JWT: it is kept off every nginx location (deploy/nginx) and only
the monitoring namespace may reach the pods' ports (deploy/k8s/network-policies.yml).
"""
from __future__ import annotations

import time
from typing import Any, Optional

from sanic import Sanic, response
from sanic.request import Request

from bot.metrics import ACTION_SECONDS, TURN_SECONDS, OTHER, channel_label, code_name, exposition

PATH = "/metrics"
ROUTE_NAME = "prometheus_metrics"
OUTCOMES = {200: "ok", 400: "rejected", 401: "unauthorized", 404: "not_found"}


async def metrics(_request: Request) -> response.HTTPResponse:
    body, content_type = exposition()
    return response.raw(body, content_type=content_type)


def add_route(app: Sanic) -> None:
    if ROUTE_NAME not in {route.name.rpartition(".")[2] for route in app.router.routes}:
        app.add_route(metrics, PATH, methods=["GET"], name=ROUTE_NAME)


def install() -> None:
    """Time every turn and serve /metrics on the Rasa server about to start (idempotent)."""
    import rasa.core.run
    from rasa.core.agent import Agent

    if getattr(Agent.handle_message, "timed", False):
        return
    untimed = Agent.handle_message

    async def handle_message(self: Agent, message: Any) -> Optional[Any]:
        started = time.perf_counter()
        try:
            return await untimed(self, message)
        finally:
            TURN_SECONDS.labels(channel=channel_label(getattr(message, "input_channel", None))).observe(
                time.perf_counter() - started)

    handle_message.timed = True  # type: ignore[attr-defined]
    Agent.handle_message = handle_message  # type: ignore[method-assign]
    configure_app = rasa.core.run.configure_app

    def configure_app_with_metrics(*args: Any, **kwargs: Any) -> Sanic:
        app = configure_app(*args, **kwargs)
        add_route(app)
        return app

    rasa.core.run.configure_app = configure_app_with_metrics


def _action_name(request: Request) -> str:
    try:
        call = request.json
    except Exception:  # noqa: BLE001 - a compressed or broken body: rasa-sdk answers it itself
        return OTHER
    return code_name(call.get("next_action")) if isinstance(call, dict) else OTHER


def attach(app: Sanic) -> None:
    """/metrics on the action server, and each action call timed."""
    add_route(app)

    @app.middleware("request")
    async def start_timing(request: Request) -> None:
        if request.path.rstrip("/") == "/webhook":
            request.ctx.metrics_started = time.perf_counter()

    @app.middleware("response")
    async def observe_action(request: Request, reply: response.HTTPResponse) -> None:
        started = getattr(request.ctx, "metrics_started", None)
        if started is None:
            return
        outcome = OUTCOMES.get(reply.status, "error")
        action = _action_name(request) if outcome in ("ok", "rejected", "error") else OTHER
        ACTION_SECONDS.labels(action=action, outcome=outcome).observe(time.perf_counter() - started)
