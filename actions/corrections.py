"""Correcting an earlier answer, however it is said and wherever the form is.

"刚才手机号输错了，应该是……", "No wait, her name is …", "上一题我点错了，其实有": bot.core.answers reads which answer
changes and the new value; this adapter forgets that answer (and the answers that depend on it), checks
the new value with the same check as ever, and leaves everything else as it was, so the form asks only
what is now missing and returns to where the user was. A changed health answer is simply a new answer:
the screening decision is always recomputed from all of them (bot.core.enrollment), so a "yes" that declines
ends the enrollment there and then. Used by action_correct_answer and by the form's validator, which
also recognises a correction typed where a yes/no answer was expected.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions.enrollment_answers import CHECKS, DEPENDENT_ANSWERS, Checked, application_of, check_choice
from bot.core import answers, enrollment, slots


@dataclass
class Corrected:
    """What a correction does: slot updates and responses (see Checked); `understood` is False when
    it was not clear which answer to change."""

    slots: Dict[Text, Any] = field(default_factory=dict)
    responses: List[tuple] = field(default_factory=list)
    understood: bool = True


def _screening_key(tracker: Tracker, number: Optional[int]) -> Optional[Text]:
    app = application_of(tracker)
    keys = app.screening_keys
    if number is not None:
        return keys[number - 1] if 1 <= number <= len(keys) else None
    asked = tracker.get_slot(slots.REQUESTED_SLOT)
    before = keys[:keys.index(asked)] if asked in keys else keys
    answered = [key for key in before if app.answer(key) is not None]
    return answered[-1] if answered else None


def correct(tracker: Tracker, text: Text, field_entity: Optional[Text] = None) -> Corrected:
    """The slot updates and responses of correcting one answer from `text`."""
    reading = answers.read_correction(text, field_entity)
    entity = next(tracker.get_latest_entity_values("relationship"), None)
    # The words themselves first ("我选错了，是给我爸报名": the model may tag 我 as "self", or the word
    # "relationship" itself); the model's entity only when it is a relationship the plan knows.
    relationship = (reading.value if reading.field == "relationship" else None) or (
        entity if enrollment.relationship_allowed(entity) else None)
    key = reading.field
    value: Any = reading.value
    if key == "screening":
        key = _screening_key(tracker, reading.question)
    if key == "relationship":
        value = relationship
    if key is None or (key not in DEPENDENT_ANSWERS and not key.startswith("screening_")):
        return Corrected(responses=[("utter_correction_unclear", {})], understood=False)

    slots: Dict[Text, Any] = {key: None, "enrollment_confirmed": None,
                              **{dependent: None for dependent in DEPENDENT_ANSWERS.get(key, [])}}
    if key == "id_number":
        slots["masked_id"] = None
    if key == "phone":
        slots["masked_phone"] = None
    corrected = Corrected(slots=slots, responses=[("utter_correction_ack", {})])
    if value is None:
        return corrected
    checked: Checked = check_choice(key, value) if key.startswith("screening_") else CHECKS[key](value, tracker)
    corrected.slots.update(checked.slots)
    corrected.responses += checked.responses
    return corrected


def looks_like_correction(text: Text) -> bool:
    """A message that says an earlier answer was wrong (used where a yes/no answer is expected)."""
    return answers.says_correction(text)

