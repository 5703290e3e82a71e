"""Reading and checking enrollment answers from the conversation, shared by the form and corrections.

Each `check_<answer>` takes what the user typed, asks the core (bot.core.enrollment, bot.core.identity, the plan)
whether it is acceptable, and returns the slot updates plus the responses that explain a refusal. The
form validator and the correction action both use them, so an answer is checked the same way however it
arrives.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Tracker

from actions import privacy
from bot.core import answers, enrollment, session_history, slots, typed_identity
from bot.core.enrollment import Application
from bot.core.submission import Origin
from bot.core.identity import IdentityError, mask_phone
from bot.core.plan.clock import today_in_china
from bot.core.plan.config import load_plan
from bot.core.plan.eligibility import check_age
from bot.store.sealed_slots import unsealed


@dataclass
class Checked:
    """The outcome of checking one answer: slot updates, and responses (name, values) to send."""

    slots: Dict[Text, Any] = field(default_factory=dict)
    responses: List[tuple[Text, Dict[Text, Any]]] = field(default_factory=list)

    def say(self, response: Text, **values: Any) -> "Checked":
        self.responses.append((response, values))
        return self


def answers_of(tracker: Tracker) -> Dict[Text, Any]:
    """The enrollment's answers, plain: the conversation store keeps the ID number and phone sealed."""
    return enrollment.answers_in_slots(unsealed(tracker.get_slot))


def application_of(tracker: Tracker, **overrides: Any) -> Application:
    return Application.of({**answers_of(tracker), **overrides}, today_in_china())


def conversation_of(tracker: Tracker, language: str) -> Origin:
    """The enrollment's origin; one submission key per conversation session (see the store's docs)."""
    session_started = next(
        (session_history.session_started_at(e) for e in reversed(tracker.events) if e.get("event") == "session_started"),
        0.0,
    )
    channel = (tracker.get_latest_input_channel() or "unknown")
    return Origin(
        conversation_id=f"{tracker.sender_id}@{session_started:.3f}",
        channel=channel,
        sender_id=tracker.sender_id if ":" in tracker.sender_id else f"{channel}:{tracker.sender_id}",
        language=language,
    )


def answered_at(tracker: Tracker) -> Dict[Text, datetime]:
    """When each yes/no answer last became what it is now (the time of its slot event)."""
    times: Dict[Text, datetime] = {}
    for event in tracker.events:
        if event.get("event") == "slot" and event.get("name") in enrollment.CONSENTS and event.get("value") is not None:
            times[event["name"]] = datetime.fromtimestamp(session_history.set_at(event), tz=timezone.utc)
    return times


def check_relationship(value: Any, tracker: Tracker) -> Checked:
    relationship = value if isinstance(value, str) else None
    if relationship and not enrollment.relationship_allowed(relationship):
        # The whole message as typed ("for my mum please", "给我婆婆报个名"): the relationship its words name.
        relationship = answers.relationship_in(relationship) or relationship
    if not enrollment.relationship_allowed(relationship):
        named_someone = next(tracker.get_latest_entity_values("relationship"), None) is not None or (
            isinstance(value, str) and answers.names_other_relative(value))
        return Checked({"relationship": None}).say(
            "utter_relationship_not_allowed" if named_someone else "utter_relationship_unclear")
    checked = Checked({"relationship": relationship})
    member = application_of(tracker).member_id
    if member and enrollment.sex_contradicts(relationship, member):
        # The ID was given before the relationship changed: check it again against the new one.
        checked.slots.update({"id_number": None, "masked_id": None})
        checked.say("utter_id_sex_mismatch")
    return checked


def check_member_name(value: Any, tracker: Tracker) -> Checked:
    """A name is read as a person would (bot.core.answers): an ordinary or plan word can be a name, while
    "我爸", "你好", "是的" or a question is not one."""
    text = str(value or "")
    reading = answers.read_name_answer(text)
    if reading.kind is answers.NameReading.NAME:
        return Checked({"member_name": reading.name})
    if reading.kind is not answers.NameReading.NOT_A_NAME:
        return Checked({"member_name": None}).say("utter_name_expected")
    try:
        typed_identity.read_name(text)
    except IdentityError as problem:
        return Checked({"member_name": None}).say(f"utter_name_{problem.code}")
    return Checked({"member_name": None}).say("utter_name_expected")


