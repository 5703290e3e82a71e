"""Held-out conversation cases of issue 13, set K, written on 2026-12-04 (sixth round) before that round's
change to the form's readers: written Cantonese typed at the form's prompts (the model reads Cantonese as
Mandarin since set H; the form's own readers of names, relationships and not-knowing did not). Kind
`cantonese_k`. None of these is in data/ nor in the other case files; never copy them into data/.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import Case


def _cantonese_at_the_prompts() -> List[Case]:
    z, k = "zh", "cantonese_k"
    return [
        Case(k, z, "我唔知", "member_name", next="member_name", empty=("member_name",)),
        Case(k, z, "唔記得", "member_name", next="member_name", empty=("member_name",)),
        Case(k, z, "佢叫陳秀蘭", "member_name", slots={"member_name": "陳秀蘭"}, not_next=("member_name",)),
        Case(k, z, "係陳秀蘭", "member_name", slots={"member_name": "陳秀蘭"}, not_next=("member_name",)),
        Case(k, z, "佢個名叫黃美玲", "member_name", slots={"member_name": "黃美玲"}, not_next=("member_name",)),
        Case(k, z, "幫我老豆報名", "relationship", slots={"relationship": "father"}, empty=("member_name",),
             next="member_name"),
        Case(k, z, "我阿媽", "relationship", slots={"relationship": "mother"}, empty=("member_name",),
             next="member_name"),
        Case(k, z, "我唔記得佢身份證號碼", "id_number", next="id_number", empty=("id_number",)),
    ]


CASES_K: List[Case] = _cantonese_at_the_prompts()
