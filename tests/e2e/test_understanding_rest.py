"""How well the assistant understands families who don't talk like the script (issue 13), end to end.

Runs the held-out conversation cases of tests/e2e/understanding_cases.py (and the supplementary sets B to E, G, K and L,
understanding_cases_b.py, _c.py, _d.py, _e.py, _g.py, _k.py and _l.py) against the real assistant over
REST, one new conversation per case, and reports each kind's pass rate per language (also written to
results/understanding/<kind>.json). A kind fails when a language's pass rate is under the alarm floor
(UNDERSTANDING_FLOOR, default 0.90, below the issue's 0.95 target as the NLU alarm is, so an ordinary
retraining's wobble does not fail CI but a real loss does; UNDERSTANDING_FLOOR_B, default 0.75, for the
later sets' smaller kinds, one miss each); the failing cases are listed.
"""
from __future__ import annotations

import json
import os
import uuid
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from bot.store.sealed_slots import unseal
from tests.conftest import assistant_started
from tests.e2e.understanding_cases import CASES as CASES_A
from tests.e2e.understanding_cases import START, STANDARD, Case
from tests.e2e.understanding_cases_b import CASES_B
from tests.e2e.understanding_cases_c import CASES_C
from tests.e2e.understanding_cases_d import CASES_D
from tests.e2e.understanding_cases_e import CASES_E
from tests.e2e.understanding_cases_g import CASES_G
from tests.e2e.understanding_cases_k import CASES_K
from tests.e2e.understanding_cases_l import CASES_L

pytestmark = pytest.mark.rasa_server

ROOT = Path(__file__).resolve().parents[2]
FLOOR = float(os.environ.get("UNDERSTANDING_FLOOR", "0.90"))
# Sets B, C and D have 3-6 cases per language and kind, so one miss is already 67-80%: their floor allows one
# in the larger ones.
FLOOR_B = float(os.environ.get("UNDERSTANDING_FLOOR_B", "0.75"))
MAX_TURNS = 30
# Sets B to E, G, K and L (kinds *_b to *_e, *_g, *_k, *_l; F, H, I and J are NLU-only): held-out cases written later.
CASES = CASES_A + CASES_B + CASES_C + CASES_D + CASES_E + CASES_G + CASES_K + CASES_L
KINDS = sorted({case.kind for case in CASES})

try:
    import opencc

    _TO_TRADITIONAL = opencc.OpenCC("s2t")
except ImportError:  # the baseline ran before OpenCC was a requirement
    _TO_TRADITIONAL = None


@pytest.fixture(scope="module")
def running_assistant(tmp_path_factory):
    """An assistant of this suite's own: the other suites enroll the same members, and a member enrolled
    by another sender gets the neutral answer (issue 14), which would end these cases early."""
    with assistant_started(tmp_path_factory.mktemp("understanding-data")) as assistant:
        yield assistant


def _state(assistant, sender) -> Dict[str, Any]:
    tracker = assistant.tracker(sender)
    slots = {name: unseal(value) for name, value in tracker["slots"].items()}  # the store seals ID and phone
    slots["active_loop"] = (tracker.get("active_loop") or {}).get("name")
    return slots


def _driver_answer(question: str, case: Case) -> str:
    standard = {**STANDARD[case.language], **case.answers}
    if question.startswith("screening_"):
        return standard.get(question, standard["screening"])
    return standard.get(question)


def drive(assistant, sender: str, case: Case) -> Optional[str]:
    """Start an enrollment and answer every question until the form asks `case.at`; None if it works,
    else why not."""
    assistant.texts(sender, START[case.language])
    for _ in range(MAX_TURNS):
        state = _state(assistant, sender)
        asked = state.get("requested_slot")
        if state["active_loop"] != "enrollment_form" or not asked:
            return f"the form stopped before {case.at}"
        if asked == case.at:
            return None
        answer = _driver_answer(asked, case)
        if answer is None:
            return f"the form asked {asked} before {case.at}"
        assistant.texts(sender, answer)
    return f"never reached {case.at}"


