"""One slot vocabulary: every name in bot.core.slots (and every enrollment answer) is a slot of the domain,
and the actions set or read slots only through those names, so a renamed slot cannot be missed."""
from __future__ import annotations

import re

import pytest
from rasa.shared.core.domain import Domain

from bot.core import enrollment, slots
from bot.core.settings import PROJECT_ROOT

DOMAIN_SLOTS = {slot.name for slot in Domain.load(str(PROJECT_ROOT / "domain")).slots}  # with Rasa's own
NAMES = {value for key, value in vars(slots).items() if key.isupper() and isinstance(value, str)}


@pytest.mark.parametrize("name", sorted(NAMES | set(enrollment.all_answer_keys())))
def test_every_slot_name_is_a_slot_of_the_domain(name):
    assert name in DOMAIN_SLOTS


def test_the_actions_name_no_slot_by_a_string_of_their_own():
    literal = re.compile(r"\b(?:SlotSet|get_slot)\(\s*[\"']")
    found = [f"{path.name}:{number}" for path in sorted((PROJECT_ROOT / "actions").glob("*.py"))
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if literal.search(line)]
    assert found == []
