"""The operator command: `python -m bot ...` for looking after the enrollment store.

    python -m bot enrollments list [--status STATUS] [--phone PHONE]
    python -m bot enrollments show NUMBER
    python -m bot enrollments export --format json|csv [--output FILE] [--status STATUS]
    python -m bot enrollments withdraw NUMBER
    python -m bot staff create USERNAME [--display-name NAME] [--password-stdin] [--role agent|supervisor]
    python -m bot staff disable USERNAME
    python -m bot staff reset-password USERNAME [--password-stdin] [--enable]
    python -m bot staff set-role USERNAME agent|supervisor
    python -m bot db upgrade
    python -m bot conversations scrub
    python -m bot conversations forget-unfinished
    python -m bot settings
    python -m bot notify [--once | cases DATE N]   the notifier (bot/notify/__main__.py)

ID numbers and phone numbers are only ever shown masked, also where a sender or conversation id holds one
(a REST sender may be a phone number); `list --phone` finds enrollments by the keyed hash of a phone. Reading and changing enrollments is written to
the audit trail under the operating-system user who ran the command. The database is DATABASE_URL (see
`python -m bot settings`) unless --database-url is given.
"""
from __future__ import annotations

import argparse
import csv
import dataclasses
import getpass
import io
import json
import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional, Sequence

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from bot.core import settings
from bot.core.personal_data import mask_everywhere, mask_personal_numbers

CSV_COLUMNS = (
    "enrollment_number", "status", "enrolled_on", "waiting_period_end", "cover_start", "relationship",
    "member_name", "masked_id", "masked_phone", "birth_date", "sex", "enroller", "channel", "language",
    "outcome_reasons", "screening_answers", "consents", "deduction_authorized", "created_at", "withdrawn_at",
)


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["notify"]:  # its own process with its own options
        from bot.notify.__main__ import main as notify

        return notify(argv[1:])
    args = _parser().parse_args(argv)
    url = args.database_url or settings.database_url()
    try:
        return args.run(args, url)
    except (OperationalError, ProgrammingError) as error:
        shown = make_url(url).render_as_string(hide_password=True)
        print(f"error: the enrollment store at {shown} cannot be used: {error.orig}\n"
              "Is the database reachable, and has `python -m bot db upgrade` been run?", file=sys.stderr)
        return 1


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Look after the enrollment store.")
    parser.add_argument("--database-url", help="enrollment store URL (default: DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    enrollments = commands.add_parser("enrollments", help="list, show, export or withdraw enrollments")
    actions = enrollments.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="one line per enrollment, oldest first")
    listing.add_argument("--status", help="only this status (active, withdrawn, manual_review, ...)")
    listing.add_argument("--phone", help="only enrollments that collected this phone number (any spelling)")
    listing.set_defaults(run=_list)
    show = actions.add_parser("show", help="everything about one enrollment")
    show.add_argument("number", help="enrollment number, e.g. SC261128-7KQ3M")
    show.set_defaults(run=_show)
    export = actions.add_parser("export", help="all enrollments as JSON or CSV")
    export.add_argument("--format", choices=("json", "csv"), required=True)
    export.add_argument("--output", type=Path, help="file to write (default: standard output)")
    export.add_argument("--status", help="only this status")
    export.set_defaults(run=_export)
    withdraw = actions.add_parser("withdraw", help="end an active membership")
    withdraw.add_argument("number", help="enrollment number")
    withdraw.set_defaults(run=_withdraw)

    staff = commands.add_parser("staff", help="support-staff accounts")
    staff_actions = staff.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = staff_actions.add_parser("create", help="create a support-console login")
    create.add_argument("username")
    create.add_argument("--display-name", help="name shown in the console (default: the username)")
    create.add_argument("--password-stdin", action="store_true",
                        help="read the password from the first line of standard input instead of a prompt")
    create.add_argument("--role", choices=("agent", "supervisor"), default="agent",
                        help="supervisors also manage staff and see every ticket (default: agent)")
    create.set_defaults(run=_create_staff)
    from bot.ops import staff_cli

    staff_cli.add_commands(staff_actions, _engine, _operator)

    db = commands.add_parser("db", help="database schema")
    db_actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    db_actions.add_parser("upgrade", help="bring the schema to the newest version").set_defaults(run=_upgrade)

    conversations = commands.add_parser("conversations", help="Rasa's conversation (tracker) store")
    conversation_actions = conversations.add_subparsers(dest="action", required=True, metavar="ACTION")
    conversation_actions.add_parser(
        "scrub", help="seal and mask the ID numbers and phones that conversations stored before "
                      "the store protected them (RASA_ENDPOINTS names the store)").set_defaults(run=_scrub)
    conversation_actions.add_parser(
        "forget-unfinished", help="forget enrollments left unfinished for longer than "
                                  "UNFINISHED_ENROLLMENT_DAYS, with their personal data").set_defaults(
        run=_forget_unfinished)

    commands.add_parser("settings", help="print every setting read from the environment").set_defaults(
        run=lambda args, url: _print(settings.describe()))
    return parser


