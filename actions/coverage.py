"""What a number of cases costs a member: "if there are 40 cases this period, how much do I pay?".

The number comes from the `case_count` entity (DIET), or, when DIET found none, from the message itself
("40个案例", "四十个案例", "forty cases"). It may be written in digits, in Chinese numerals (四十, 一百二十,
两百, 一百二) or in English words (forty-five). The plan core says what that many cases can cost at most
(bot.core.plan.contributions.most_for_cases); the answer is a domain response, and bot.rasa.nlg fills in the
per-case cap and the management fee from the plan configuration.
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.conversation import language_of
from bot.core import i18n
from bot.core.plan.config import load_plan
from bot.core.plan.contributions import most_for_cases

CASE_COUNT_ENTITY = "case_count"


class ActionEstimateContribution(Action):
    """Answers with the most a member pays for the number of cases the user named."""

    def name(self) -> Text:
        return "action_estimate_contribution"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[EventType]:
        language = language_of(tracker)
        case_text = _case_text(tracker)
        if case_text is None:
            dispatcher.utter_message(response="utter_contribution_estimate_ask_cases")
            return []
        try:
            cases = parse_case_count(case_text)
        except ValueError:
            dispatcher.utter_message(response="utter_contribution_estimate_bad_number", case_text=case_text)
            return []
        if cases == 0:
            dispatcher.utter_message(response="utter_contribution_estimate_no_cases")
            return []
        plan = load_plan()
        dispatcher.utter_message(
            response="utter_contribution_estimate",
            case_count=i18n.format_number(cases, language),
            most_for_cases=i18n.format_money(most_for_cases(cases, plan=plan), language, plan.currency),
        )
        return []


def _case_text(tracker: Tracker) -> Optional[str]:
    """The number of cases as the user wrote it: the entity if DIET found one, else a number that the
    message puts next to a word for cases; None when the message names no number."""
    for value in tracker.get_latest_entity_values(CASE_COUNT_ENTITY):
        if str(value).strip():
            return str(value).strip()
    text = unicodedata.normalize("NFKC", tracker.latest_message.get("text") or "")
    match = _NUMBER_BEFORE_CASES.search(text)
    return match.group("number").strip() if match else None


# --- Reading a number of cases ------------------------------------------------------------------

_CHINESE_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
                   "八": 8, "九": 9}
_CHINESE_UNITS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}
_CHINESE_NUMERAL = "[" + "".join(_CHINESE_DIGITS) + "".join(_CHINESE_UNITS) + "]+"

_ENGLISH_ONES = {word: value for value, word in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen".split())}
_ENGLISH_TENS = {word: 10 * value for value, word in enumerate(
    "twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_ENGLISH_SCALES = {"hundred": 100, "thousand": 1000}
_ENGLISH_FIRST_WORD = "|".join([*_ENGLISH_ONES, *_ENGLISH_TENS, *_ENGLISH_SCALES, "a"])
_ENGLISH_WORD = _ENGLISH_FIRST_WORD + "|and"

_DIGITS = r"[+-]?\d[\d,]*(?:\.\d+)?"
# "40个案例", "四十例", "-3 cases", "forty-five cases": a number right before a word for cases.
_NUMBER_BEFORE_CASES = re.compile(
    rf"(?P<number>{_DIGITS}|{_CHINESE_NUMERAL}"
    rf"|\b(?:{_ENGLISH_FIRST_WORD})\b[\s-]*(?:\b(?:{_ENGLISH_WORD})\b[\s-]*)*)"
    r"\s*(?:个|起|件)?\s*(?:案例|案子|例|cases?\b)",
    re.IGNORECASE,
)
# Words around the number that the entity may include: 四十个 (jieba keeps 个 with the numeral), "40 cases".
_UNIT_WORDS = re.compile(r"(?:\s*(?:个|起|件|案例|案子|例|cases?))+\s*$", re.IGNORECASE)


def parse_case_count(text: str) -> int:
    """A number of cases (0 or more) from digits, Chinese numerals or English words.

    Raises ValueError for anything else: a negative number, a fraction, words that are not a number.
    """
    value = _UNIT_WORDS.sub("", unicodedata.normalize("NFKC", str(text)).strip().lower())
    if not value:
        raise ValueError(f"not a number of cases: {text!r}")
    if re.fullmatch(_DIGITS, value):
        return _whole_number(value.replace(",", ""), text)
    if re.fullmatch(_CHINESE_NUMERAL, value):
        return _chinese_number(value)
    return _english_number(value)


def _whole_number(digits: str, original: str) -> int:
    try:
        number = Decimal(digits)
    except InvalidOperation:
        raise ValueError(f"not a number of cases: {original!r}") from None
    if number < 0 or number != number.to_integral_value():
        raise ValueError(f"a number of cases is a whole number, zero or more: {original!r}")
    return int(number)


def _chinese_number(text: str) -> int:
    """四十 → 40, 一百零五 → 105, 两百 → 200, 一百二 → 120 (the spoken short form), 一万五 → 15000."""
    total = section = 0
    digit: Optional[int] = None
    last_unit = 0
    after_zero = False
    for char in text:
        if char in _CHINESE_DIGITS:
            if digit not in (None, 0):
                raise ValueError(f"not a Chinese number: {text!r}")
            after_zero = char in "零〇" or after_zero
            digit = _CHINESE_DIGITS[char]
        elif char == "万":
            if section == 0 and digit is None:
                raise ValueError(f"not a Chinese number: {text!r}")
            total += (section + (digit or 0)) * 10_000
            section, digit, last_unit, after_zero = 0, None, 10_000, False
        else:
            unit = _CHINESE_UNITS[char]
            section += (1 if digit is None else digit) * unit
            digit, last_unit, after_zero = None, unit, False
    if digit is not None and last_unit > 10 and not after_zero:
        digit *= last_unit // 10  # 一百二 = 120, 两千五 = 2500, 一万五 = 15000
    return total + section + (digit or 0)


def _english_number(text: str) -> int:
    """forty → 40, forty-five → 45, a hundred and twenty → 120, two thousand → 2000."""
    words = [word for word in re.split(r"[\s-]+", text) if word and word != "and"]
    if not words:
        raise ValueError(f"not a number of cases: {text!r}")
    total = current = 0
    for word in words:
        if word in ("a", "an"):
            current += 1
        elif word in _ENGLISH_ONES:
            current += _ENGLISH_ONES[word]
        elif word in _ENGLISH_TENS:
            current += _ENGLISH_TENS[word]
        elif word == "hundred":
            current = (current or 1) * 100
        elif word == "thousand":
            total += (current or 1) * 1000
            current = 0
        else:
            raise ValueError(f"not a number of cases: {text!r}")
    return total + current
