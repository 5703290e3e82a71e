"""Simplified and traditional Chinese: which one a user writes, and converting between them (OpenCC).

The NLU model is trained on simplified Chinese only. A message in traditional characters (我想給我媽報名,
保障範圍) is converted to simplified before it is understood, and a user who writes traditional is
answered in traditional, so one model serves both scripts without doubling the training data. Answers
the user types (a name) are kept as typed: only the model's input and the assistant's own words are
converted.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Literal, Optional

import opencc

Script = Literal["simplified", "traditional"]
SCRIPTS: tuple[Script, ...] = ("simplified", "traditional")


@lru_cache(maxsize=None)
def _converter(config: str) -> "opencc.OpenCC":
    return opencc.OpenCC(config)


def to_simplified(text: str) -> str:
    """`text` with traditional characters replaced by simplified ones (OpenCC t2s); other text unchanged."""
    return _converter("t2s").convert(text) if text else text


def to_traditional(text: str) -> str:
    """`text` in traditional characters (OpenCC s2t), for a user who writes traditional."""
    return _converter("s2t").convert(text) if text else text


def script_of(text: str) -> Optional[Script]:
    """traditional or simplified when the text shows which (a character that differs between the two),
    None when it does not (no Chinese, or only characters written the same in both, like 你好)."""
    if not text:
        return None
    if to_simplified(text) != text:
        return "traditional"
    if to_traditional(text) != text:
        return "simplified"
    return None
