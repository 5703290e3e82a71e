"""Staff roles: agents work the queue; supervisors also see every conversation handed to people and
manage the staff accounts. Agents get 403 there, whatever they type into the address bar."""
from __future__ import annotations

from bot.store import claim_ticket, close_ticket, create_staff, list_audit
from bot.store.audit import Actor
from bot.store.staff_admin import list_staff
from console_support import PASSWORDS, login, open_ticket

PASSWORDS.setdefault("sam", "supervisor's own passphrase")


async def supervisor(console):
    create_staff(console.engine, "sam", PASSWORDS["sam"], display_name="Sam Li", role="supervisor")
    return await console.logged_in("sam")


async def test_agents_cannot_open_the_supervisors_pages(console, staff):
    alice = await console.logged_in("alice")
    for path in ("/all", "/staff"):
        response = await alice.get(path)
        assert response.status == 403 and "Only supervisors can open this page." in await response.text()
    assert (await alice.post(f"/staff/{staff['bob'].id}/disable")).status == 403
    assert (await login(await console.client(), "bob", PASSWORDS["bob"])).status == 303  # bob still works
    page = await (await alice.get("/")).text()
    assert 'href="/staff"' not in page and 'href="/all"' not in page


async def test_a_supervisor_sees_every_conversation_whatever_its_state(console, staff):
    waiting = open_ticket(console.engine, "web:waiting")
    held = open_ticket(console.engine, "wx:held")
    done = open_ticket(console.engine, "web:done")
    assert claim_ticket(console.engine, held.id, staff["alice"].id)
    assert claim_ticket(console.engine, done.id, staff["bob"].id)
    assert close_ticket(console.engine, done.id, Actor("staff", "bob"))
    sam = await supervisor(console)
    page = await (await sam.get("/all")).text()
    for ticket in (waiting, held, done):
        assert f'href="/tickets/{ticket.id}"' in page
    assert "Alice Wang" in page and "Closed" in page and "Being handled" in page
    alice_queue = await (await (await console.logged_in("alice")).get("/")).text()
    assert f'href="/tickets/{done.id}"' not in alice_queue  # the queue: waiting and one's own only


async def test_a_supervisor_disables_an_account_and_its_sessions_end(console, staff):
    bob = await console.logged_in("bob")
    sam = await supervisor(console)
    listing = await (await sam.get("/staff")).text()
    assert "alice" in listing and "Supervisor" in listing and "Agent" in listing
    response = await sam.post(f"/staff/{staff['bob'].id}/disable")
    assert response.status == 303 and response.headers["Location"] == "/staff?notice=staff_changed"
    assert (await bob.get("/queue.json")).status == 401
    assert (await login(await console.client(), "bob", PASSWORDS["bob"])).status == 401
    assert [e.actor.id for e in list_audit(console.engine, subject="staff:bob") if e.action == "staff.disabled"] \
        == ["sam"]
    assert (await sam.post(f"/staff/{staff['bob'].id}/enable")).status == 303
    assert (await login(await console.client(), "bob", PASSWORDS["bob"])).status == 303


async def test_a_supervisor_cannot_disable_themself_and_forms_need_the_csrf_token(console, staff):
    sam = await supervisor(console)
    own_id = next(a for a in list_staff(console.engine) if a.username == "sam").id
    assert (await sam.post(f"/staff/{own_id}/disable")).status == 409
    forged = await sam.client.post(f"/staff/{staff['alice'].id}/disable", data={"csrf_token": "wrong"},
                                   allow_redirects=False)
    assert forged.status == 403
    assert (await login(await console.client(), "alice", PASSWORDS["alice"])).status == 303
