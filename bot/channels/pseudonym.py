"""Short, stable stand-ins for user ids in logs, so no log line carries an openid or a session id."""
from __future__ import annotations

import hashlib


def pseudonym(user_id: str) -> str:
    """The first 10 hex digits of the SHA-256 of `user_id`: enough to follow one user through the logs."""
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:10]
