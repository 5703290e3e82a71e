"""Held-out conversation cases of issue 13, set E, written on 2026-12-03 (fifth round) before that round's
change: what the fourth round noticed outside its sets, in new phrasings, typed at the name, ID and phone
prompts: another document offered instead of the ID, whether the ID is needed at all, a parent who does not
answer the phone, and sounds that say nothing; and (kind `names_e`) a name the family does not know. None
of these is in data/ nor in the other case files; never copy them into data/. The kind carries an `_e` suffix and is reported apart from the earlier sets.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import FATHER_ID, Case

# The in-laws answer, which the model once gave "啊" at full confidence.
_IN_LAWS = ("岳父岳母", "father-in-law")


def _mid_form() -> List[Case]:
    z, e, k = "zh", "en", "mid_form_e"
    return [
        Case(k, z, "护照号码行不行", "id_number", says=("护照",), next="id_number", empty=("id_number",)),
        Case(k, z, "身份证号非填不可吗", "id_number", says=("年龄",), next="id_number", empty=("id_number",)),
        Case(k, z, "我爸从来不接电话", "phone", says=("您自己的",), next="phone", empty=("phone",),
             answers={"relationship": "爸爸", "member_name": "李建国", "id_number": FATHER_ID}),
        Case(k, z, "啊", "member_name", next="member_name", empty=("member_name",), never_says=_IN_LAWS),
        Case(k, z, "呃", "phone", next="phone", empty=("phone",), never_says=_IN_LAWS),
        Case(k, z, "啊啊啊", "id_number", next="id_number", empty=("id_number",), never_says=_IN_LAWS),
        Case(k, e, "can I put her passport number instead", "id_number", says=("passport",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "do you really have to have her ID number", "id_number", says=("age",), next="id_number",
             empty=("id_number",)),
        Case(k, e, "my dad never answers his phone", "phone", says=("your own",), next="phone",
             empty=("phone",),
             answers={"relationship": "my father", "member_name": "John Li", "id_number": FATHER_ID}),
        Case(k, e, "hmm", "member_name", next="member_name", empty=("member_name",), never_says=_IN_LAWS),
        Case(k, e, "uhh", "phone", next="phone", empty=("phone",), never_says=_IN_LAWS),
        Case(k, e, "erm", "id_number", next="id_number", empty=("id_number",), never_says=_IN_LAWS),
    ]


def _names() -> List[Case]:
    # Written on 2026-12-03 after the round's rules, before any change for them: a family that does not
    # know or remember the name says so at the name prompt ("不知道" had become the name, and the next
    # question asked for 不知道's ID number).
    z, e, k = "zh", "en", "names_e"
    return [Case(k, language, message, "member_name", next="member_name", empty=("member_name",))
            for language, message in ((z, "我也不记得了"), (z, "这个不太清楚"), (z, "名字我不知道"),
                                      (e, "no clue"), (e, "I can't remember"), (e, "dunno"))]


CASES_E: List[Case] = _mid_form() + _names()
