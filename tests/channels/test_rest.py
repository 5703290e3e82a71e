"""The REST channel for integrators: a key per integrator, senders namespaced `rest:<integrator>:`,
JSON only. Driven over HTTP against a real Sanic server (conftest.py), with a stub agent."""
from __future__ import annotations

import json

import aiohttp
import pytest

from bot.channels.rest import RestInput, integrator_keys

WEBHOOK = "/webhooks/rest/webhook"
KEYS = {"partner-a": "key-of-a-0123456789", "partner-b": "key-of-b-9876543210"}


async def post(url: str, body, headers=None, content_type: str = "application/json") -> int:
    async with aiohttp.ClientSession() as http:
        async with http.post(url + WEBHOOK, data=json.dumps(body) if not isinstance(body, bytes) else body,
                             headers={"Content-Type": content_type, **(headers or {})}) as response:
            return response.status


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
async def rest(serve_channels):
    return await serve_channels(RestInput(KEYS))


async def test_each_integrator_writes_only_into_its_own_namespace(rest):
    assert await post(rest.url, {"sender": "u1", "message": "你好"}, bearer(KEYS["partner-a"])) == 200
    assert await post(rest.url, {"sender": "u1", "message": "hi"}, bearer(KEYS["partner-b"])) == 200
    # An integrator naming another's conversation, or a web chat / WeChat one, stays in its own namespace.
    assert await post(rest.url, {"sender": "rest:partner-b:u1", "message": "x"}, bearer(KEYS["partner-a"])) == 200
    assert await post(rest.url, {"sender": "wx:o6_bmjrPTlm6", "message": "x"}, bearer(KEYS["partner-a"])) == 200
    assert [m.sender_id for m in rest.agent.messages] == [
        "rest:partner-a:u1", "rest:partner-b:u1", "rest:partner-a:rest:partner-b:u1", "rest:partner-a:wx:o6_bmjrPTlm6"]


@pytest.mark.parametrize("headers", [{}, bearer("wrong"), bearer(KEYS["partner-a"] + "x"),
                                     {"Authorization": KEYS["partner-a"]}, bearer("")])
async def test_without_a_valid_key_nothing_reaches_the_assistant(rest, headers):
    assert await post(rest.url, {"sender": "u1", "message": "你好"}, headers) == 401
    assert rest.agent.messages == []


async def test_a_page_cannot_post_to_it_as_a_simple_cross_site_request(rest):
    """text/plain and form bodies need no CORS preflight, so any web page could send them."""
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
        assert await post(rest.url, {"sender": "u1", "message": "x"}, bearer(KEYS["partner-a"]),
                          content_type=content_type) == 415
    assert rest.agent.messages == []


async def test_locally_without_keys_a_sender_cannot_look_like_another_channels(serve_channels):
    local = await serve_channels(RestInput())
    assert await post(local.url, {"sender": "me", "message": "你好"}) == 200
    for sender in ("web:0123", "wx:o6", "rest:partner-a:u1", "a:b"):
        assert await post(local.url, {"sender": sender, "message": "x"}) == 400
    assert [m.sender_id for m in local.agent.messages] == ["me"]


async def test_with_the_production_endpoints_and_no_keys_every_call_is_refused(serve_channels, monkeypatch):
    monkeypatch.setenv("RASA_ENDPOINTS", "endpoints.production.yml")
    monkeypatch.delenv("REST_INTEGRATOR_KEYS", raising=False)
    closed = await serve_channels(RestInput.from_credentials(None))
    assert await post(closed.url, {"sender": "me", "message": "你好"}) == 401
    monkeypatch.setenv("REST_INTEGRATOR_KEYS", "partner-a:k1")
    keyed = await serve_channels(RestInput.from_credentials(None))
    assert await post(keyed.url, {"sender": "me", "message": "你好"}, bearer("k1")) == 200


@pytest.mark.parametrize("raw", ["nokey", "a:", ":k", "a:k a:k2", "a b:k"])
def test_malformed_integrator_keys_fail_at_startup(raw):
    with pytest.raises(ValueError):
        integrator_keys(raw)


async def post_for_replies(url: str, body: dict, headers: dict) -> tuple[int, object]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url + WEBHOOK, json=body, headers=headers) as response:
            return response.status, await response.json(content_type=None)


async def test_a_message_sent_again_with_its_id_is_answered_once_with_the_first_replies(rest):
    from rasa.core.tracker_store import InMemoryTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    store = InMemoryTrackerStore(Domain.empty())
    rest.agent.tracker_store = store

    async def answer(message):  # what the assistant does: store the turn, say two things
        tracker = await store.retrieve(message.sender_id) or DialogueStateTracker(message.sender_id, [])
        tracker.update(UserUttered(message.text, message_id=message.message_id))
        tracker.update(BotUttered("请问参加的人叫什么名字？"))
        await store.save(tracker)
        await message.output_channel.send_text_message(message.sender_id, "请问参加的人叫什么名字？")
    rest.agent.reply = answer

    body = {"sender": "u7", "message": "我想报名", "message_id": "turn-1"}
    first = await post_for_replies(rest.url, body, bearer(KEYS["partner-a"]))
    again = await post_for_replies(rest.url, body, bearer(KEYS["partner-a"]))  # after a 502, say
    assert first == again == (200, [{"recipient_id": "rest:partner-a:u7", "text": "请问参加的人叫什么名字？"}])
    assert len(rest.agent.messages) == 1
    assert rest.agent.messages[0].message_id == "turn-1"

    # Another id, or the same id in another conversation, is a new message.
    await post_for_replies(rest.url, {**body, "message_id": "turn-2"}, bearer(KEYS["partner-a"]))
    await post_for_replies(rest.url, {**body, "sender": "u8"}, bearer(KEYS["partner-a"]))
    assert len(rest.agent.messages) == 3
    assert (await post_for_replies(rest.url, {**body, "message_id": "no spaces"}, bearer(KEYS["partner-a"])))[0] == 400
