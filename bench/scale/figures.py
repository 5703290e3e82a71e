"""The figures of one wave: latencies, errors, the tracker comparison, the enrollment rows, and where the
killed replica's conversations went."""
from __future__ import annotations

import os
from collections import Counter

from bench.conversations import percentile_ms
from bench.scale.enrollers import Conversation, Wave
from bench.scale.tracker_check import compare, rasa_sender


def summarize(wave: Wave, trackers: dict[str, dict], enrollments: dict[str, list[str]]) -> dict:
    attempts = [a for c in wave.conversations for a in c.attempts]
    latencies = [a.seconds for a in attempts if a.status == 200]
    errors = [a for a in attempts if a.error]
    comparisons, unreadable = {}, []
    for conversation in wave.conversations:
        tracker = trackers.get(conversation.sender, {})
        if "events" not in tracker:
            unreadable.append(conversation.sender)
            continue
        comparisons[conversation.sender] = compare(conversation, tracker["events"])
    stored = {c.sender: enrollments.get(rasa_sender(c.sender), []) for c in wave.conversations}
    exact = [s for s, statuses in stored.items() if statuses == ["active"]]
    summary = {
        "phase": wave.name, "replicas": wave.replicas, "users": len(wave.conversations),
        "zh_users": sum(c.language == "zh" for c in wave.conversations),
        "en_users": sum(c.language == "en" for c in wave.conversations),
        "max_concurrent_users": wave.max_active, "turns": len(latencies),
        "turns_expected": wave.total_turns, "p50_ms": percentile_ms(latencies, 50),
        "p95_ms": percentile_ms(latencies, 95), "p99_ms": percentile_ms(latencies, 99),
        "max_ms": percentile_ms(latencies, 100),
        "errors": len(errors), "http_5xx": sum(1 for a in errors if a.status and a.status >= 500),
        "error_examples": sorted(Counter(a.error for a in errors).items(), key=lambda kv: -kv[1])[:5],
        "events_lost": sum(c["lost"] for c in comparisons.values()),
        "duplicates": sum(c["duplicates"] for c in comparisons.values()),
        "detail": {key: sum(c[key] for c in comparisons.values())
                   for key in ("lost_user_messages", "lost_replies", "duplicate_user_messages",
                               "replies_not_received")},
        "not_exactly_as_sent": sum(not c["exact"] for c in comparisons.values()),
        "names_kept_after_enrollment": sum(c["name_kept"] for c in comparisons.values()),
        "trackers_unreadable": len(unreadable),
        "completed": sum(c.finished for c in wave.conversations),
        "succeeded": sum(c.succeeded() for c in wave.conversations),
        "enrollments_exactly_one_active": len(exact),
        "enrollment_rows": sum(len(s) for s in stored.values()),
        "failed_conversations": failed_examples(wave.conversations, comparisons),
        "timed_out": wave.timed_out, "wall_s": round(wave.wall_s, 1),
        "turns_per_s": round(len(latencies) / wave.wall_s, 2) if wave.wall_s else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
    }
    summary.update(kill_figures(wave, attempts, errors))
    if wave.kill:
        summary["kill"] = dict(wave.kill, **moved_conversations(wave))
    elif wave.replicas != "2":
        summary["kill"] = {"error": "the wave ended before the kill"}
    return summary


def failed_examples(conversations: list[Conversation], comparisons: dict[str, dict], most: int = 10
                    ) -> dict:
    """How many conversations failed, by language, and the first few: where and how."""
    failed = [c for c in conversations if not c.succeeded() or comparisons.get(c.sender, {}).get("lost")
              or comparisons.get(c.sender, {}).get("duplicates")]
    examples = []
    for c in failed[:most]:
        problem = next((a for a in c.attempts if a.error), None)
        examples.append({"sender": c.sender, "language": c.language,
                         "first_error": None if problem is None else
                         {"turn": problem.turn, "message": c.messages[problem.turn], "error": problem.error,
                          "upstream": problem.upstream},
                         "last_reply": " ".join(str(r.get("text", "")) for a in c.attempts[-1:]
                                                for r in a.replies)[:200],
                         "tracker": comparisons.get(c.sender)})
    return {"zh": sum(c.language == "zh" for c in failed), "en": sum(c.language == "en" for c in failed),
            "examples": examples}


def moved_conversations(wave: Wave) -> dict:
    """The killed replica's conversations: answered there before the signal, and where afterwards. Until
    it has exited, a replica given SIGTERM still finishes what it has and may answer a turn that reached
    it before it closed its port (Sanic's graceful shutdown); every turn sent after it exited must be
    answered by the survivor."""
    victim, at = f"127.0.0.1:{wave.kill['port']}", wave.kill["at_s"]
    exited = at + wave.kill["seconds_to_exit"]
    on_victim = [c for c in wave.conversations
                 if any(a.upstream.endswith(victim) and a.started + a.seconds <= at
                        for a in c.attempts if a.status == 200)]
    later = {c.sender: [a for a in c.attempts if a.started >= exited] for c in on_victim}
    moved = [c for c in on_victim if any(a.status == 200 for a in later[c.sender])]
    survivor_only = [c for c in moved if all(a.status == 200 and not a.upstream.endswith(victim)
                                             for a in later[c.sender])]
    in_flight = sum(1 for c in wave.conversations for a in c.attempts
                    if a.started <= at < a.started + a.seconds)
    drained = sum(1 for c in wave.conversations for a in c.attempts
                  if at <= a.started < exited and a.status == 200 and a.upstream.endswith(victim))
    retried = sum(1 for c in wave.conversations for a in c.attempts if "," in a.upstream)
    return {"conversations_on_killed_replica": len(on_victim),
            "of_them_continued_after_it_exited": len(moved),
            "of_them_only_on_survivor_after_it_exited": len(survivor_only),
            "of_them_succeeded": sum(c.succeeded() for c in on_victim),
            "turns_in_flight_at_kill": in_flight,
            "turns_it_answered_while_stopping": drained,
            "turns_the_router_sent_on_after_a_refused_connection": retried}


def kill_figures(wave: Wave, attempts: list, errors: list) -> dict:
    """Turns sent again after a failed attempt (their own latency: how long the resent turn waited for
    the conversation's lock and was processed), and the errors that are not the killed replica's
    in-flight turns: those that did not reach it, or came after it had exited."""
    resent = [a.seconds for a in attempts if a.attempt > 1 and a.status == 200]
    of_the_kill = []
    if wave.kill:
        victim, exited = f"127.0.0.1:{wave.kill['port']}", wave.kill["at_s"] + wave.kill["seconds_to_exit"]
        of_the_kill = [a for a in errors if a.started <= exited + 1 and (a.status is None or a.status >= 500)
                       and (not a.upstream or a.upstream.endswith(victim))]
    outside = [a for a in errors if not any(a is b for b in of_the_kill)]
    return {"resent_turns": len(resent), "resent_p95_ms": percentile_ms(resent, 95),
            "errors_of_the_kill": len(of_the_kill), "errors_outside_kill": len(outside),
            "http_5xx_outside_kill": sum(1 for a in outside if a.status and a.status >= 500)}
