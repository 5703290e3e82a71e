"""`python -m bot staff disable|reset-password`: the account's open sessions end at once, a disabled
account cannot log in, a new password replaces the old one; all audited."""
from __future__ import annotations

import io

from bot.ops.cli import main
from bot.console.sessions import SESSION_COOKIE
from bot.store import list_audit
from console_support import PASSWORDS, login


async def test_disabling_an_account_ends_its_sessions_and_its_logins(console, database_url, capsys):
    alice = await console.logged_in("alice")
    assert (await alice.client.get("/queue.json")).status == 200
    assert main(["--database-url", database_url, "staff", "disable", "alice"]) == 0
    assert "ended 1 open session" in capsys.readouterr().out
    assert (await alice.client.get("/queue.json")).status == 401  # the open session is gone
    assert (await login(await console.client(), "alice", PASSWORDS["alice"])).status == 401
    assert (await login(await console.client(), "bob", PASSWORDS["bob"])).status == 303  # others unaffected
    assert "staff.disabled" in [e.action for e in list_audit(console.engine, subject="staff:alice")]


async def test_a_new_password_replaces_the_old_and_logs_everyone_out(console, database_url, capsys, monkeypatch):
    alice = await console.logged_in("alice")
    monkeypatch.setattr("sys.stdin", io.StringIO("a brand new passphrase\n"))
    assert main(["--database-url", database_url, "staff", "reset-password", "alice", "--password-stdin"]) == 0
    assert (await alice.client.get("/queue.json")).status == 401
    assert (await login(await console.client(), "alice", PASSWORDS["alice"])).status == 401
    assert (await login(await console.client(), "alice", "a brand new passphrase")).status == 303
    assert "a brand new passphrase" not in capsys.readouterr().out


async def test_reset_with_enable_lets_a_disabled_account_back_in(console, database_url, monkeypatch, capsys):
    assert main(["--database-url", database_url, "staff", "disable", "bob"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("bob's new one\n"))
    assert main(["--database-url", database_url, "staff", "reset-password", "bob", "--password-stdin"]) == 0
    assert "still disabled" in capsys.readouterr().out
    assert (await login(await console.client(), "bob", "bob's new one")).status == 401
    monkeypatch.setattr("sys.stdin", io.StringIO("bob's new one\n"))
    assert main(["--database-url", database_url, "staff", "reset-password", "bob", "--password-stdin",
                 "--enable"]) == 0
    response = await login(await console.client(), "bob", "bob's new one")
    assert response.status == 303 and SESSION_COOKIE in response.cookies


def test_an_unknown_account_is_a_clear_error(database_url, capsys):
    assert main(["--database-url", database_url, "staff", "disable", "nobody"]) == 1
    assert "no staff account named nobody" in capsys.readouterr().err
