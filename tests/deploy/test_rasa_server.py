"""How the Rasa server is started (bot.rasa.server): Rasa's own command line plus the project's guard
around actions, its prepared check of action responses, its models loaded for answering and its request bodies."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

from bot.rasa import action_results, warm_up
from bot.core.settings import PROJECT_ROOT
from tests.conftest import free_port

RASA_VALIDATE = RemoteAction._validate_action_result  # Rasa's own, before any install() of this process
GOOD = {"events": [{"event": "slot", "name": "language", "value": "zh"}],
        "responses": [{"response": "utter_greet"}]}


def test_the_entry_point_installs_the_guard_and_the_prepared_check():
    script = ("import sys, runpy; sys.argv = ['rasa', '--version']\n"
              "try:\n    runpy.run_module('bot.rasa.server', run_name='__main__')\n"
              "except SystemExit:\n    pass\n"
              "from rasa.core.processor import MessageProcessor\n"
              "from rasa.core.actions.action import RemoteAction\n"
              "import rasa.core.run\n"
              "from rasa.utils.endpoints import EndpointConfig\n"
              "from rasa.utils.tensorflow.models import RasaModel\n"
              "print(getattr(MessageProcessor._run_action, 'guarded', False), "
              "RemoteAction._validate_action_result.__module__, "
              "getattr(rasa.core.run.load_agent_on_start, 'warms', False), "
              "EndpointConfig.request.__module__, RasaModel.load.__func__.__module__)")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=PROJECT_ROOT,
                            timeout=300)
    assert result.stdout.strip().splitlines()[-1] == (
        "True bot.rasa.action_results True bot.rasa.action_requests bot.rasa.serving_models"), result.stderr[-2000:]


class LoadedAgent:
    def __init__(self, fails: bool = False) -> None:
        self.parsed: list[str] = []
        self.fails = fails

    def is_ready(self) -> bool:
        return True

    async def parse_message(self, text: str) -> dict:
        if self.fails:
            raise RuntimeError("no model")
        self.parsed.append(text)
        return {}


async def test_the_model_parses_both_languages_before_the_server_opens_its_port(monkeypatch):
    import rasa.core.run

    agent = LoadedAgent()

    async def load_agent_on_start(*_args, **_kwargs):
        return agent

    monkeypatch.setattr(rasa.core.run, "load_agent_on_start", load_agent_on_start)
    warm_up.install()
    warm_up.install()  # twice, as a restarted plugin load would: one warm-up
    assert await rasa.core.run.load_agent_on_start("model", None, None, object(), None) is agent
    assert agent.parsed == list(warm_up.WARM_UP_MESSAGES)
    assert {language_of(text) for text in agent.parsed} == {"zh", "en"}

    broken = LoadedAgent(fails=True)
    await warm_up.warm(broken)  # a model that cannot parse still lets the server start
    await warm_up.warm(None)


def language_of(text: str) -> str:
    return "zh" if any("\u4e00" <= character <= "\u9fff" for character in text) else "en"


def test_a_valid_action_response_passes_and_an_invalid_one_is_refused_as_rasa_would():
    action = RemoteAction("action_anything", None)
    assert action_results.validate_action_result(action, GOOD) is True
    for bad in ({"events": "not a list"}, {"events": [{"no": "event name"}]}, {"responses": {}}):
        with pytest.raises(ValidationError) as refused:
            action_results.validate_action_result(action, bad)
        assert "Failed to validate Action server response" in refused.value.message


def test_the_schema_itself_is_checked_once_not_on_every_response(monkeypatch):
    checks = []
    schema_class = validators.validator_for(RemoteAction.action_response_format_spec())
    monkeypatch.setattr(schema_class, "check_schema", classmethod(lambda cls, schema: checks.append(1)))
    action_results._validator.cache_clear()
    action_results._by_event_name.cache_clear()
    action = RemoteAction("action_anything", None)
    for _ in range(50):
        action_results.validate_action_result(action, GOOD)
    action_results._validator.cache_clear()
    action_results._by_event_name.cache_clear()
    assert len(checks) == 1


def test_no_secret_goes_on_the_command_line():
    from bot.ops import launcher
    from bot.rasa import server as rasa_server

    for service in launcher.services(5005, 5055, 5080):
        assert not any(part.startswith(rasa_server.FORBIDDEN_ARGUMENTS) for part in service.command)
    for forbidden in ("--auth-token=abc", "--jwt-secret", "--jwt-private-key=/k"):
        with pytest.raises(rasa_server.RefusedStart, match="ps"):
            rasa_server.arguments(["run", "--enable-api", forbidden])


def test_the_api_secret_is_added_inside_the_process_as_a_jwt_secret_and_no_auth_token():
    from bot.rasa import server as rasa_server

    args = rasa_server.arguments(["run", "--enable-api", "--port", "5005"], secret="s3cret")
    assert args[-2:] == ["--jwt-secret=s3cret", "--jwt-method=HS256"]
    assert not any(a.startswith("--auth-token") for a in args)  # so `?token=` is accepted nowhere
    assert rasa_server.arguments(["run", "actions", "--port", "5055"]) == ["run", "actions", "--port", "5055"]


@pytest.mark.parametrize("missing", ["RASA_API_TOKEN", "ACTION_SERVER_SECRET", "WEBCHAT_SESSION_KEY"])
def test_with_the_production_endpoints_the_server_refuses_to_start_without_its_secrets(monkeypatch, missing):
    from bot.rasa import server as rasa_server

    monkeypatch.setenv("RASA_ENDPOINTS", "endpoints.production.yml")
    for name in rasa_server.PRODUCTION_SECRETS:
        monkeypatch.setenv(name, "set")
    monkeypatch.setenv(missing, "")
    with pytest.raises(rasa_server.RefusedStart, match=missing):
        rasa_server.arguments(["run", "--enable-api"], secret="s3cret")
    monkeypatch.setenv(missing, "set")
    assert rasa_server.arguments(["run", "--enable-api"], secret="s3cret")[-2] == "--jwt-secret=s3cret"


def every_kind_of_event() -> list[dict]:
    from datetime import datetime

    import rasa_sdk.events as sdk

    return [
        sdk.SlotSet("language", "zh"), sdk.SlotSet("requested_slot", None), sdk.AllSlotsReset(),
        sdk.FollowupAction("action_listen"), sdk.ActiveLoop("enrollment_form"), sdk.ActiveLoop(None),
        sdk.BotUttered("好的", {"buttons": [{"title": "是", "payload": "/affirm"}]}, {"utter_action": "utter_ok"}),
        sdk.UserUttered("我想给我妈报名", {"intent": {"name": "enroll", "confidence": 0.97},
                                      "entities": [{"entity": "relationship", "value": "mother", "start": 4,
                                                    "end": 5}], "intent_ranking": []}),
        sdk.ActionExecuted("utter_greet"), sdk.SessionStarted(), sdk.Restarted(), sdk.UserUtteranceReverted(),
        sdk.ActionReverted(), sdk.ConversationPaused(), sdk.ConversationResumed(), sdk.StoryExported(),
        sdk.ReminderScheduled("EXTERNAL_reminder", datetime(2026, 12, 3, 9, 0), name="r"),
        sdk.ReminderCancelled(name="r"), sdk.ActionExecutionRejected("action_x"), sdk.LoopInterrupted(True),
        sdk.AgentUttered("hi"),
    ]


def test_each_event_is_checked_against_its_own_kind_with_rasas_verdict_and_rasas_error():
    """The per-event check accepts exactly what Rasa's whole schema accepts, and a refused answer gets
    Rasa's own error."""
    assert action_results._by_event_name() is not None  # Rasa 3.6's kinds are told apart by their names
    action = RemoteAction("action_anything", None)
    good = [{"events": [event], "responses": []} for event in every_kind_of_event()]
    good.append({"events": every_kind_of_event(), "responses": [{"response": "utter_greet"}]})
    bad = [
        {"events": [{"event": "slot", "name": 7, "value": "zh"}]},  # a slot's name must be a string
        {"events": [{"event": "bot", "text": "hi", "metadata": "not an object"}]},
        {"events": [{"event": "user", "text": "hi", "parse_data": {"entities": [{"value": 1}]}}]},
        {"events": [{"event": "no such event"}]},
        {"events": [{"event": "slot", "name": "language"}]},  # a slot event without its value
        {"events": [{"event": "action", "name": "utter_greet", "confidence": "high"}]},
        {"events": [{"event": "slot", "name": "language", "timestamp": "today"}]},
        {"events": [*every_kind_of_event(), {"event": "action", "name": 1}]},
        {"events": "not a list"}, {"events": [{"no": "event name"}]}, {"responses": {}},
    ]
    full = action_results._validator()
    for answer in good:
        assert full.is_valid(answer) and action_results.passes(answer), answer
        assert action_results.validate_action_result(action, answer) is True
    for answer in bad:
        assert not full.is_valid(answer) and not action_results.passes(answer), answer
        with pytest.raises(ValidationError) as ours:
            action_results.validate_action_result(action, answer)
        with pytest.raises(ValidationError) as rasas:
            RASA_VALIDATE(action, answer)
        assert ours.value.message.split(". Failed")[0] == rasas.value.message.split(". Failed")[0]


