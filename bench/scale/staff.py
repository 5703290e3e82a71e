"""Staff in the scale test: a real support console (`python -m bot.console`, its own process) whose Rasa
calls reach one chosen replica, a staff account, and a staff member who logs in, claims handed-over
conversations and replies to them through the console's own HTTP routes, as its page does (the login
form, the CSRF token, POST /tickets/<id>/claim, POST /tickets/<id>/reply). The families are put on the
OTHER replica (families.py), and each reply is counted where the family is: the web chat user's
socket.io client received it, or the fake WeChat API received the push."""
from __future__ import annotations

import asyncio
import re
import secrets
import sys
import time
from dataclasses import dataclass, field
from typing import Optional

from bench.conversations import free_port
from bench.scale.cluster import Cluster, start
from bench.scale.families import FakeWeChatAPI, WebChatUser, socket_replicas, wechat_push
from bench.scale.router import replica_for
from bot.ops import launcher
from bot.ops.launcher import Service

STAFF_USERNAME = "scale-staff"
ASK_FOR_A_PERSON = "转人工"
TICKET_TIMEOUT_S = 180      # the handoff turns run under the main wave's load
DELIVERY_TIMEOUT_S = 60     # a reply the console sent, until the family has it
_CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def start_console(cluster: Cluster, rasa_port: int) -> tuple[str, str]:
    """The console, its Rasa calls going straight to the replica on `rasa_port` (not through the router),
    and a staff account; returns the console's URL and the account's password."""
    import os

    from bot import store

    password = secrets.token_urlsafe(16)
    store.create_staff(store.engine_for(cluster.database_url), STAFF_USERNAME, password, display_name="Scale")
    port = free_port()
    env = {**os.environ, "CONSOLE_PORT": str(port), "CONSOLE_HOST": "127.0.0.1",
           "RASA_URL": f"http://127.0.0.1:{rasa_port}"}
    console = Service("support console", [sys.executable, "-m", "bot.console"], f"http://127.0.0.1:{port}/health")
    cluster.children.append(start(console, env, cluster.logs))
    launcher.wait_until_ready([console])
    return f"http://127.0.0.1:{port}", password


@dataclass
class Handover:
    channel: str                 # "web chat" or "WeChat"
    sender: str
    routed_to: str = ""          # the replica the router hashes this sender onto (router.replica_for)
    served_by: set = field(default_factory=set)  # the replicas that took its socket.io requests / pushes
    ticket: int = 0
    reply: str = ""
    console_said: str = ""       # "sent", or what the console answered instead
    sent_at: float = 0.0
    delivered_at: Optional[float] = None


class StaffMember:
    """One staff member's browser session with the console: cookies, the session's CSRF token."""

    def __init__(self, console: str) -> None:
        import aiohttp

        self.console = console
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies for 127.0.0.1
                                          timeout=aiohttp.ClientTimeout(total=60))
        self.csrf = ""

    async def log_in(self, username: str, password: str) -> None:
        async with self.http.get(f"{self.console}/login") as page:
            token = _CSRF_FIELD.search(await page.text())
        form = {"username": username, "password": password, "csrf_token": token.group(1) if token else ""}
        async with self.http.post(f"{self.console}/login", data=form) as queue:  # follows the 303 to /
            found = _CSRF_META.search(await queue.text())
            if queue.status != 200 or not found:
                raise RuntimeError(f"the console refused the staff login: HTTP {queue.status}")
            self.csrf = found.group(1)

    async def waiting(self) -> set[int]:
        async with self.http.get(f"{self.console}/queue.json") as response:
            return {t["id"] for t in (await response.json())["waiting"]}

    async def post(self, path: str, form: Optional[dict] = None, attempts: int = 3) -> tuple[int, str]:
        """A form's POST as the page sends it; a 502 (Rasa did not answer) is tried again, as a person
        would click again. Returns the status and where the console sent the browser next."""
        for attempt in range(attempts):
            async with self.http.post(f"{self.console}{path}", data={"csrf_token": self.csrf, **(form or {})},
                                      allow_redirects=False) as response:
                if response.status != 502 or attempt == attempts - 1:
                    return response.status, response.headers.get("Location", "")
            await asyncio.sleep(2)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self.http.close()


def on_replica(port: int, rasa_ports: list[int], make_key, count: int) -> list[str]:
    """`count` fresh sticky keys that the router hashes onto the replica on `port` (router.replica_for)."""
    found: list[str] = []
    while len(found) < count:
        key = make_key()
        if replica_for(key, rasa_ports) == port:
            found.append(key)
    return found


