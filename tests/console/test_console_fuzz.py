"""Hostile and malformed input to the console's forms and routes: always a 4xx or a normal page, never a
5xx, and nothing a user typed ever comes back unescaped.

Hypothesis draws the inputs (bounded in size and count); one logged-in browser is reused across
examples, so the suite stays at a few seconds.
"""
from __future__ import annotations

import random
import string

from hypothesis import HealthCheck, given, settings, strategies as st

from console_support import open_ticket

HOSTILE = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=string.printable, max_size=300),
    st.sampled_from([
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{7*7}}", "${jndi:ldap://x}",
        "' OR 1=1 --", "\x00\x01\x02", "\ud7ff" * 50, "A" * 20000, "../../etc/passwd", "%00%0d%0a",
    ]),
)
FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(username=HOSTILE, password=HOSTILE, token=HOSTILE)
async def test_login_never_fails_with_a_server_error(console, username, password, token):
    client = await console.client()
    response = await client.post("/login", data={"username": username, "password": password,
                                                 "csrf_token": token, "next": username},
                                 allow_redirects=False)
    assert response.status < 500
    assert "<script>alert(1)</script>" not in await response.text()


@FUZZ
@given(text=HOSTILE, path=st.text(alphabet=string.ascii_letters + string.digits + "-._~%", max_size=40))
async def test_staff_forms_and_routes_never_fail_with_a_server_error(console, text, path):
    staff = await console.logged_in("alice")
    ticket = open_ticket(console.engine, f"web:{random.getrandbits(64):x}")
    for response in (
        await staff.post(f"/tickets/{ticket.id}/claim"),
        await staff.post(f"/tickets/{ticket.id}/reply", {"text": text}),
        await staff.post(f"/tickets/{path or 'x'}/reply", {"text": text}),
        await staff.get(f"/tickets/{path or 'x'}"),
        await staff.client.post(f"/tickets/{ticket.id}/close", data={"csrf_token": text},
                                allow_redirects=False),
    ):
        assert response.status < 500, (response.status, await response.text())
    page = await (await staff.get(f"/tickets/{ticket.id}")).text()
    assert "<script>alert(1)</script>" not in page
