"""Held-out conversation cases of issue 13, set D, written on 2026-12-02 (fourth round) before that round's
change: questions and requests said at the phone and ID prompts as plain statements with no digits in
them, which the model takes for an answer and the form then checks as a number. New phrasings, none in
data/ nor in the other case files; never copy them into data/. Kinds carry a `_d` suffix and are reported
apart from the earlier sets.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import Case


def _mid_form() -> List[Case]:
    z, e, k = "zh", "en", "mid_form_d"
    return [
        Case(k, z, "老人家没手机的", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case(k, z, "我妈耳朵背，接不了电话", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case(k, z, "留这个号码有啥用", "phone", says=("通知",), next="phone", empty=("phone",)),
        Case(k, z, "他用的是护照，没办过身份证", "id_number", says=("护照",), next="id_number",
             empty=("id_number",)),
        Case(k, z, "证件不在手边，等明天吧", "id_number", says=("保留",), next=""),
        Case(k, z, "身份证号码你们拿去干嘛", "id_number", says=("年龄",), next="id_number", empty=("id_number",)),
        Case(k, e, "mum has no mobile of her own", "phone", says=("your own",), next="phone", empty=("phone",)),
        Case(k, e, "dad is deaf, phones are no use to him", "phone", says=("your own",), next="phone",
             empty=("phone",)),
        Case(k, e, "no idea why you want her number", "phone", says=("notice",), next="phone", empty=("phone",)),
        Case(k, e, "he's got a passport but no ID card", "id_number", says=("passport",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "the card's at my brother's place, let me do this tomorrow", "id_number", says=("kept",),
             next=""),
        Case(k, e, "is the id number really necessary", "id_number", says=("age",), next="id_number",
             empty=("id_number",)),
    ]


CASES_D: List[Case] = _mid_form()