def run_case(assistant, case: Case) -> Optional[str]:
    """None when the case passes, else what went wrong."""
    sender = f"held-out-{uuid.uuid4().hex[:10]}"
    if case.start is not None and not case.at:
        before: Dict[str, Any] = {}
        replies = assistant.texts(sender, case.start)
    else:
        if case.start is not None:
            assistant.texts(sender, case.start)
        problem = drive(assistant, sender, case)
        if problem:
            return problem
        before = _state(assistant, sender)
        replies = assistant.texts(sender, case.message)
    after = _state(assistant, sender)
    text = "\n".join(replies)
    problems: List[str] = []
    for slot, value in case.slots.items():
        if after.get(slot) != value:
            problems.append(f"{slot}={after.get(slot)!r}, expected {value!r}")
    problems += [f"{slot} is empty" for slot in case.filled if after.get(slot) in (None, "")]
    problems += [f"{slot}={after.get(slot)!r}, expected empty" for slot in case.empty if after.get(slot)]
    problems += [f"{slot} did not change" for slot in case.changed
                 if after.get(slot) in (None, before.get(slot))]
    if case.masked_ends and not str(after.get("masked_id") or "").endswith(case.masked_ends):
        problems.append(f"masked_id={after.get('masked_id')!r}")
    asked_next = after.get("requested_slot") if after["active_loop"] == "enrollment_form" else ""
    if case.next is not None and asked_next != case.next:
        problems.append(f"asks {asked_next!r} next, expected {case.next!r}")
    if asked_next in case.not_next:
        problems.append(f"asks {asked_next!r} again")
    problems += [f"no reply says {word!r}" for word in case.says if word not in text]
    problems += [f"a reply says {word!r}" for word in case.never_says if word in text]
    if case.says_one_of and not any(word in text for word in case.says_one_of):
        problems.append(f"no reply says any of {case.says_one_of!r}")
    if case.traditional_replies:
        if _TO_TRADITIONAL is None:
            problems.append("no traditional-Chinese converter installed")
        else:
            simplified = [r for r in replies if _TO_TRADITIONAL.convert(r) != r]
            if simplified or not replies:
                problems.append(f"replies not in traditional characters: {simplified[:1]}")
    if case.then:
        follow = "\n".join(assistant.texts(sender, case.then))
        problems += [f"the follow-up reply says {word!r}" for word in case.then_never_says if word in follow]
        later = _state(assistant, sender)
        problems += [f"after the follow-up {slot}={later.get(slot)!r}" for slot in case.then_empty
                     if later.get(slot)]
    if problems:
        return "; ".join(problems) + f" | replies: {text[:300]!r}"
    return None


def pass_rates(results: List[tuple]) -> Dict[str, Dict[str, Any]]:
    rates: Dict[str, Dict[str, Any]] = {}
    for case, problem in results:
        cell = rates.setdefault(case.language, {"examples": 0, "passed": 0})
        cell["examples"] += 1
        cell["passed"] += problem is None
    for cell in rates.values():
        cell["pass_rate"] = round(cell["passed"] / cell["examples"], 4)
    return rates


@pytest.mark.parametrize("kind", KINDS)
def test_held_out_conversations_of_each_kind_are_understood(running_assistant, kind):
    results = [(case, run_case(running_assistant, case)) for case in CASES if case.kind == kind]
    rates = pass_rates(results)
    out = ROOT / "results" / "understanding"
    out.mkdir(parents=True, exist_ok=True)
    failures = [{"language": c.language, "message": c.message, "at": c.at, "problem": p}
                for c, p in results if p]
    (out / f"{kind}.json").write_text(json.dumps({"pass_rates": rates, "failures": failures},
                                                 ensure_ascii=False, indent=2), encoding="utf-8")
    floor = FLOOR_B if kind.endswith(("_b", "_c", "_d", "_e", "_g", "_k", "_l")) else FLOOR
    low = {language: cell for language, cell in rates.items() if cell["pass_rate"] < floor}
    listing = "\n".join(f"  [{f['language']}] at {f['at'] or 'start'}: {f['message']!r}: {f['problem']}"
                        for f in failures)
    assert not low, f"{kind}: pass rate under {floor}: {low}\n{listing}"