async def tickets_for(cluster: Cluster, handovers: list[Handover]) -> None:
    from bot import store

    engine = store.engine_for(cluster.database_url)
    deadline = time.monotonic() + TICKET_TIMEOUT_S
    while time.monotonic() < deadline:
        open_tickets = {t.conversation_id: t.id for t in await asyncio.to_thread(store.list_waiting_tickets, engine)}
        for handover in handovers:
            handover.ticket = open_tickets.get(handover.sender, handover.ticket)
        if all(h.ticket for h in handovers):
            return
        await asyncio.sleep(1)


async def claim_and_reply(staff: StaffMember, handover: Handover, text: str) -> None:
    status, _ = await staff.post(f"/tickets/{handover.ticket}/claim")
    if status != 303:
        handover.console_said = f"claim: HTTP {status}"
        return
    handover.reply, handover.sent_at = text, time.monotonic()
    status, location = await staff.post(f"/tickets/{handover.ticket}/reply", {"text": text}, attempts=1)
    handover.console_said = "sent" if status == 303 and "notice=reply_sent" in location else f"reply: HTTP {status}"


async def staff_replies(cluster: Cluster, console: tuple[str, str], wechat: FakeWeChatAPI, families_on: int,
                        webchat: int, wechats: int, tag: str, wait_s: float = DELIVERY_TIMEOUT_S) -> dict:
    """Families on the replica on port `families_on` ask for a person; the staff member claims each
    ticket and replies through the console (whose Rasa calls reach the other replica); each reply is
    looked for where the family is, for up to `wait_s`."""
    import aiohttp

    replica = f"127.0.0.1:{families_on}"
    users = [WebChatUser(route) for route in on_replica(families_on, cluster.rasa_ports,
                                                        lambda: secrets.token_hex(8), webchat)]
    openids = on_replica(families_on, cluster.rasa_ports, lambda: f"oScale{tag}{secrets.token_hex(6)}", wechats)
    staff = StaffMember(console[0])
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120)) as http:
        try:
            handovers = [Handover("web chat", await user.open(cluster.public), routed_to=replica) for user in users]
            for user in users:
                await user.say(ASK_FOR_A_PERSON)
            for openid in openids:
                pushed = await wechat_push(http, cluster.public, openid, ASK_FOR_A_PERSON)
                handovers.append(Handover("WeChat", f"wx:{openid}", routed_to=replica, served_by={pushed}))
            await tickets_for(cluster, handovers)
            await staff.log_in(STAFF_USERNAME, console[1])
            listed = await staff.waiting()
            for n, handover in enumerate(h for h in handovers if h.ticket):
                await claim_and_reply(staff, handover, f"您好，我是客服小李，第{n + 1}位 {tag}")
            await until_delivered(handovers, users, wechat, wait_s)
        finally:
            await staff.close()
            for user in users:
                await user.close()
    for user, handover in zip(users, handovers):
        handover.served_by = socket_replicas(cluster.scratch / "nginx-access.log", user.route)
    return figures(handovers, listed, replica, wait_s)


async def until_delivered(handovers: list[Handover], users: list[WebChatUser], wechat: FakeWeChatAPI,
                          wait_s: float) -> None:
    by_sender = {u.sender: u for u in users}
    deadline = time.monotonic() + wait_s
    while True:
        for h in handovers:
            if h.console_said == "sent" and h.delivered_at is None:
                got = by_sender[h.sender].received if h.channel == "web chat" else wechat.texts_to(h.sender[3:])
                h.delivered_at = next((at for at, text in got if h.reply in text), None)
        pending = [h for h in handovers if h.console_said == "sent" and h.delivered_at is None]
        if not pending or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.2)


def figures(handovers: list[Handover], listed: set[int], replica: str, wait_s: float) -> dict:
    result = {"families_on": replica, "looked_for_s": round(wait_s, 1)}
    for channel in ("web chat", "WeChat"):
        mine = [h for h in handovers if h.channel == channel]
        delivered = [h for h in mine if h.delivered_at is not None]
        result[channel] = {
            "conversations": len(mine), "tickets": sum(bool(h.ticket) for h in mine),
            "tickets_in_the_queue": sum(h.ticket in listed for h in mine),
            "replies_sent": sum(h.console_said == "sent" for h in mine), "delivered": len(delivered),
            "delivery_ms_max": max((round((h.delivered_at - h.sent_at) * 1000) for h in delivered), default=None),
            "routed_to": sorted({h.routed_to for h in mine}),
            "served_by": sorted({r for h in mine for r in h.served_by}),
            "console_answers": sorted({h.console_said for h in mine}),
        }
    return result
