"""What a channel passes on to the conversation as message metadata: the language hint, nothing else.

A page or an integrator may say which language it prefers (`{"language": "zh-CN"}`); that seeds the
`language` slot at session start (actions/session.py). Anything else a client puts in the metadata is
dropped, so a caller cannot fill the conversation store with whatever it likes.
"""
from __future__ import annotations

import json
from typing import Any, Dict

from bot.core.language import normalise_language


def language_metadata(custom_data: Any) -> Dict[str, str]:
    """{"language": "zh" | "en"} from a client's metadata (an object, or its JSON text), or {}."""
    if isinstance(custom_data, str):
        try:
            custom_data = json.loads(custom_data)
        except ValueError:
            return {}
    if not isinstance(custom_data, dict):
        return {}
    language = normalise_language(custom_data.get("language"))
    return {"language": language} if language else {}
