"""How internal callers (the support console, the readiness probe, operators' scripts) prove themselves
to the Rasa server's HTTP API: a short-lived JWT in the `Authorization: Bearer` header.

The Rasa server is started by bot.rasa.server with `--jwt-secret` set from RASA_API_TOKEN inside the
process (never on its command line, where `ps` shows it) and without `--auth-token`, so Rasa's
`?token=` query parameter, which lands in access logs, is not accepted at all. A token made here is for
the `admin` role (every conversation) and lives a few minutes; `sender_token` makes one that Rasa lets
read and write one conversation only.
"""
from __future__ import annotations

import secrets
import time
from typing import Callable, Dict

import jwt

from bot.core import settings

ALGORITHM = "HS256"
LIFETIME_SECONDS = 300


def api_token() -> str:
    """The secret Rasa's HTTP API checks JWTs with: RASA_API_TOKEN, or one made once and kept in DATA_DIR
    (so `make run`'s services and operators' scripts share it without configuration)."""
    return settings.secret_from_file("RASA_API_TOKEN", "rasa-api-token", lambda: secrets.token_hex(32))


def service_token(secret: str, caller: str = "console", lifetime_s: int = LIFETIME_SECONDS,
                  clock: Callable[[], float] = time.time) -> str:
    """A JWT for Rasa's `admin` role, valid `lifetime_s` seconds from `clock()`."""
    return jwt.encode({"user": {"username": caller, "role": "admin"}, "exp": int(clock()) + lifetime_s},
                      secret, algorithm=ALGORITHM)


def sender_token(secret: str, sender_id: str, lifetime_s: int = LIFETIME_SECONDS,
                 clock: Callable[[], float] = time.time) -> str:
    """A JWT for Rasa's `user` role: only the conversation `sender_id`."""
    return jwt.encode({"user": {"username": sender_id, "role": "user"}, "exp": int(clock()) + lifetime_s},
                      secret, algorithm=ALGORITHM)


def authorization(secret: str, caller: str = "console") -> Dict[str, str]:
    """The header of one call to the HTTP API."""
    return {"Authorization": f"Bearer {service_token(secret, caller)}"}
