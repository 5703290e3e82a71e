"""Logging in and out, the login check, CSRF refusals, the login rate limit and the session cookie."""
from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient

from bot.console.sessions import SESSION_COOKIE
from bot.store import find_staff_session, list_audit
from console_support import (
    BACKENDS,
    PASSWORDS,
    audit_actions,
    csrf_token,
    login,
    login_form_token,
    open_ticket,
    start_console,
)


async def test_without_a_session_pages_go_to_the_login_and_data_and_forms_are_refused(console):
    ticket = open_ticket(console.engine, "web:a")
    client = await console.client()

    home = await client.get("/", allow_redirects=False)
    assert (home.status, home.headers["Location"]) == (303, "/login")
    page = await client.get(f"/tickets/{ticket.id}", allow_redirects=False)
    assert (page.status, page.headers["Location"]) == (303, f"/login?next=/tickets/{ticket.id}")
    assert (await client.get("/queue.json")).status == 401
    assert (await client.get("/queue/events")).status == 401  # the live queue's stream too
    assert (await client.get(f"/tickets/{ticket.id}/transcript.json")).status == 401
    for action in ("claim", "reply", "hand-back", "close", "release"):
        refused = await client.post(f"/tickets/{ticket.id}/{action}", data={"text": "hi"})
        assert refused.status == 401, action
    assert console.rasa.calls == []
    assert (await client.get("/health")).status == 200


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
async def test_login_opens_a_session_in_the_store_and_logout_ends_it(console):
    client = await console.client()
    response = await login(client, "alice", PASSWORDS["alice"], next_path="/tickets/7")
    assert (response.status, response.headers["Location"]) == (303, "/tickets/7")

    cookie = response.cookies[SESSION_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    assert 0 < int(cookie["max-age"]) <= 3600
    token = cookie.value
    assert len(token) >= 43  # 32 random bytes
    assert find_staff_session(console.engine, token).staff.username == "alice"
    assert "Alice Wang" in await (await client.get("/")).text()

    csrf = await csrf_token(client)
    refused = await client.post("/logout", allow_redirects=False)
    assert refused.status == 403 and find_staff_session(console.engine, token) is not None
    out = await client.post("/logout", data={"csrf_token": csrf}, allow_redirects=False)
    assert (out.status, out.headers["Location"]) == (303, "/login?notice=logged_out")
    assert find_staff_session(console.engine, token) is None
    assert (await client.get("/", allow_redirects=False)).status == 303

    replayed = await console.client()  # the old cookie, sent again after logout, opens nothing
    replayed.session.cookie_jar.update_cookies({SESSION_COOKIE: token})
    assert (await replayed.get("/", allow_redirects=False)).status == 303
    assert audit_actions(console.engine, "staff:alice")[-2:] == [("staff.logged_in", "alice"),
                                                                  ("staff.logged_out", "alice")]


async def test_sessions_live_in_the_store_so_a_restarted_console_keeps_them(console, database_url):
    alice = await console.logged_in("alice")
    token = alice.client.session.cookie_jar.filter_cookies(alice.client.make_url("/"))[SESSION_COOKIE].value

    restarted = await start_console(database_url, console.rasa)
    try:
        async with TestClient(restarted) as client:
            client.session.cookie_jar.update_cookies({SESSION_COOKIE: token})
            assert (await client.get("/", allow_redirects=False)).status == 200
    finally:
        await restarted.close()


async def test_an_expired_session_is_a_logged_out_one(database_url, engine, staff, fake_rasa):
    server = await start_console(database_url, fake_rasa, session_lifetime=timedelta(seconds=-1))
    async with TestClient(server) as client:
        assert (await login(client, "alice", PASSWORDS["alice"])).status == 303
        assert (await client.get("/", allow_redirects=False)).status == 303


async def test_the_login_form_needs_its_csrf_token(console):
    client = await console.client()
    await login_form_token(client)
    data = {"username": "alice", "password": PASSWORDS["alice"]}
    assert (await client.post("/login", data=data, allow_redirects=False)).status == 403
    wrong = await client.post("/login", data={**data, "csrf_token": "forged"}, allow_redirects=False)
    assert wrong.status == 403

    stranger = await console.client()  # a token without its cookie (another browser's form) is refused too
    assert (await stranger.post("/login", data={**data, "csrf_token": await login_form_token(client)},
                                allow_redirects=False)).status == 403


async def test_a_wrong_password_is_refused_and_audited(console):
    client = await console.client()
    response = await login(client, "alice", "not it")
    assert response.status == 401
    assert "Wrong username or password." in await response.text()
    assert SESSION_COOKIE not in response.cookies
    assert (await login(client, "13912345678", "whatever")).status == 401  # no such account
    refused = [(e.subject, e.details) for e in reversed(list_audit(console.engine))
               if e.action == "staff.login_refused"]
    assert refused == [("staff:alice", {"throttled": False}), ("staff:?", {"throttled": False})]


async def test_five_failures_for_a_username_from_one_address_block_it_with_429(console):
    client = await console.client()
    for _ in range(5):
        assert (await login(client, "alice", "guess")).status == 401
    blocked = await login(client, "alice", PASSWORDS["alice"])  # even the right password now
    assert blocked.status == 429
    assert "Too many failed logins. Wait 15 minutes and try again." in await blocked.text()
    assert SESSION_COOKIE not in blocked.cookies
    assert (await login(client, "bob", PASSWORDS["bob"])).status == 303  # other usernames are not blocked
    assert list_audit(console.engine, subject="staff:alice")[0].details == {"throttled": True}


async def test_twenty_parallel_guesses_get_five_password_checks(console):
    """Each attempt takes its place before the (slow, awaited) password check."""
    client = await console.client()
    token = await login_form_token(client)

    async def guess(n: int) -> int:
        response = await client.post("/login", data={"username": "alice", "password": f"guess {n}", "next": "/",
                                                     "csrf_token": token}, allow_redirects=False)
        return response.status

    statuses = await asyncio.gather(*(guess(n) for n in range(20)))
    assert sorted(statuses) == [401] * 5 + [429] * 15
    refused = [e.details for e in list_audit(console.engine, subject="staff:alice") if e.action == "staff.login_refused"]
    assert refused.count({"throttled": False}) == 5  # only five passwords were ever checked


async def test_guesses_spread_over_usernames_are_limited_per_address(database_url, staff, fake_rasa):
    server = await start_console(database_url, fake_rasa, login_attempts_per_address=3)
    client = TestClient(server)
    await client.start_server()
    try:
        statuses = [(await login(client, name, "guess")).status for name in ("a1", "a2", "a3", "a4", "alice")]
        assert statuses == [401, 401, 401, 429, 429]
    finally:
        await client.close()
        await server.close()


async def test_behind_a_trusted_proxy_each_client_address_counts_apart_and_spoofing_it_does_not_help(
        database_url, staff, fake_rasa):
    from bot.console.login_throttle import trusted_networks

    server = await start_console(database_url, fake_rasa, login_attempts_per_address=2,
                                 trusted_proxies=trusted_networks("127.0.0.1"))
    client = TestClient(server)
    await client.start_server()

    async def attempt(name: str, forwarded: str) -> int:
        token = await login_form_token(client)
        response = await client.post("/login", data={"username": name, "password": "guess", "next": "/",
                                                     "csrf_token": token},
                                     headers={"X-Forwarded-For": forwarded}, allow_redirects=False)
        return response.status

    try:
        assert [await attempt(f"u{n}", "203.0.113.7") for n in range(3)] == [401, 401, 429]
        assert await attempt("u9", "203.0.113.8") == 401  # another user behind the same proxy
        # A client that prepends addresses of its own is still 203.0.113.7.
        assert await attempt("u10", "198.51.100.1, 203.0.113.7") == 429
    finally:
        await client.close()
        await server.close()


async def test_a_successful_login_clears_the_failures(console):
    client = await console.client()
    for _ in range(4):
        await login(client, "alice", "guess")
    assert (await login(client, "alice", PASSWORDS["alice"])).status == 303
    other = await console.client()
    for _ in range(4):
        assert (await login(other, "alice", "guess")).status == 401


async def test_the_login_never_redirects_to_another_site(console):
    client = await console.client()
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        response = await login(client, "alice", PASSWORDS["alice"], next_path=target)
        assert response.headers["Location"] == "/"
        await client.post("/logout", data={"csrf_token": await csrf_token(client)})


async def test_every_response_carries_the_security_headers(console):
    alice = await console.logged_in("alice")
    for path in ("/", "/login", "/static/console.js", "/queue.json"):
        response = await alice.get(path)
        assert "script-src 'self'" in response.headers["Content-Security-Policy"], path
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert (await alice.get("/")).headers["Cache-Control"] == "no-store"
