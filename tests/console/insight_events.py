"""Conversation events as the broker carries them, for the console's insight tests: two enrollments
(one finished in English, one stopped at the ID number in Chinese) and one handoff with a staff reply."""
from __future__ import annotations

from bot.core.insight.facts import digest, fact_of
from bot.store.insight import record_facts

T0 = 1796100000.0  # 2026-12-01 in China


def _conversation(sender: str, language: str, start: float, steps: list[tuple[str, dict]]) -> list[dict]:
    events = [{"event": "slot", "name": "language", "value": language},
              {"event": "user", "parse_data": {"intent": {"name": "enroll"}}, "input_channel": "webchat"},
              {"event": "active_loop", "name": "enrollment_form"}, *[{"event": kind, **data} for kind, data in steps]]
    return [{"sender_id": sender, "timestamp": start + i, **e} for i, e in enumerate(events)]


ENROLLED = _conversation("web:enrolled", "en", T0, [
    ("slot", {"name": "requested_slot", "value": "privacy_consent"}),
    ("slot", {"name": "privacy_consent", "value": True}), ("slot", {"name": "phone", "value": "sealed:v1:x"}),
    ("slot", {"name": "health_consent", "value": True}), ("slot", {"name": "screening_h1", "value": "no"}),
    ("slot", {"name": "requested_slot", "value": "truthful_declaration"}),
    ("slot", {"name": "deduction_authorization", "value": True}),
    ("bot", {"text": "All done", "metadata": {"utter_action": "utter_enrollment_done"}}),
])
STOPPED = _conversation("web:stopped", "zh", T0 + 100, [
    ("slot", {"name": "privacy_consent", "value": True}), ("slot", {"name": "requested_slot", "value": "id_number"}),
    ("user", {"parse_data": {"intent": {"name": "nlu_fallback"}}, "input_channel": "webchat"}),
])
HANDED_OVER = _conversation("web:person", "zh", T0 + 200, [
    ("slot", {"name": "requested_slot", "value": "member_name"}), ("pause", {}),
    ("bot", {"text": "您好", "metadata": {"staff_id": 1}}),
])


def keep_events(engine, events: list[dict]) -> None:
    pairs = []
    for event in events:
        fact = fact_of(event)
        if fact is not None:
            pairs.append((digest(event), {"conversation_id": fact.conversation_id, "at": fact.at,
                                          "kind": fact.kind, "name": fact.name, "value": fact.value}))
    record_facts(engine, pairs)
PAUSED_AT = next(e["timestamp"] for e in HANDED_OVER if e["event"] == "pause")
