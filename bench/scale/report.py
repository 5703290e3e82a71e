"""The scale test's table: printed while it runs and written as bench/results/<name>.md."""
from __future__ import annotations


def markdown(result: dict) -> str:
    rows = result["phases"]
    lines = [f"Measured {result['when']} on {result['machine']}: {result['setup']}", "",
             "| phase | replicas | users (zh/en) | turns | p50 ms | p95 ms | errors (of the kill) | 5xx outside "
             "the kill | resent turns, p95 ms | events lost | duplicates | enrollments stored | staff replies "
             "delivered |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    control = result.get("staff", {}).get("without the client manager", {})
    staff = [delivered(result.get("staff", {}).get("during the main wave", {})), "–",
             "error" if "error" in control else "–" if not control else
             f"control without the client manager: web chat {control['web chat']['delivered']}/"
             f"{control['web chat']['conversations']} (want 0)"]
    for r, replies in zip(rows, staff):
        lines.append(f"| {r['phase']} | {r['replicas']} | {r['users']} ({r['zh_users']}/{r['en_users']}) | "
                     f"{r['turns']} | {r['p50_ms']} | {r['p95_ms']} | {r['errors']} ({r['errors_of_the_kill']}) | "
                     f"{r['http_5xx_outside_kill']} | {r['resent_turns']}, {r['resent_p95_ms']} | {r['events_lost']} | "
                     f"{r['duplicates']} | {r['enrollment_rows']} of {r['users']} | {replies} |")
    lines.append("")
    for r in rows:
        lines.append(f"- {r['phase']}: at most {r['max_concurrent_users']} enrollers mid-conversation at once, "
                     f"{r['turns_per_s']} turns/s over {r['wall_s']} s, p99 {r['p99_ms']} ms, "
                     f"load average {r['load_average_1min']} at the end.")
        if "kill" in r:
            k = r["kill"]
            lines.append(f"- kill: {k['signal']} to {k['replica']} at {k['at_s']} s "
                         f"({k['turns_done_before']} turns done, {k['turns_in_flight_at_kill']} in flight); it "
                         f"exited with {k['exit_code']} after {k['seconds_to_exit']} s. "
                         f"{k['conversations_on_killed_replica']} conversations had been on it: "
                         f"{k['turns_it_answered_while_stopping']} turns reached it before it closed its port "
                         f"and were answered; after it exited, {k['of_them_only_on_survivor_after_it_exited']} "
                         f"of them went on on the survivor alone; {k['of_them_succeeded']} enrolled; the "
                         "router sent "
                         f"{k['turns_the_router_sent_on_after_a_refused_connection']} turns on to the survivor "
                         "after a refused connection.")
    lines += staff_lines(result)
    auth = result['api_auth']
    lines.append(f"- HTTP API: no credentials → {auth['no_credentials']}, the old `?token=` → "
                 f"{auth.get('query_token')}, a sender's JWT for another conversation → "
                 f"{auth['jwt_for_another_sender']}, a JWT signed with another secret → {auth['forged_jwt']}; "
                 f"on the public port the HTTP API → {auth.get('public_http_api')}, REST → "
                 f"{auth.get('public_rest')}.")
    lines.append(f"- verdict: {'PASS' if not result['failed'] else 'FAIL: ' + '; '.join(result['failed'])} "
                 f"({result['scale_test_wall_s']} s in all).")
    return "\n".join(lines) + "\n"


def print_row(row: dict) -> None:
    shown = {k: row[k] for k in ("phase", "replicas", "users", "max_concurrent_users", "turns", "p50_ms",
                                 "p95_ms", "errors", "errors_outside_kill", "resent_turns", "resent_p95_ms",
                                 "events_lost", "duplicates", "succeeded",
                                 "enrollment_rows", "wall_s")}
    print(f"  {shown}", flush=True)
    if row["errors"]:
        print(f"  errors: {row['error_examples']}", flush=True)
    if "kill" in row:
        print(f"  kill: {row['kill']}", flush=True)


def delivered(staff: dict) -> str:
    if "error" in staff or not staff:
        return "error"
    return ", ".join(f"{channel} {staff[channel]['delivered']}/{staff[channel]['conversations']}"
                     for channel in ("web chat", "WeChat"))


def staff_lines(result: dict) -> list[str]:
    """The staff replies: where the families and the console's calls were, what arrived; the negative
    control."""
    where = result.get("staff_setup", {})
    lines = []
    for phase, staff in result.get("staff", {}).items():
        if "error" in staff:
            lines.append(f"- staff replies {phase}: {staff['error']}")
            continue
        parts = []
        for channel in ("web chat", "WeChat"):
            r = staff[channel]
            if r["conversations"]:
                slowest = f"slowest {r['delivery_ms_max']} ms; " if r["delivery_ms_max"] is not None else ""
                parts.append(f"{channel}: staff replies delivered {r['delivered']}/{r['conversations']} (the "
                             f"console said sent for {r['replies_sent']}; {slowest}"
                             f"every request of these families served by {', '.join(r['served_by'])})")
        lines.append(f"- staff replies {phase}: families on {where.get('families_on')}, the console's Rasa "
                     f"calls to {where.get('console_reaches')}, looked for up to {staff['looked_for_s']} s; "
                     + "; ".join(parts) + ".")
    return lines