async def test_the_action_server_receives_the_same_json_encoded_by_ujson(monkeypatch):
    """What reaches the action server decodes to the body Rasa gave, sent as JSON; a body ujson cannot
    encode goes Rasa's way (and fails as it did)."""
    from datetime import date

    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot.rasa import action_requests

    received = []

    async def webhook(request):
        received.append((request.content_type, await request.read()))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    monkeypatch.setattr(action_requests, "RASA_REQUEST", EndpointConfig.request)
    monkeypatch.setattr(EndpointConfig, "request", action_requests.request)
    body = {"next_action": "validate_enrollment_form", "sender_id": "web:1/2",
            "tracker": {"latest_message": {"text": "她叫王秀英，1959年生", "intent": {"confidence": 0.30000000000000004}},
                        "events": [{"event": "slot", "name": "member_name", "value": None, "timestamp": 1.5e9},
                                   {"event": "user", "text": "我\u0000\"妈\"", "parse_data": {"entities": []}}]},
            "domain": {"slots": {"1": True, "list": [1, 2.5e-7, -0.0, 10 ** 20]}}}
    try:
        endpoint = EndpointConfig(f"http://127.0.0.1:{port}/webhook")
        assert await endpoint.request(json=body, method="post") == {"events": [], "responses": []}
        content_type, raw = received[-1]
        assert content_type == "application/json" and json.loads(raw) == body
        assert raw.decode("ascii")  # non-ASCII escaped, as the standard library sends it
        assert b'": ' not in raw  # ujson's compact form, not json.dumps's
        # The next call with the same domain (Rasa's cached dictionary), then a model with another one.
        body["tracker"]["events"].append({"event": "action", "name": "action_listen"})
        await endpoint.request(json=body, method="post")
        assert json.loads(received[-1][1]) == body
        body["domain"] = {"slots": {"language": {"type": "categorical"}}, "responses": {"utter_x": []}}
        await endpoint.request(json=body, method="post")
        assert json.loads(received[-1][1]) == body and list(json.loads(received[-1][1]))[-1] == "domain"
        await endpoint.request(json={"domain": {"a": 1}}, method="post")
        assert json.loads(received[-1][1]) == {"domain": {"a": 1}}
        with pytest.raises(TypeError):
            await endpoint.request(json={"when": date(2026, 12, 3)}, method="post")
    finally:
        await runner.cleanup()
