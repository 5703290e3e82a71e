"""Checking the action server's answers against Rasa's schema with one prepared validator.

Rasa 3.6 checks every custom action's response with `jsonschema.validate(...)`, which first checks the
schema itself against the JSON Schema meta-schema, on every call. Profiling the Rasa server through
whole enrollments (py-spy, bench/) put a quarter of its CPU time there. `install()` keeps the same check
(same schema, same ValidationError and message) with the schema checked once per process.
"""
from __future__ import annotations

import functools
from typing import Any, Dict, Text

from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction


@functools.lru_cache(maxsize=1)
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)
    return validator_class(schema)


def validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
    """RemoteAction._validate_action_result, with the prepared validator."""
    error = exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += (". Failed to validate Action server response from API, make sure your response "
                          "from the Action endpoint is valid.")
        raise error
    return True


def install() -> None:
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]
