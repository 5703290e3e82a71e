"""Answers of a typical enrollment and a tracker holding them, for the action tests."""
import time
from datetime import date

from rasa_sdk import Tracker

TODAY = date(2026, 11, 28)
MOTHER_ID = "110105196103150029"   # female, born 1961-03-15: 65 on 2026-11-28
FATHER_ID = "110105195807200018"   # male, born 1958-07-20: 68
TOO_YOUNG_ID = "440524196611290025"  # female, born 1966-11-29: 59 on 2026-11-28
TOO_OLD_ID = "11010519491231002X"  # female, born 1949-12-31: 76

SCREENING_KEYS = [f"screening_h{i}" for i in range(1, 7)]


def answers(**overrides):
    """A mother who can join, every consent given, confirmed."""
    base = {
        "privacy_consent": True,
        "relationship": "mother",
        "member_name": "王秀英",
        "id_number": MOTHER_ID,
        "phone": "13912345678",
        "health_consent": True,
        "member_agreement": True,
        **{key: "no" for key in SCREENING_KEYS},
        "truthful_declaration": True,
        "deduction_authorization": True,
        "enrollment_confirmed": True,
    }
    base.update(overrides)
    return base


def tracker(slots, *, text="", intent="inform", entities=(), extracted=None, sender="rest:tester",
            active_loop="enrollment_form"):
    """A tracker whose latest user message set `extracted` (the slots the form must validate)."""
    now = time.time()
    events = [{"event": "session_started", "timestamp": now - 60},
              # the answers given earlier in the conversation
              *({"event": "slot", "name": name, "value": value, "timestamp": now - 30}
                for name, value in slots.items()),
              {"event": "user", "text": text, "timestamp": now,
               "parse_data": {"intent": {"name": intent}, "entities": list(entities)}}]
    for name, value in (extracted or {}).items():
        events.append({"event": "slot", "name": name, "value": value, "timestamp": now})
    return Tracker(sender, {"language": "zh", **slots, **(extracted or {})},
                   {"text": text, "intent": {"name": intent}, "entities": list(entities)},
                   events, False, None, {"name": active_loop} if active_loop else {}, "action_listen")
