"""Personal answers as the conversation store holds them: sealed, never in plain text.

The enrollment needs the member's real ID number and phone for the whole conversation (to check them,
read them back masked and submit them), but Rasa's conversation store keeps every slot of every turn.
So the slots that hold them (`SEALED_SLOTS`) are kept there sealed: encrypted with Fernet under a key of
their own (CONVERSATION_SEAL_KEY, else DATA_DIR/conversation-seal.key), behind a prefix that says what
they are. The tracker store seals on the way in (bot.rasa.tracker_store); the actions, the response generator
and the outage guard read a slot through `unseal`, which gives the plain value back and passes plain
values (those set earlier in the same turn) through.
"""
from __future__ import annotations

import json
import threading
from typing import Any, Callable, Optional

from cryptography.fernet import Fernet, InvalidToken

from bot.core import settings

SEALED_SLOTS = frozenset({"id_number", "phone", "withdrawal_id_number"})
"""Slots whose value is a whole ID number or phone: sealed in the conversation store."""

PREFIX = "sealed:v1:"

_lock = threading.Lock()
_fernets: dict[tuple[str, str], Fernet] = {}


def _fernet() -> Fernet:
    marker = (settings.get("CONVERSATION_SEAL_KEY"), settings.get("DATA_DIR"))
    with _lock:
        fernet = _fernets.get(marker)
        if fernet is None:
            key = settings.secret_from_file("CONVERSATION_SEAL_KEY", "conversation-seal.key",
                                            lambda: Fernet.generate_key().decode())
            try:
                fernet = Fernet(key.encode())
            except ValueError as error:
                raise RuntimeError("CONVERSATION_SEAL_KEY (or DATA_DIR/conversation-seal.key) is not a "
                                   "Fernet key: 32 url-safe base64-encoded bytes") from error
            _fernets[marker] = fernet
        return fernet


def is_sealed(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def seal(value: Any) -> Any:
    """The sealed form of a slot value (None and already sealed values stay as they are)."""
    if value is None or is_sealed(value):
        return value
    token = _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode())
    return PREFIX + token.decode()


def unseal(value: Any) -> Any:
    """The plain value of a sealed slot value; plain values pass through. A value sealed under another
    key (a rotated key, another installation) reads as no answer, so the question is asked again."""
    if not is_sealed(value):
        return value
    try:
        return json.loads(_fernet().decrypt(value[len(PREFIX):].encode()))
    except (InvalidToken, ValueError):
        return None


def unsealed(get_slot: Callable[[str], Any]) -> Callable[[str], Any]:
    """A slot reader (`tracker.get_slot`) that returns plain values of sealed slots."""
    def read(name: str) -> Optional[Any]:
        return unseal(get_slot(name))
    return read
