"""Held-out conversation cases of issue 13, set L, written on 2026-12-04 (seventh round) before any change of
that round: questions about the form in new words (another document, a parent who cannot take calls, doing
it later, why a question is asked, whether it must be answered), and names that are ordinary words, in
both languages. Kinds `mid_form_l` and `names_l`. None of these is in data/ nor in the other case files;
never copy them into data/.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import Case


def _mid_form() -> List[Case]:
    z, e, k = "zh", "en", "mid_form_l"
    return [
        Case(k, z, "我爸只有台胞证，行不行", "id_number", says=("身份证",), next="id_number", empty=("id_number",)),
        Case(k, z, "能拿驾照号码代替吗", "id_number", says=("身份证",), next="id_number", empty=("id_number",)),
        Case(k, z, "老妈耳背，电话打给我就行吧", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case(k, z, "她的手机老是没电，留我的可以不", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case(k, z, "我现在在上班，下班回家再接着填", "id_number", says=("保留",), next=""),
        Case(k, z, "证件在我哥家里，明天再弄吧", "id_number", says=("保留",), next=""),
        Case(k, z, "问身份证是干嘛用的", "id_number", says=("年龄",), next="id_number", empty=("id_number",)),
        Case(k, z, "电话可以不留吗", "phone", says=("通知",), next="phone", empty=("phone",)),
        Case(k, e, "he only has a Taiwan compatriot permit, is that ok", "id_number", says=("ID card",),
             next="id_number", empty=("id_number",)),
        Case(k, e, "could I use her driving licence instead", "id_number", says=("ID card",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "mum can't hear well on the phone, just call me", "phone", says=("your own",), next="phone",
             empty=("phone",)),
        Case(k, e, "his mobile is always flat, can I give you mine", "phone", says=("your own",), next="phone",
             empty=("phone",)),
        Case(k, e, "I'm at work right now, I'll finish this when I get home", "id_number", says=("kept",),
             next=""),
        Case(k, e, "her card is at my brother's place, can we pick this up tomorrow", "id_number",
             says=("kept",), next=""),
        Case(k, e, "what is the ID number used for", "id_number", says=("age",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "is it ok if I don't give a phone number", "phone", says=("notice",), next="phone",
             empty=("phone",)),
    ]


def _names() -> List[Case]:
    zh = ["高峰", "金星", "周到", "白雪", "田野", "江河", "方正", "安心"]
    en = ["Jack Frost", "Holly Berry", "Crystal Ball", "Amber Gold", "Penny Wise", "Miles Long", "Will Power",
          "Sue Case"]
    return [Case("names_l", language, name, "member_name", slots={"member_name": name}, not_next=("member_name",))
            for language, names in (("zh", zh), ("en", en)) for name in names]


CASES_L: List[Case] = _mid_form() + _names()
