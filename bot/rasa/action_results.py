"""Checking the action server's answers against Rasa's schema, prepared once and read per event.

Rasa 3.6 checks every custom action's response with `jsonschema.validate(...)`, which first checks the
schema itself against the JSON Schema meta-schema, on every call. Profiling the Rasa server through
whole enrollments (py-spy, bench/) put a quarter of its CPU time there. `install()` keeps the same check
(same schema, same ValidationError and message) with the schema checked once per process.

What was left of it (7 % of the server's CPU through enrollments) was the events' `oneOf`: each event is
checked against all 23 kinds of event to make sure exactly one fits. The kinds are told apart by their
`event` name (a distinct constant each, checked when the validator is prepared), so an event fits
exactly one kind when it fits the kind its name says: that one kind is checked. An answer that does not
pass goes through Rasa's whole check, which raises Rasa's own error.
"""
from __future__ import annotations

import copy
import functools
from typing import Any, Dict, Optional, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


@functools.lru_cache(maxsize=1)
def _by_event_name() -> Optional[tuple[Any, Dict[str, Any]]]:
    """A validator of the answer without the events' `oneOf`, and one per event name for its kind; None
    when the kinds are not told apart by distinct event names (then every answer gets the whole check)."""
    _validator()  # the schema itself checked, once
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    events = schema.get("properties", {}).get("events", {}).get("items", {})
    kinds = events.pop("oneOf", None)
    if not kinds or "event" not in events.get("required", ()):
        return None
    names = [kind.get("properties", {}).get("event", {}).get("const") for kind in kinds]
    if None in names or len(set(names)) != len(names):
        return None
    validator_class = validators.validator_for(schema)
    return validator_class(schema), {name: validator_class(kind) for name, kind in zip(names, kinds)}


def passes(result: Dict[Text, Any]) -> bool:
    """Whether Rasa's schema accepts `result`, checking each event against its own kind only."""
    prepared = _by_event_name()
    if prepared is None:
        return bool(_validator().is_valid(result))
    shape, kinds = prepared
    if not shape.is_valid(result):
        return False
    for event in result.get("events") or ():
        kind = kinds.get(event["event"])
        if kind is None or not kind.is_valid(event):
            return False
    return True


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result, with the prepared validators."""
    if passes(result):
        return True
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure your response "
                          "from the Action endpoint is valid.")
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
