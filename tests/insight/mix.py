"""A known mix of conversations in both languages, and the figures it must give exactly."""
from __future__ import annotations

from bot.core.identity import check_character


def id_number(birth: str, sequence: str) -> str:
    """A valid mainland ID number (Beijing Xicheng) for a birth date YYYYMMDD; odd sequence: male."""
    first = f"110102{birth}{sequence}"
    return first + check_character(first)


def _zh_start(name: str) -> list[str]:
    return ["我想给我妈报名防癌计划", "同意", f"她叫{name}"]


def _en_start(name: str) -> list[str]:
    return ["I want to sign my dad up for the cancer plan", "I agree", f"his name is {name}"]


ZH_NO = ["没有", "没得过", "从来没有", "没有", "都没有", "没有"]
EN_NO = ["no", "never", "nope", "I don't think so", "no", "no"]

# name -> (messages, handed to a person?)
CONVERSATIONS: dict[str, tuple[list[str], bool]] = {
    "zh-enrolled": ([*_zh_start("王秀英"), id_number("19610315", "002"), "139-1234-5678", "同意", "她同意的",
                     *ZH_NO, "确认属实", "同意扣款授权", "正确，提交"], False),
    "en-enrolled": ([*_en_start("Li Wei"), id_number("19580720", "001"), "+86 138 1234 5678", "yes",
                     "yes he agrees", *EN_NO, "I confirm", "I authorize", "correct"], False),
    "zh-declined": ([*_zh_start("李桂芳"), id_number("19620808", "004"), "13912340003", "同意", "她同意的",
                     "有"], False),
    "en-dropped-at-health-consent": ([*_en_start("Zhang Wei"), id_number("19600101", "003"), "13812340004"],
                                     False),
    # Something the model reads as nothing (nlu_fallback) at the ID prompt: one misunderstanding there.
    # ("啊啊啊啊" counted only while a plan answer mid-form was followed by a fallback, a bug since fixed:
    # the model reads it as a plan question.)
    "zh-dropped-at-id-number": ([*_zh_start("陈美华"), "呃呃呃呃"], False),
    "zh-handed-over": ([*_zh_start("赵淑兰"), "转人工"], True),
    "en-handed-over": ([*_en_start("Li Ming"), id_number("19590611", "013"), "talk to a human"], True),
    "en-privacy-refused": (["I want to sign my dad up for the cancer plan", "no, I don't agree"], False),
}
FIRST_HALF = ["zh-enrolled", "en-dropped-at-health-consent", "zh-handed-over", "en-privacy-refused"]

TYPED_NUMBERS = [m.replace("-", "").replace(" ", "").replace("+86", "")
                 for messages, _ in CONVERSATIONS.values() for m in messages if any(c.isdigit() for c in m)]

EXPECTED_FUNNEL = [("started", 8), ("privacy_consent", 7), ("identity", 4), ("health_consent", 3),
                   ("screening", 3), ("outcome", 3), ("authorization", 2), ("enrolled", 2)]
EXPECTED_DROP_OFFS = {"health_consent": 1, "id_number": 1}
EXPECTED_OUTCOMES = {"enrolled": 2, "declined": 1, "privacy_refused": 1}
EXPECTED_HANDOFFS = {"user_request": 2}
EXPECTED_MISUNDERSTANDINGS = {"id_number": 1}
EXPECTED_BY_LANGUAGE = {"zh": {"started": 4, "enrolled": 1}, "en": {"started": 4, "enrolled": 1}}