def _print(text: str) -> int:
    print(text)
    return 0


def _engine(url: str):
    from bot.store import engine_for

    return engine_for(url)


def _operator():
    from bot.store import Actor

    return Actor.operator()


# ------------------------------------------------------------------------------------------ enrollments


def _list(args: argparse.Namespace, url: str) -> int:
    from bot.core.identity import IdentityError
    from bot.store import audit, list_enrollments, list_enrollments_by_phone

    engine = _engine(url)
    if args.phone:
        try:
            found = list_enrollments_by_phone(engine, args.phone)
        except IdentityError:
            print("error: --phone is not a mainland mobile number.", file=sys.stderr)
            return 1
        found = [e for e in found if args.status is None or e.status == args.status]
    else:
        found = list_enrollments(engine, status=args.status)
    audit(engine, _operator(), "enrollments.listed", "enrollments",
          {"status": args.status, "count": len(found), "by_phone": bool(args.phone)})
    if not found:
        return _print("No enrollments." if args.status is None else f"No enrollments with status {args.status}.")
    rows = [("NUMBER", "STATUS", "ENROLLED", "COVER FROM", "RELATIONSHIP", "NAME", "ID NUMBER", "PHONE")]
    rows += [(e.enrollment_number, e.status, str(e.enrolled_on), str(e.cover_start or "-"), e.relationship,
              e.member_name, e.masked_id, e.masked_phone or "-") for e in found]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return _print("\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows))


def _show(args: argparse.Namespace, url: str) -> int:
    from bot.store import audit, get_enrollment

    engine = _engine(url)
    e = get_enrollment(engine, args.number)
    if e is None:
        print(f"No enrollment numbered {args.number}.", file=sys.stderr)
        return 1
    audit(engine, _operator(), "enrollment.shown", f"enrollment:{e.enrollment_number}")
    lines = [
        f"Enrollment {e.enrollment_number}: {e.status}",
        f"  member:        {e.member_name}, ID {e.masked_id}, born {e.birth_date}, {e.sex}, "
        f"phone {e.masked_phone or '-'}",
        f"  enrolled by:   {mask_personal_numbers(e.enroller)} ({e.channel}, language {e.language}) as {e.relationship}",
        f"  enrolled on:   {e.enrolled_on}; waiting period until {e.waiting_period_end or '-'}; "
        f"covered from {e.cover_start or '-'}",
        f"  reasons:       {', '.join(e.outcome_reasons) or '-'}",
        f"  screening:     {_answers(e)}",
        f"  conversation:  {mask_personal_numbers(e.conversation_id)}",
        f"  created:       {e.created_at:%Y-%m-%d %H:%M:%S} UTC",
    ]
    if e.withdrawn_at:
        lines.append(f"  withdrawn:     {e.withdrawn_at:%Y-%m-%d %H:%M:%S} UTC")
    lines.append("  consents:")
    lines += [f"    {c.kind} ({c.version}) given by {c.given_by}, answered by {c.answered_by}, "
              f"{c.given_at:%Y-%m-%d %H:%M:%S} UTC" for c in e.consents] or ["    -"]
    a = e.authorization
    lines.append("  deduction:     " + ("not authorized" if a is None else
                 f"up to {a.currency} {a.per_case_cap} per case, {a.schedule} ({a.version}), authorized "
                 f"{a.authorized_at:%Y-%m-%d %H:%M:%S} UTC"
                 + (f", cancelled {a.cancelled_at:%Y-%m-%d %H:%M:%S} UTC" if a.cancelled_at else "")))
    return _print("\n".join(lines))


def _answers(e) -> str:
    return " ".join(f"{q}={a}" for q, a in e.screening_answers.items()) or "-"


def _export(args: argparse.Namespace, url: str) -> int:
    from bot.store import audit, list_enrollments

    engine = _engine(url)
    found = list_enrollments(engine, status=args.status)
    text = _as_json(found) if args.format == "json" else _as_csv(found)
    audit(engine, _operator(), "enrollments.exported", "enrollments",
          {"format": args.format, "status": args.status, "count": len(found),
           "to": "stdout" if args.output is None else "file"})
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote {len(found)} enrollments to {args.output}.", file=sys.stderr)
    return 0


def _plain(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value))


