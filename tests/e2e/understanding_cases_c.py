"""Held-out conversation cases of issue 13, set C, written on 2026-12-02 (third round) before any change to
the training data, so that whatever that round changes is measured on phrasings nobody has tuned against.
New phrasings, none in data/ nor in understanding_cases.py or understanding_cases_b.py; never copy them
into data/. Kinds carry a `_c` suffix and are reported apart from the first two sets.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import Case


def _mid_form() -> List[Case]:
    z, e, k = "zh", "en", "mid_form_c"
    return [
        Case(k, z, "我爸不会用手机，留我老公的号码可以吗", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case(k, z, "身份证找不到了，用户口本上的号码行不行", "id_number", says=("户口本",), next="id_number",
             empty=("id_number",)),
        Case(k, z, "填她的电话是要做什么", "phone", says=("通知",), next="phone", empty=("phone",)),
        Case(k, z, "身份证在我妈那儿，我过两天再来填", "id_number", says=("保留",), next=""),
        Case(k, e, "mum never answers her phone, can I put mine", "phone", says=("your own",), next="phone",
             empty=("phone",)),
        Case(k, e, "her ID card has expired, is the number still ok", "id_number", says=("expired",),
             next="id_number", empty=("id_number",)),
        Case(k, e, "what do you need his ID for", "id_number", says=("age",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "the card is in my dad's drawer, I'll carry on tonight", "id_number", says=("kept",), next=""),
    ]


def _corrections() -> List[Case]:
    z, e, k = "zh", "en", "corrections_c"
    return [
        Case(k, z, "不对，她叫陈玉珍", "phone", slots={"member_name": "陈玉珍"}, next="phone"),
        Case(k, z, "刚才手机号打错了，是13900001111", "health_consent", changed=("phone",), next="health_consent"),
        Case(k, z, "搞错了，是给我公公报名", "member_name", slots={"relationship": "father_in_law"},
             next="member_name"),
        Case(k, e, "actually her name is Joyce Lam", "phone", slots={"member_name": "Joyce Lam"}, next="phone"),
        Case(k, e, "hang on, the mobile should be 13900001111", "health_consent", changed=("phone",),
             next="health_consent"),
        Case(k, e, "sorry, this is for my father-in-law", "member_name", slots={"relationship": "father_in_law"},
             next="member_name"),
    ]


def _traditional() -> List[Case]:
    k = "traditional_c"
    return [
        Case(k, "zh", "我想替爸爸申請加入", "", start="我想替爸爸申請加入", slots={"relationship": "father"},
             filled=("requested_slot",), traditional_replies=True),
        Case(k, "zh", "加入後多久才有保障", "", start="加入後多久才有保障", says=("90",), traditional_replies=True),
        Case(k, "zh", "我媽七十一歲還能參加嗎", "", start="我媽七十一歲還能參加嗎", says=("70",), next="",
             traditional_replies=True),
        Case(k, "zh", "這個號碼要填誰的", "phone", says=("您自己的",), next="phone", traditional_replies=True),
    ]


CASES_C: List[Case] = _mid_form() + _corrections() + _traditional()
