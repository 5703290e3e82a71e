"""Held-out conversation cases of issue 13, written before the fix and kept out of training (data/).

Each case drives a real conversation to one question of the enrollment form (answering whatever the form
asks with a standard answer, so the cases hold whatever order the form asks in), sends one message a
family might type there, and says what a person would expect to happen. tests/e2e/test_understanding_rest.py
runs them and reports the pass rate of each kind per language. Never copy these phrasings into data/:
training examples must be other phrasings, or the pass rates mean nothing.

Kinds: names (ordinary words and plan words as names; greetings and relationships that are not names),
multi_answer (several answers in one message), mid_form (questions about the form itself), corrections
(of any earlier answer, at any point), traditional (traditional Chinese, answered in traditional),
age_questions (the age limit answered before an enrollment starts).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Tuple

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number(birth: str, sequence: str, region: str = "110105") -> str:
    """A valid 18-character ID number born on `birth` (YYYYMMDD); an odd last sequence digit is male."""
    body = region + birth + sequence
    return body + _CHECK[sum(int(d) * w for d, w in zip(body, _WEIGHTS)) % 11]


MOTHER_ID = id_number("19610315", "002")      # a woman of 65
FATHER_ID = id_number("19580720", "001")      # a man of 68
MOTHER_ID_2 = id_number("19620808", "004")    # another woman, for corrections
FATHER_ID_2 = id_number("19600101", "003")

# What the driver answers to each question, per language.
STANDARD: Dict[str, Dict[str, str]] = {
    "zh": {"relationship": "妈妈", "member_name": "王秀英", "id_number": MOTHER_ID, "phone": "13912345678",
           "privacy_consent": "同意", "health_consent": "同意", "member_agreement": "她同意",
           "screening": "没有", "truthful_declaration": "确认属实", "deduction_authorization": "同意扣款授权"},
    "en": {"relationship": "my mother", "member_name": "Mary Wang", "id_number": MOTHER_ID,
           "phone": "13912345678", "privacy_consent": "I agree", "health_consent": "I agree",
           "member_agreement": "yes she agrees", "screening": "no", "truthful_declaration": "I confirm",
           "deduction_authorization": "I authorize"},
}
START = {"zh": "我要报名", "en": "I want to enroll someone"}


@dataclass
class Case:
    kind: str
    language: str
    message: str
    at: str                                   # the question the form is asking when the message is sent
    answers: Dict[str, str] = field(default_factory=dict)   # driver answers that differ from STANDARD
    slots: Dict[str, Any] = field(default_factory=dict)     # slot values expected afterwards
    filled: Tuple[str, ...] = ()              # slots expected to hold something afterwards
    empty: Tuple[str, ...] = ()               # slots expected to be empty afterwards
    changed: Tuple[str, ...] = ()             # slots expected to hold something new afterwards
    masked_ends: Optional[str] = None         # the masked ID expected to end with this
    next: Optional[str] = None                # the question expected next ("" = the form is not active)
    not_next: Tuple[str, ...] = ()            # questions not expected next
    says: Tuple[str, ...] = ()                # each must appear in some reply
    says_one_of: Tuple[str, ...] = ()         # at least one must appear (two wordings of the same fact)
    never_says: Tuple[str, ...] = ()          # none may appear in any reply
    then: Optional[str] = None                # a follow-up message
    then_never_says: Tuple[str, ...] = ()
    then_empty: Tuple[str, ...] = ()
    start: Optional[str] = None               # first message, instead of START
    traditional_replies: bool = False         # every Chinese reply written in traditional characters


def _names() -> List[Case]:
    zh = ["高保", "金康", "王计划", "李保障", "张互助", "安康", "周全", "高兴", "于是", "何时", "任意",
          "白云", "常青", "万福", "文明", "方便", "马上", "钱多多", "司马保国", "欧阳等待", "阿依古丽·买买提",
          "李赔付"]
    en = ["Grace Hunter", "Rose Bill", "Faith Hope", "Joy Price", "Hope Cash", "Summer Rain", "Will Cover",
          "Bill Payne", "Mark Waiting", "Frank Case", "Rich Young", "April May", "Carol Singer",
          "Sunny Day", "Victor Free", "Chase Banks", "Hunter King", "Robin Banks", "Dawn Young",
          "Hazel Wood", "Patience Well", "Ivy Lane"]
    cases = [Case("names", "zh", name, "member_name", slots={"member_name": name}, not_next=("member_name",))
             for name in zh]
    cases += [Case("names", "en", name, "member_name", slots={"member_name": name}, not_next=("member_name",))
              for name in en]
    # Not names: the relationship itself, a greeting, a question.
    for language, message in [("zh", "我爸"), ("zh", "我妈妈"), ("zh", "你好"), ("zh", "您好，在吗"),
                              ("zh", "为什么要填名字"), ("en", "my dad"), ("en", "my mother"), ("en", "hello"),
                              ("en", "hi there"), ("en", "what name do you need")]:
        cases.append(Case("names", language, message, "member_name", empty=("member_name",),
                          never_says=("的身份证", "'s 18-character", "我爸的", "我妈妈的", "my dad's",
                                      "my mother's")))
    return cases


def _multi() -> List[Case]:
    z, e = "zh", "en"
    rel = "relationship"
    cases = [
        Case("multi_answer", z, f"我妈叫王秀英，身份证号{MOTHER_ID}，手机13912345678", rel,
             slots={"relationship": "mother", "member_name": "王秀英"}, filled=("phone",),
             masked_ends=MOTHER_ID[-4:], not_next=(rel, "member_name", "id_number", "phone")),
        Case("multi_answer", z, "给我爸，他叫李建国，手机13812345678", rel,
             slots={"relationship": "father", "member_name": "李建国"}, filled=("phone",), next="id_number"),
        Case("multi_answer", z, "我母亲张桂芬，电话13700001111", rel,
             slots={"relationship": "mother", "member_name": "张桂芬"}, filled=("phone",), next="id_number"),
        Case("multi_answer", z, f"她叫刘淑珍，身份证{MOTHER_ID}", "member_name",
             slots={"member_name": "刘淑珍"}, masked_ends=MOTHER_ID[-4:], next="phone"),
        Case("multi_answer", z, f"我爸李伟 {FATHER_ID} 13812345678", rel,
             slots={"relationship": "father", "member_name": "李伟"}, filled=("phone",),
             masked_ends=FATHER_ID[-4:], not_next=(rel, "member_name", "id_number", "phone")),
        Case("multi_answer", z, "婆婆叫陈秀兰，手机号是13698765432", rel,
             slots={"relationship": "mother_in_law", "member_name": "陈秀兰"}, filled=("phone",),
             next="id_number"),
        Case("multi_answer", z, f"名字赵明，身份证号{FATHER_ID}，电话13512345678", "member_name",
             answers={"relationship": "爸爸"}, slots={"member_name": "赵明"}, filled=("phone",),
             masked_ends=FATHER_ID[-4:], not_next=("member_name", "id_number", "phone")),
        Case("multi_answer", z, "老人叫孙丽，手机号码13912340000", "member_name",
             slots={"member_name": "孙丽"}, filled=("phone",), next="id_number"),
        Case("multi_answer", z, f"身份证{MOTHER_ID}，手机13312345678", "id_number",
             masked_ends=MOTHER_ID[-4:], filled=("phone",), not_next=("id_number", "phone")),
        Case("multi_answer", z, f"岳父王志强，身份证{FATHER_ID}", rel,
             slots={"relationship": "father_in_law", "member_name": "王志强"}, masked_ends=FATHER_ID[-4:],
             next="phone"),
        Case("multi_answer", e, f"my mum is Mary Wang, ID {MOTHER_ID}, mobile 13912345678", rel,
             slots={"relationship": "mother", "member_name": "Mary Wang"}, filled=("phone",),
             masked_ends=MOTHER_ID[-4:], not_next=(rel, "member_name", "id_number", "phone")),
        Case("multi_answer", e, "it's for my dad, his name is Li Wei, phone 13812345678", rel,
             slots={"relationship": "father", "member_name": "Li Wei"}, filled=("phone",), next="id_number"),
        Case("multi_answer", e, "her name is Grace Hunter and her number is 13700001111", "member_name",
             slots={"member_name": "Grace Hunter"}, filled=("phone",), next="id_number"),
        Case("multi_answer", e, f"my father John Li, ID number {FATHER_ID}", rel,
             slots={"relationship": "father", "member_name": "John Li"}, masked_ends=FATHER_ID[-4:],
             next="phone"),
        Case("multi_answer", e, "my mother, Rose Bill, 13698765432", rel,
             slots={"relationship": "mother", "member_name": "Rose Bill"}, filled=("phone",), next="id_number"),
        Case("multi_answer", e, f"his name is Zhang Wei, mobile 13512345678, ID {FATHER_ID}", "member_name",
             answers={"relationship": "my father"}, slots={"member_name": "Zhang Wei"}, filled=("phone",),
             masked_ends=FATHER_ID[-4:], not_next=("member_name", "id_number", "phone")),
        Case("multi_answer", e, "she's called Ann Lee, phone 13912340000", "member_name",
             slots={"member_name": "Ann Lee"}, filled=("phone",), next="id_number"),
        Case("multi_answer", e, f"ID {MOTHER_ID}, mobile 13312345678", "id_number",
             masked_ends=MOTHER_ID[-4:], filled=("phone",), not_next=("id_number", "phone")),
        Case("multi_answer", e, f"my mother-in-law Susan Wu, ID {MOTHER_ID}", rel,
             slots={"relationship": "mother_in_law", "member_name": "Susan Wu"}, masked_ends=MOTHER_ID[-4:],
             next="phone"),
        Case("multi_answer", e, "name Faith Hope, phone 13600002222", "member_name",
             slots={"member_name": "Faith Hope"}, filled=("phone",), next="id_number"),
    ]
    return cases


def _mid_form() -> List[Case]:
    z, e = "zh", "en"
    later_zh = ("身份证号码只能", "校验码", "位数不对", "我没看到身份证")
    later_en = ("An ID number has", "doesn't match the others", "I didn't see an ID")
    return [
        Case("mid_form", z, "我妈没有手机，可以填我自己的号码吗", "phone", says=("您自己的",), next="phone",
             empty=("phone",)),
        Case("mid_form", z, "手机号填老人的还是我的？", "phone", says=("您自己的",), next="phone", empty=("phone",)),
        Case("mid_form", e, "she doesn't have a mobile, will my own number do?", "phone", says=("your own",),
             next="phone", empty=("phone",)),
        Case("mid_form", e, "whose phone number do you want, mine or hers?", "phone", says=("your own",),
             next="phone", empty=("phone",)),
        Case("mid_form", z, "用护照可以吗", "id_number", says=("护照",), next="id_number", empty=("id_number",)),
        Case("mid_form", z, "她只有户口本，没有身份证怎么办", "id_number", says=("户口",), next="id_number",
             empty=("id_number",)),
        Case("mid_form", e, "can I give her passport number instead?", "id_number", says=("passport",),
             next="id_number", empty=("id_number",)),
        Case("mid_form", e, "what kind of ID do you accept?", "id_number", says=("passport",),
             next="id_number", empty=("id_number",)),
        Case("mid_form", z, "身份证不在手边，我晚点再弄行吗", "id_number", says=("保留",), next="",
             then="好的", then_never_says=later_zh, then_empty=("id_number",)),
        Case("mid_form", z, "我先去找一下她的身份证，回头再来", "id_number", says=("保留",), next="",
             then="嗯", then_never_says=later_zh, then_empty=("id_number",)),
        Case("mid_form", e, "I don't have her ID card here, can I finish this later?", "id_number",
             says=("kept",), next="", then="ok", then_never_says=later_en, then_empty=("id_number",)),
        Case("mid_form", e, "let me find the card and come back tomorrow", "id_number", says=("kept",),
             next="", then="sure", then_never_says=later_en, then_empty=("id_number",)),
        Case("mid_form", z, "为什么要填身份证号？", "id_number", says=("年龄",), next="id_number",
             empty=("id_number",)),
        Case("mid_form", z, "要手机号做什么用", "phone", says=("通知",), next="phone", empty=("phone",)),
        Case("mid_form", e, "why do you need her ID number?", "id_number", says=("age",), next="id_number",
             empty=("id_number",)),
        Case("mid_form", e, "what do you need the mobile number for?", "phone", says=("notice",), next="phone",
             empty=("phone",)),
        Case("mid_form", z, "你们拿到身份证号以后会怎么处理", "id_number", says=("加密",), next="id_number",
             empty=("id_number",)),
        Case("mid_form", z, "这些资料会不会给别人看", "phone", says=("加密",), next="phone", empty=("phone",)),
        Case("mid_form", e, "what happens to her data after this?", "id_number", says=("encrypted",),
             next="id_number", empty=("id_number",)),
        Case("mid_form", e, "who gets to see the information I give you?", "phone", says=("encrypted",),
             next="phone", empty=("phone",)),
    ]


def _corrections() -> List[Case]:
    z, e = "zh", "en"
    confirm = "enrollment_confirmed"
    return [
        Case("corrections", z, "刚才名字打错了，应该是王秀兰", "phone", slots={"member_name": "王秀兰"}, next="phone"),
        Case("corrections", z, "刚才手机号输错了，应该是13812340077", "health_consent", changed=("phone",),
             next="health_consent"),
        Case("corrections", z, f"身份证号输错了，是{MOTHER_ID_2}", "phone", masked_ends=MOTHER_ID_2[-4:],
             next="phone"),
        Case("corrections", z, "不对，她叫李桂兰，不是王秀英", "screening_h2", slots={"member_name": "李桂兰"},
             next="screening_h2"),
        Case("corrections", z, "手机号不是这个，是13698760011", confirm, changed=("phone",), next=confirm,
             says=("0011",)),
        Case("corrections", z, "等一下，名字错了，是王秀芬", confirm, slots={"member_name": "王秀芬"}, next=confirm,
             says=("王秀芬",)),
        Case("corrections", z, "第一个健康问题我答错了，应该是不确定", "screening_h3",
             slots={"screening_h1": "not_sure"}, next="screening_h3"),
        Case("corrections", z, "上一题我点错了，其实有", "screening_h6", slots={"screening_h5": "yes"},
             next="screening_h6"),
        Case("corrections", z, "刚才第二个问题说错了，她做过化疗", "screening_h4",
             says=("不能加入", "化疗"), next=""),
        Case("corrections", z, "我选错了，是给我爸报名", "member_name", slots={"relationship": "father"},
             next="member_name"),
        Case("corrections", e, "No wait, her name is Grace Li", "phone", slots={"member_name": "Grace Li"},
             next="phone"),
        Case("corrections", e, "sorry, the phone number should be 13812340077", "health_consent",
             changed=("phone",), next="health_consent"),
        Case("corrections", e, f"I typed the ID wrong, it's {MOTHER_ID_2}", "phone",
             masked_ends=MOTHER_ID_2[-4:], next="phone"),
        Case("corrections", e, "hang on, her name is actually Rose Bill", "screening_h2",
             slots={"member_name": "Rose Bill"}, next="screening_h2"),
        Case("corrections", e, "her mobile is actually 13698760011", confirm, changed=("phone",), next=confirm,
             says=("0011",)),
        Case("corrections", e, "the name is wrong, it should be Mary Wong", confirm,
             slots={"member_name": "Mary Wong"}, next=confirm, says=("Mary Wong",)),
        Case("corrections", e, "my answer to the first health question was wrong, it should be not sure",
             "screening_h3", slots={"screening_h1": "not_sure"}, next="screening_h3"),
        Case("corrections", e, "I got the last one wrong, the answer is yes", "screening_h6",
             slots={"screening_h5": "yes"}, next="screening_h6"),
        Case("corrections", e, "actually question 2 should be yes, she had chemotherapy", "screening_h4",
             says=("can't join", "chemotherapy"), next=""),
        Case("corrections", e, "oops, it's my father I'm enrolling, not my mother", "member_name",
             slots={"relationship": "father"}, next="member_name"),
    ]


def _traditional() -> List[Case]:
    cases = [
        Case("traditional", "zh", "我想給我媽報名", "", start="我想給我媽報名", slots={"relationship": "mother"},
             filled=("requested_slot",), traditional_replies=True),
        Case("traditional", "zh", "幫我爸爸報個名", "", start="幫我爸爸報個名", slots={"relationship": "father"},
             filled=("requested_slot",), traditional_replies=True),
        Case("traditional", "zh", "保障範圍是什麼", "", start="保障範圍是什麼", says=("惡性腫瘤",),
             traditional_replies=True),
        Case("traditional", "zh", "等待期多長", "", start="等待期多長", says=("90",), traditional_replies=True),
        Case("traditional", "zh", "加入要錢嗎", "", start="加入要錢嗎", says_one_of=("免費", "不收費"),
             traditional_replies=True),
        Case("traditional", "zh", "轉人工", "", start="轉人工", traditional_replies=True),
        Case("traditional", "zh", "劉淑貞", "member_name", answers={"relationship": "媽媽"},
             slots={"member_name": "劉淑貞"}, not_next=("member_name",), traditional_replies=True),
        Case("traditional", "zh", "陳國華", "member_name", answers={"relationship": "爸爸"},
             slots={"member_name": "陳國華"}, not_next=("member_name",), traditional_replies=True),
        Case("traditional", "zh", "沒有", "screening_h1", slots={"screening_h1": "no"}, next="screening_h2",
             traditional_replies=True),
        Case("traditional", "zh", "手機號碼是填老人的還是我的", "phone", says=("您自己的",), next="phone",
             traditional_replies=True),
    ]
    return cases


def _age_questions() -> List[Case]:
    return [
        Case("age_questions", "zh", "我爸72岁能参加吗", "", start="我爸72岁能参加吗", says=("70",), next=""),
        Case("age_questions", "zh", "我妈今年71了还能报吗", "", start="我妈今年71了还能报吗", says=("70",), next=""),
        Case("age_questions", "zh", "58岁可以加入吗", "", start="58岁可以加入吗", says=("60",), next=""),
        Case("age_questions", "en", "can my 71-year-old mum join?", "", start="can my 71-year-old mum join?",
             says=("70",), next=""),
        Case("age_questions", "en", "my father is 73, can he still sign up", "",
             start="my father is 73, can he still sign up", says=("70",), next=""),
        Case("age_questions", "en", "is my 58 year old mother too young to join", "",
             start="is my 58 year old mother too young to join", says=("60",), next=""),
    ]


CASES: List[Case] = _names() + _multi() + _mid_form() + _corrections() + _traditional() + _age_questions()
KINDS = sorted({case.kind for case in CASES})
