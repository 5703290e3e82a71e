"""The console's small parts on their own: the login throttle, reading a tracker, and the Rasa client."""
from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import ClientSession

from bot.console.login_throttle import LoginThrottle, client_address, trusted_networks
from bot.store.shared_state import MemoryState
from bot.console.pages import local_path
from bot.console.rasa_api import RasaClient, RasaUnavailable
from bot.console.transcript import conversation_from_tracker
from console_support import RASA_TOKEN


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_the_throttle_counts_attempts_per_username_and_per_address_until_they_age_out():
    now = [0.0]
    throttle = LoginThrottle(3, timedelta(minutes=15), per_address=3, state=MemoryState(clock=lambda: now[0]))
    for _ in range(3):
        assert await throttle.reserve("Alice", "10.0.0.1")
    assert not await throttle.reserve("alice ", "10.0.0.2")  # usernames compare as typed loosely
    assert await throttle.reserve("bob", "10.0.0.3")
    assert not await throttle.reserve("carol", "10.0.0.1")  # a fourth attempt from 10.0.0.1: the address is full
    now[0] = 15 * 60 + 1
    assert await throttle.reserve("alice", "10.0.0.1")
    await throttle.succeeded("alice", "10.0.0.1")
    for _ in range(3):
        assert await throttle.reserve("alice", "10.0.0.9")
    # Successful logins give their address place back: an office behind one address logs in all day.
    for _ in range(10):
        assert await throttle.reserve("dave", "10.0.0.7")
        await throttle.succeeded("dave", "10.0.0.7")


@pytest.mark.parametrize("peer, forwarded, expected", [
    ("10.1.2.3", "203.0.113.7", "203.0.113.7"),                  # from the trusted proxy
    ("10.1.2.3", "198.51.100.1, 203.0.113.7", "203.0.113.7"),    # a client's own prefix is not believed
    ("10.1.2.3", "203.0.113.7, 10.1.2.4", "203.0.113.7"),        # two proxies of ours
    ("203.0.113.9", "198.51.100.1", "203.0.113.9"),              # not from a proxy: the header is ignored
    ("10.1.2.3", "not an address", "10.1.2.3"),
    ("10.1.2.3", None, "10.1.2.3"),
])
def test_the_client_address_comes_from_a_trusted_proxy_only(peer, forwarded, expected):
    assert client_address(peer, forwarded, trusted_networks("10.0.0.0/8")) == expected
    assert client_address(peer, forwarded, ()) == peer


def test_a_tracker_becomes_the_lines_people_said_in_order():
    tracker = {"paused": True, "latest_input_channel": "webchat", "events": [
        {"event": "action", "name": "action_session_start", "timestamp": 1},
        {"event": "user", "text": "转人工", "timestamp": 2},
        {"event": "bot", "text": "好的", "timestamp": 3, "data": {"buttons": [{"title": "是"}, "junk"]}},
        {"event": "slot", "name": "language", "value": "zh", "timestamp": 4},
        {"event": "pause", "timestamp": 5},
        {"event": "pause", "timestamp": 5.5},  # the console pauses again on taking it: no second marker
        {"event": "bot", "text": "我是客服", "timestamp": 6, "metadata": {"staff_id": 3}},
        {"event": "resume", "timestamp": 7},
        {"event": "resume", "timestamp": 7.5},
        {"event": "user", "text": "EXTERNAL: resume_conversation", "timestamp": 8},
        {"event": "bot", "timestamp": 9, "data": {"image": "https://example/x.png"}},
    ]}
    conversation = conversation_from_tracker(tracker)
    assert [(l.speaker, l.text, l.staff_id, l.buttons) for l in conversation.lines] == [
        ("user", "转人工", None, ()), ("assistant", "好的", None, ("是",)), ("paused", "", None, ()),
        ("staff", "我是客服", 3, ()), ("resumed", "", None, ()), ("assistant", "", None, ()),
    ]
    assert conversation.paused and conversation.latest_input_channel == "webchat"
    assert [l.at.timestamp() for l in conversation.lines] == [2, 3, 5, 6, 7, 9]


@pytest.mark.parametrize("value, expected", [
    ("/tickets/3?notice=x", "/tickets/3?notice=x"), ("", "/"), (None, "/"), ("//evil.example", "/"),
    ("https://evil.example", "/"), ("/\\evil.example", "/"), ("/ok\r\nSet-Cookie: x=y", "/"),
])
def test_redirects_stay_on_the_site(value, expected):
    assert local_path(value) == expected


async def test_rasa_errors_name_the_call_never_the_token(fake_rasa):
    fake_rasa.fail = True
    async with ClientSession() as http:
        rasa = RasaClient(http, fake_rasa.url + "/", RASA_TOKEN)
        with pytest.raises(RasaUnavailable) as refused:
            await rasa.resume("web:1")
        assert str(refused.value) == "Rasa POST /conversations/{id}/tracker/events: HTTP 500"

        unreachable = RasaClient(http, "http://127.0.0.1:9", RASA_TOKEN)
        with pytest.raises(RasaUnavailable) as down:
            await unreachable.conversation("web:1")
        assert RASA_TOKEN not in str(down.value) and down.value.__cause__ is None


async def test_conversation_ids_are_quoted_into_the_path(fake_rasa):
    async with ClientSession() as http:
        await RasaClient(http, fake_rasa.url, RASA_TOKEN).pause("api:partner/x y")
    assert fake_rasa.calls[0].conversation_id == "api:partner/x y"


def test_the_console_never_loads_rasa():
    """The console is aiohttp and the store: it talks to Rasa over HTTP only, and starts in a moment."""
    import subprocess
    import sys

    from bot.core.settings import PROJECT_ROOT

    check = ("import bot.console.app, bot.console.__main__, sys; "
             "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk', 'sanic')); "
             "print(bad); sys.exit(1 if bad else 0)")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True, cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_summary_values_read_as_one_line():
    from bot.console.labels import summary_value

    assert summary_value({"H1": "no", "H2": "not_sure"}) == "H1: no, H2: not_sure"
    assert [summary_value(v) for v in (None, "", {}, [], 67, ["a", "b"])] == ["–", "–", "–", "–", "67", "a, b"]


async def test_two_console_replicas_share_the_counts_through_redis():
    import uuid

    from bot.store.shared_state import RedisState

    prefix = f"test-throttle-{uuid.uuid4().hex[:8]}:"
    states = [RedisState("redis://127.0.0.1:6379/14", prefix=prefix) for _ in range(2)]
    replicas = [LoginThrottle(5, timedelta(minutes=15), state=state) for state in states]
    try:
        results = [await replicas[n % 2].reserve("alice", f"10.0.0.{n}") for n in range(8)]
        assert results == [True] * 5 + [False] * 3  # five attempts in all, whichever replica took them
        await replicas[0].succeeded("alice", "10.0.0.1")
        assert await replicas[1].reserve("alice", "10.0.0.1")
    finally:
        for state in states:
            await state._redis.delete(*[k async for k in state._redis.scan_iter(prefix + "*")] or ["-"])
            await state.close()
