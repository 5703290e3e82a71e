"""What a user's message may change in the conversation, whatever channel it came through.

Rasa reads a message that starts with "/" as an intent with entities (`/greet{"language": "fr"}`), and
its slot mappings then fill slots from those entities; while a conversation is paused it still acts on
the `restart` intent, which ends the pause. That lets anyone who can type into a channel:
- put a language we do not speak into the `language` slot (no response then matches: the bot goes quiet);
- fill a slot that only the assistant's own actions should set, through an entity of that name;
- end a pause that support staff hold by typing `/restart`.

`install()` (called by bot.rasa.server before Rasa starts) closes all three in the Rasa server itself,
so it covers every channel, REST and WeChat as well as the web chat:
- of the entities a message carries, only the domain's entities survive, never one named after a slot
  the assistant alone sets (slots without a user-facing mapping: only `custom` mappings, or none), and a
  `language` entity only as a language we speak (normalised: "zh-CN" → "zh"; "fr" is dropped);
- a paused conversation is never handled, `restart` included; staff end the pause (resume).
Typed intents themselves stay allowed: the buttons send `/affirm`, `/deny` and the like.
"""
from __future__ import annotations

import logging
from typing import Any, Dict, FrozenSet, List

from rasa.core.processor import MessageProcessor
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.core.language import normalise_language

log = logging.getLogger(__name__)

LANGUAGE_ENTITY = "language"
USER_FACING_MAPPINGS = frozenset({"from_entity", "from_text", "from_intent", "from_trigger_intent"})


def assistant_only_slots(domain: Domain) -> FrozenSet[str]:
    """Slots no user message fills: every mapping `custom` (or none), and Rasa's own slots."""
    names = set()
    for slot in domain.slots:
        mappings = getattr(slot, "mappings", None) or []
        if not any(mapping.get("type") in USER_FACING_MAPPINGS for mapping in mappings):
            names.add(slot.name)
    return frozenset(names)


def allowed_entities(entities: List[Dict[str, Any]], domain: Domain) -> List[Dict[str, Any]]:
    """The entities a message may carry into the conversation (see the module doc)."""
    known = set(domain.entities)
    assistant_only = assistant_only_slots(domain)
    kept: List[Dict[str, Any]] = []
    for entity in entities:
        name = entity.get("entity")
        if name not in known or name in assistant_only:
            log.info("dropped an entity the user may not set: %s", str(name)[:40])
            continue
        if name == LANGUAGE_ENTITY:
            language = normalise_language(entity.get("value"))
            if language is None:
                log.info("dropped a language entity for a language the assistant does not speak")
                continue
            entity = {**entity, "value": language}
        kept.append(entity)
    return kept


def handles_message(tracker: DialogueStateTracker) -> bool:
    """Rasa's rule minus its exception for `restart`: a paused conversation waits for staff."""
    return not tracker.is_paused()


def install() -> None:
    """Guard every message the Rasa server parses from now on (idempotent)."""
    if getattr(MessageProcessor.parse_message, "guarded", False):
        return
    unguarded = MessageProcessor.parse_message

    async def parse_message(self: MessageProcessor, *args: Any, **kwargs: Any) -> Dict[str, Any]:
        parse_data = await unguarded(self, *args, **kwargs)
        if parse_data.get("entities"):
            parse_data["entities"] = allowed_entities(parse_data["entities"], self.domain)
        return parse_data

    parse_message.guarded = True  # type: ignore[attr-defined]
    MessageProcessor.parse_message = parse_message  # type: ignore[method-assign]
    MessageProcessor._should_handle_message = staticmethod(handles_message)  # type: ignore[assignment]