def check_id_number(value: Any, tracker: Tracker) -> Checked:
    text = str(value or "")
    today = today_in_china()
    refused = {"id_number": None, "masked_id": None}
    try:
        member = typed_identity.read_id_number(text, today)
    except IdentityError as problem:
        if problem.unsupported_document:
            refused = {**refused, "handoff_reason": "unsupported_document"}
        return Checked(refused).say(f"utter_id_number_{problem.code}")

    stated = typed_identity.stated_birth_date(text)
    if stated is not None and stated != member.birth_date:
        mismatches = int(tracker.get_slot(slots.BIRTH_DATE_MISMATCHES) or 0) + 1
        checked = Checked({**refused, "birth_date_mismatches": float(mismatches)})
        if mismatches >= load_plan().handoff.birth_date_mismatches:
            checked.slots["handoff_reason"] = "birth_date_mismatch"
            return checked.say("utter_birth_date_mismatch_person")
        return checked.say("utter_birth_date_mismatch")

    if enrollment.sex_contradicts(tracker.get_slot(enrollment.RELATIONSHIP), member):
        return Checked(refused).say("utter_id_sex_mismatch")

    refusal = privacy.enrollment_refusal(privacy.member_lookup(tracker, member.number))
    if refusal is not None:
        return Checked(refused, refusal)

    age = check_age(member.birth_date, today)
    return Checked({"id_number": member.number, "masked_id": member.masked, "member_age": float(age.age)})


def check_phone(value: Any, tracker: Tracker) -> Checked:
    try:
        phone = typed_identity.read_phone(str(value or ""))
    except IdentityError as problem:
        return Checked({"phone": None, "masked_phone": None}).say(f"utter_phone_{problem.code}")
    return Checked({"phone": phone, "masked_phone": mask_phone(phone)})


def check_confirmation(value: Any, tracker: Tracker) -> Checked:
    if value not in (True, False):
        return check_choice("enrollment_confirmed", value)
    if value is False:
        # "Something's wrong": keep asking, and say how to change an answer.
        return Checked({"enrollment_confirmed": None}).say("utter_how_to_correct")
    return Checked({"enrollment_confirmed": value})


def check_choice(key: Text, value: Any) -> Checked:
    """A yes/no (or yes/no/not sure) answer; anything else is asked again with a hint."""
    choices = enrollment.choices_of(key)
    if value in choices:
        return Checked({key: value})
    hint = "utter_answer_yes_no_not_sure" if "not_sure" in choices else "utter_answer_yes_or_no"
    return Checked({key: None}).say(hint)


def check_answer(key: Text, value: Any, tracker: Tracker) -> Checked:
    """Check any enrollment answer the form received."""
    check = CHECKS.get(key)
    if check is not None:
        return check(value, tracker)
    return check_choice(key, value)


CHECKS: Dict[Text, Callable[[Any, Tracker], Checked]] = {
    "relationship": check_relationship,
    "member_name": check_member_name,
    "id_number": check_id_number,
    "phone": check_phone,
    "enrollment_confirmed": check_confirmation,
}

# Answers that depend on another: changing the key clears these, so they are asked again. A changed
# health answer clears nothing: the screening decision is recomputed from all the answers.
DEPENDENT_ANSWERS: Dict[Text, List[Text]] = {
    "relationship": ["member_agreement"],
    "member_name": [],
    "id_number": [],
    "phone": [],
}


def is_enrolling(tracker: Tracker) -> bool:
    """Whether some answers of an unfinished enrollment are there."""
    return any(tracker.get_slot(key) is not None for key in enrollment.all_answer_keys()) \
        and application_of(tracker).ending is None


def reset_answers() -> Dict[Text, Optional[Any]]:
    """Slot values that forget an enrollment's answers (the language and the enroller stay)."""
    return {**{key: None for key in enrollment.all_answer_keys()},
            "masked_id": None, "masked_phone": None, "member_age": None, "birth_date_mismatches": None, "requested_slot": None}
