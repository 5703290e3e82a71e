"""The scale test's verdict: every check of every wave, as the sentences that say what failed."""
from __future__ import annotations

from bench.scale.enrollers import EXIT_TIMEOUT_S

EXPECTED_AUTH = {"no_credentials": 401, "query_token": 401, "jwt_for_another_sender": 403, "forged_jwt": 401,
                 "public_http_api": 404, "public_rest": 404}
MUST_BE_ZERO = ("http_5xx_outside_kill", "errors_outside_kill", "events_lost", "duplicates",
                "not_exactly_as_sent", "names_kept_after_enrollment", "trackers_unreadable", "timed_out")
RESENT_P95_LIMIT_MS = 5000  # a turn sent again after a SIGKILL is answered within this


def checks(rows: list[dict], auth: dict, extra_rows: list[str]) -> list[str]:
    """What failed, one sentence each; empty when the run passed."""
    failed = []
    for row in rows:
        failed += wave_checks(row)
        if row.get("kill") is not None:
            failed += kill_checks(row["phase"], row["kill"])
            failed += resent_checks(row)
    if rows[0]["max_concurrent_users"] < min(200, rows[0]["users"]):
        failed.append(f"at most {rows[0]['max_concurrent_users']} enrollers were mid-conversation at once")
    if auth != EXPECTED_AUTH:
        failed.append(f"HTTP API authentication: {auth}")
    return failed + extra_rows


def wave_checks(row: dict) -> list[str]:
    name, failed = row["phase"], []
    for key in MUST_BE_ZERO:
        if row[key] != 0:
            failed.append(f"{name}: {key} = {row[key]} (want 0)")
    if row["succeeded"] != row["users"]:
        failed.append(f"{name}: {row['succeeded']} of {row['users']} enrollments ended with the success words")
    if row["enrollments_exactly_one_active"] != row["users"] or row["enrollment_rows"] != row["users"]:
        failed.append(f"{name}: {row['enrollment_rows']} enrollment rows, "
                      f"{row['enrollments_exactly_one_active']} enrollers with exactly one active "
                      f"(want {row['users']} and {row['users']})")
    return failed


def kill_checks(name: str, kill: dict) -> list[str]:
    if "error" in kill:
        return [f"{name}: {kill['error']}"]
    failed = []
    if kill["sigkill_needed"]:
        failed.append(f"{name}: the replica did not exit within {EXIT_TIMEOUT_S}s of {kill['signal']}")
    on_it = kill["conversations_on_killed_replica"]
    if not on_it:
        failed.append(f"{name}: no conversation was on the killed replica before the kill")
    if not kill["of_them_continued_after_it_exited"]:
        failed.append(f"{name}: no conversation of the killed replica went on after it exited")
    if kill["of_them_only_on_survivor_after_it_exited"] != kill["of_them_continued_after_it_exited"]:
        failed.append(f"{name}: only {kill['of_them_only_on_survivor_after_it_exited']} of "
                      f"{kill['of_them_continued_after_it_exited']} conversations of the killed replica "
                      "were answered by the survivor alone after it exited")
    if kill["of_them_succeeded"] != on_it:
        failed.append(f"{name}: {kill['of_them_succeeded']} of {on_it} conversations of the killed "
                      "replica enrolled")
    return failed


def resent_checks(row: dict) -> list[str]:
    """After a SIGKILL the in-flight turns fail and are sent again: answered within RESENT_P95_LIMIT_MS.
    When no turn failed (the one in flight was answered, or the router had not yet sent it on), there is
    nothing to send again: that is not a failure (a run on 2026-12-04 had 1 turn in flight and 0 errors)."""
    if row["kill"].get("signal") != "SIGKILL":
        return []
    if not row["resent_turns"]:
        if row.get("errors_of_the_kill"):
            return [f"{row['phase']}: {row['errors_of_the_kill']} turns failed at the SIGKILL and none was "
                    "sent again"]
        return []
    if row["resent_p95_ms"] >= RESENT_P95_LIMIT_MS:
        return [f"{row['phase']}: p95 of the resent turns {row['resent_p95_ms']} ms (want < {RESENT_P95_LIMIT_MS})"]
    return []


def staff_checks(staff: dict, rasa_ports: list[int]) -> list[str]:
    """Every staff reply of the main wave reached its family (counted at the family's end), each family
    was on the replica the console's calls did not reach; without the client manager, none arrived."""
    families_on, console_on = (f"127.0.0.1:{p}" for p in (rasa_ports[0], rasa_ports[-1]))
    failed = []
    for phase, result in staff.items():
        if "error" in result:
            failed.append(f"staff {phase}: {result['error']}")
            continue
        for channel in ("web chat", "WeChat"):
            r = result[channel]
            if r["conversations"] and (r["routed_to"] != [families_on] or r["served_by"] != [families_on]):
                failed.append(f"staff {phase}, {channel}: families routed to {r['routed_to']}, served by "
                              f"{r['served_by']} (want only {families_on}, not {console_on})")
            if r["tickets"] != r["conversations"] or r["tickets_in_the_queue"] != r["conversations"]:
                failed.append(f"staff {phase}, {channel}: {r['tickets']} tickets, {r['tickets_in_the_queue']} "
                              f"in the console's queue, of {r['conversations']} handed-over conversations")
            if r["replies_sent"] != r["conversations"]:
                failed.append(f"staff {phase}, {channel}: the console sent {r['replies_sent']} of "
                              f"{r['conversations']} replies ({r['console_answers']})")
    main = staff.get("during the main wave", {})
    for channel in ("web chat", "WeChat"):
        r = main.get(channel)
        if r is not None and (not r["conversations"] or r["delivered"] != r["conversations"]):
            failed.append(f"staff replies delivered ({channel}): {r['delivered']}/{r['conversations']}")
    control = staff.get("without the client manager", {}).get("web chat")
    if control is None:
        failed.append("the negative control (no client manager on the console's replica) did not run")
    elif control["delivered"] != 0 or control["replies_sent"] != 1:
        failed.append(f"negative control: {control['delivered']} of {control['replies_sent']} replies sent "
                      "arrived without the client manager (want 0 of 1: the check would not catch the bug)")
    return failed
