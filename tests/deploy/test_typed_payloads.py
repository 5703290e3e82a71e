"""bot.rasa.typed_payloads, the Rasa server's guard on what a message may change (the domain as trained).
End to end, against the real server: tests/e2e/test_edge.py."""
from __future__ import annotations

import pytest
from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ConversationPaused, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa import typed_payloads
from bot.core.settings import PROJECT_ROOT


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain"))


def entity(name, value):
    return {"entity": name, "value": value, "start": 0, "end": 1}


def test_slots_only_the_assistant_sets_are_the_ones_without_a_user_mapping(domain):
    only = typed_payloads.assistant_only_slots(domain)
    assert {"handoff_reason", "enrollment_number", "masked_id", "member_age", "requested_slot"} <= only
    assert not {"language", "relationship", "enrollment_confirmed", "id_number"} & only


@pytest.mark.parametrize("given, kept", [
    ([entity("language", "fr")], []),
    ([entity("language", "en-GB")], [entity("language", "en")]),
    ([entity("language", "zh")], [entity("language", "zh")]),
    ([entity("handoff_reason", "user_request"), entity("masked_id", "x")], []),
    ([entity("enrollment_confirmed", True), entity("no_such_entity", 1)], []),
    ([entity("relationship", "mother")], [entity("relationship", "mother")]),
])
def test_a_message_keeps_only_entities_a_user_may_set(domain, given, kept):
    assert typed_payloads.allowed_entities(given, domain) == kept


def test_a_paused_conversation_is_not_handled_even_for_restart():
    tracker = DialogueStateTracker.from_events("s", [ConversationPaused(),
                                                     UserUttered("/restart", {"name": "restart"})])
    assert typed_payloads.handles_message(tracker) is False
    assert typed_payloads.handles_message(DialogueStateTracker.from_events("s", [])) is True


def test_install_replaces_rasas_rules_once(monkeypatch):
    # Restored after the test: other tests in this process keep Rasa's own processor.
    monkeypatch.setattr(MessageProcessor, "parse_message", MessageProcessor.parse_message)
    monkeypatch.setattr(MessageProcessor, "_should_handle_message", MessageProcessor.__dict__["_should_handle_message"])
    typed_payloads.install()
    typed_payloads.install()
    assert getattr(MessageProcessor.parse_message, "guarded", False)
    assert MessageProcessor._should_handle_message is typed_payloads.handles_message
