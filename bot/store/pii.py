"""How the store keeps the personal numbers it needs, a member's ID number and the phone an enrollment
collected: encrypted (Fernet) for reading back, and a keyed hash (HMAC-SHA256) for finding the same
number again. Masking for display is bot.core.identity's rule.

Phones use the same two keys as ID numbers; their hash is taken over "phone:" + the number, so an ID
number's hash and a phone's hash can never be compared with each other.

Keys come from ID_ENCRYPTION_KEY and ID_HASH_KEY, else from key files generated on first use in DATA_DIR
(see bot.core.settings). Losing them makes stored ID numbers unreadable and duplicates unfindable: back them up
with the database.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

from cryptography.fernet import Fernet

from bot.core import settings
from bot.core.identity import normalize_id_number, normalize_phone


@dataclass(frozen=True)
class _Keys:
    fernet: Fernet
    hash_key: bytes


_cache: dict[tuple[str, str, str], _Keys] = {}
_lock = threading.Lock()


def _keys() -> _Keys:
    # Loaded once per configuration and under a lock: threads that start together must not race to
    # create the key files (one would read a file the other has not written yet).
    marker = (settings.get("ID_ENCRYPTION_KEY"), settings.get("ID_HASH_KEY"), settings.get("DATA_DIR"))
    with _lock:
        keys = _cache.get(marker)
        if keys is None:
            keys = _load_keys()
            _cache[marker] = keys
        return keys


def _load_keys() -> _Keys:
    encryption_key = settings.secret_from_file(
        "ID_ENCRYPTION_KEY", "id-encryption.key", lambda: Fernet.generate_key().decode())
    hash_key = settings.secret_from_file(
        "ID_HASH_KEY", "id-hash.key", lambda: base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())
    try:
        fernet = Fernet(encryption_key.encode())
    except ValueError as error:
        raise RuntimeError(
            "ID_ENCRYPTION_KEY (or DATA_DIR/id-encryption.key) is not a Fernet key: "
            "32 url-safe base64-encoded bytes") from error
    if len(hash_key) < 16:
        raise RuntimeError("ID_HASH_KEY (or DATA_DIR/id-hash.key) is empty or shorter than 16 characters")
    return _Keys(fernet=fernet, hash_key=hash_key.encode())


def encrypt_id_number(id_number: str) -> str:
    """The Fernet token (text) of an ID number (normalised first)."""
    return _keys().fernet.encrypt(normalize_id_number(id_number).encode()).decode()


def decrypt_id_number(token: str) -> str:
    return _keys().fernet.decrypt(token.encode()).decode()


def id_number_hash(id_number: str) -> str:
    """The keyed hash that finds the same ID number again however it was typed (hex, 64 characters)."""
    return hmac.new(_keys().hash_key, normalize_id_number(id_number).encode(), hashlib.sha256).hexdigest()


def encrypt_phone(phone: str) -> str:
    """The Fernet token (text) of a mainland mobile number (normalised first)."""
    return _keys().fernet.encrypt(normalize_phone(phone).encode()).decode()


def decrypt_phone(token: str) -> str:
    return _keys().fernet.decrypt(token.encode()).decode()


def phone_hash(phone: str) -> str:
    """The keyed hash that finds the same phone number again however it was typed (hex, 64 characters)."""
    return hmac.new(_keys().hash_key, b"phone:" + normalize_phone(phone).encode(), hashlib.sha256).hexdigest()