def _as_json(found) -> str:
    rows = [mask_everywhere(dataclasses.asdict(e)) for e in found]
    return json.dumps(rows, default=_plain, ensure_ascii=False, indent=2) + "\n"


def _as_csv(found) -> str:
    from bot.core.spreadsheet import safe_cell  # no cell starts a formula in the operator's spreadsheet

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in found:
        row = {name: mask_everywhere(getattr(e, name, None)) for name in CSV_COLUMNS}
        row.update(
            outcome_reasons=";".join(e.outcome_reasons),
            screening_answers=_answers(e),
            consents=";".join(f"{c.kind}@{c.version}" for c in e.consents),
            deduction_authorized="yes" if e.authorization and not e.authorization.cancelled_at else "no",
        )
        writer.writerow({k: "" if v is None else (_plain(v) if isinstance(v, (date, datetime)) else safe_cell(v))
                         for k, v in row.items()})
    return out.getvalue()


def _withdraw(args: argparse.Namespace, url: str) -> int:
    from bot.store import withdraw_membership

    result = withdraw_membership(_engine(url), _operator(), enrollment_number=args.number)
    if result.status == "not_found":
        print(f"No enrollment numbered {args.number}.", file=sys.stderr)
        return 1
    if result.status == "not_active":
        print(f"Enrollment {result.enrollment_number} ({result.masked_id}) is {result.enrollment_status}, "
              "not an active membership: nothing changed.", file=sys.stderr)
        return 1
    return _print(f"Withdrew {result.enrollment_number} ({result.masked_id}). Re-joining later starts a new "
                  "waiting period.")


# ---------------------------------------------------------------------------------------- staff and db


def _create_staff(args: argparse.Namespace, url: str) -> int:
    from bot.store import StaffExists, create_staff

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"Password for {args.username}: ")
        if password != getpass.getpass("Same password again: "):
            print("error: the passwords differ; nothing created.", file=sys.stderr)
            return 1
    if not password:
        print("error: an empty password is not allowed.", file=sys.stderr)
        return 1
    try:
        account = create_staff(_engine(url), args.username, password, args.display_name, actor=_operator(),
                               role=getattr(args, "role", "agent"))
    except StaffExists:
        print(f"error: a staff account named {args.username} exists already.", file=sys.stderr)
        return 1
    return _print(f"Created staff account {account.username} ({account.display_name}).")


def _upgrade(args: argparse.Namespace, url: str) -> int:
    from bot.store import upgrade_schema

    upgrade_schema(url)
    return _print(f"The enrollment store at {make_url(url).render_as_string(hide_password=True)} "
                  "has the newest schema.")


def _scrub(args: argparse.Namespace, url: str) -> int:
    from bot.rasa.tracker_store import open_configured_store, scrub_stored_events

    store = open_configured_store(settings.get("RASA_ENDPOINTS"))
    examined, changed = scrub_stored_events(store)
    return _print(f"Scrubbed the conversation store: {changed} of {examined} stored events held an ID "
                  "number or phone in plain text and are now sealed or masked.")


def _forget_unfinished(args: argparse.Namespace, url: str) -> int:
    from bot.rasa.conversation_retention import forget_unfinished, retention
    from bot.rasa.tracker_store import open_configured_store

    store = open_configured_store(settings.get("RASA_ENDPOINTS"))
    forgotten = forget_unfinished(store, now=datetime.now().astimezone())
    return _print(f"Forgot {len(forgotten)} enrollment(s) left unfinished for more than {retention().days} days.")


if __name__ == "__main__":
    sys.exit(main())
