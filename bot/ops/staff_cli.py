"""`python -m bot staff disable|reset-password|set-role USERNAME`: the operator's side of staff accounts.

Disabling ends the account's console sessions at once; a new password does too (whoever knew the old one
is logged out). The password is read from a prompt (twice) or, with --password-stdin, from the first
line of standard input, never from the command line (`ps` shows those). Both are audited under the
operating-system user who ran the command.
"""
from __future__ import annotations

import argparse
import getpass
import sys
from typing import Callable


def add_commands(staff_actions: "argparse._SubParsersAction", engine: Callable, operator: Callable) -> None:
    disable = staff_actions.add_parser("disable", help="disable a console login and end its sessions")
    disable.add_argument("username")
    disable.set_defaults(run=lambda args, url: _disable(args, engine(url), operator()))
    reset = staff_actions.add_parser("reset-password", help="set a new password and end the login's sessions")
    reset.add_argument("username")
    reset.add_argument("--password-stdin", action="store_true",
                       help="read the password from the first line of standard input instead of a prompt")
    reset.add_argument("--enable", action="store_true", help="also re-enable a disabled account")
    reset.set_defaults(run=lambda args, url: _reset(args, engine(url), operator()))
    role = staff_actions.add_parser("set-role", help="make a login an agent or a supervisor")
    role.add_argument("username")
    role.add_argument("role", choices=("agent", "supervisor"))
    role.set_defaults(run=lambda args, url: _set_role(args, engine(url), operator()))


def _set_role(args: argparse.Namespace, engine, actor) -> int:
    from bot.store.staff_admin import NoSuchStaff, set_staff_role

    try:
        account = set_staff_role(engine, args.username, args.role, actor)
    except NoSuchStaff:
        print(f"error: there is no staff account named {args.username}.", file=sys.stderr)
        return 1
    print(f"{account.username} is now a {account.role} (from their next login).")
    return 0


def _disable(args: argparse.Namespace, engine, actor) -> int:
    from bot.store.staff_admin import NoSuchStaff, disable_staff

    try:
        account, ended = disable_staff(engine, args.username, actor)
    except NoSuchStaff:
        print(f"error: there is no staff account named {args.username}.", file=sys.stderr)
        return 1
    print(f"Disabled staff account {account.username}; ended {ended} open session(s).")
    return 0


def _reset(args: argparse.Namespace, engine, actor) -> int:
    from bot.store.staff_admin import NoSuchStaff, reset_staff_password

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"New password for {args.username}: ")
        if password != getpass.getpass("Same password again: "):
            print("error: the passwords differ; nothing changed.", file=sys.stderr)
            return 1
    if not password:
        print("error: an empty password is not allowed.", file=sys.stderr)
        return 1
    try:
        account, ended = reset_staff_password(engine, args.username, password, actor, enable=args.enable)
    except NoSuchStaff:
        print(f"error: there is no staff account named {args.username}.", file=sys.stderr)
        return 1
    state = "" if account.active else " (still disabled: add --enable to let it log in)"
    print(f"Set a new password for {account.username}{state}; ended {ended} open session(s).")
    return 0
