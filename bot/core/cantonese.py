"""Written Cantonese read as Mandarin, for the model: families in Hong Kong and overseas type 係, 冇, 唔, 幾多.

The NLU model is trained on Mandarin (simplified) only, and OpenCC converts characters, not words: 冇 ("have
not"), 係 ("is"), 得唔得 ("is it all right") stay what they are and the model does not know them. Before a
message is understood, the common words of written Cantonese are replaced by their Mandarin words, each by
one of the same length, so the positions of the entities the model finds are the positions in the text as
typed. Only the model's input changes: the user's words, a name among them, are kept as typed.

No library covers this (OpenCC's hk2s converts Hong Kong character variants, not vocabulary), so the table is
ours: function words and question words, not names or plan words. Plain Python, no Rasa.
"""
from __future__ import annotations

import re

# Cantonese (traditional characters, as it is written) → Mandarin of the same length. Longer words first.
_WORDS: dict[str, str] = {
    "使唔使": "要不要", "得唔得": "行不行", "係唔係": "是不是", "啱唔啱": "對不對", "有冇": "有沒", "係咪": "是否",
    "幾多": "多少", "幾耐": "多久", "點樣": "怎樣", "點解": "為何", "邊個": "哪個", "邊度": "哪裡", "乜嘢": "什麼",
    "咩嘢": "什麼", "而家": "現在", "老豆": "老爸", "老竇": "老爸", "唔該": "謝謝", "唔使": "不用", "唔好": "不要",
    "冇錯": "沒錯", "冇事": "沒事", "係": "是", "喺": "在", "嘅": "的", "唔": "不", "冇": "沒", "佢": "他", "咩": "啥",
    "咗": "了", "啲": "些", "嗰": "那", "攞": "拿", "俾": "給", "畀": "給", "睇": "看", "諗": "想", "嚟": "來",
    "啱": "對",
}
# 係 is also the traditional character of 关系 (關係, 沒關係): there it stays.
_CANTONESE = re.compile("|".join(
    ("(?<!關)係" if word == "係" else re.escape(word)) for word in sorted(_WORDS, key=len, reverse=True)))


def as_mandarin(text: str) -> str:
    """`text` with the words of written Cantonese replaced by Mandarin words of the same length."""
    if not text:
        return text
    return _CANTONESE.sub(lambda found: _WORDS[found.group(0)], text)
