"""Held-out conversation cases of issue 13, set G, written on 2026-12-04 (sixth round) before that round's
change: the relationship prompt asks "请问您要给谁报名？" / "who are you enrolling?", and a family answers
with the person's name, or says the relationship as a request ("给我妈报名") (kind `names_g`), or gives the name and the phone in one sentence at the name prompt
(kind `multi_answer_g`). None of these is in data/ nor in the other case files; never copy them into data/.
"""
from __future__ import annotations

from typing import List

from tests.e2e.understanding_cases import Case


def _names_at_the_relationship_prompt() -> List[Case]:
    # What a person expects: the name is kept, and the question comes back once, about who that is.
    z, e, k = "zh", "en", "names_g"
    cases = [(z, "王秀英", "王秀英"), (z, "给李建国报", "李建国"), (z, "帮张桂芬报名", "张桂芬"),
             (z, "为刘淑珍报名", "刘淑珍"), (z, "陈秀兰", "陈秀兰"),
             (e, "Mary Wang", "Mary Wang"), (e, "for Nancy Tang", "Nancy Tang"), (e, "John Li", "John Li"),
             (e, "it's for Susan Ma", "Susan Ma"), (e, "Peter Zhou please", "Peter Zhou")]
    named = [Case(k, language, message, "relationship", slots={"member_name": name}, empty=("relationship",),
                  next="relationship", says=(name,))
             for language, message, name in cases]
    # And the relationship said as a request to enroll: the words around it are not a name.
    said = [(z, "给我妈报名", "mother"), (z, "帮我爸报名", "father"),
            (e, "for my mum please", "mother"), (e, "it's for my dad", "father")]
    return named + [Case(k, language, message, "relationship", slots={"relationship": relationship},
                         empty=("member_name",), next="member_name")
                    for language, message, relationship in said]


def _name_and_phone_in_a_sentence() -> List[Case]:
    z, e, k = "zh", "en", "multi_answer_g"
    cases = [(z, "名字是刘淑珍，联系她打13912345678", "刘淑珍"), (z, "叫孙丽，有事打她电话13812340000", "孙丽"),
             (z, "她的名字叫赵桂兰，手机号是13700002222", "赵桂兰"),
             (e, "the name's Nancy Tang and you can reach her on 13912345678", "Nancy Tang"),
             (e, "she's called Helen Xu, her mobile is 13812340000", "Helen Xu"),
             (e, "Amy Lin, call her on 13700002222", "Amy Lin")]
    return [Case(k, language, message, "member_name", slots={"member_name": name}, filled=("phone",),
                 next="id_number")
            for language, message, name in cases]


CASES_G: List[Case] = _names_at_the_relationship_prompt() + _name_and_phone_in_a_sentence()
