"""Reading enrollment answers as a person would, from whatever a family types.

Families don't talk like the script. A name can be an ordinary word or a plan word (高保, 王计划, "Grace
Hunter", "Will Cover"), while "我爸", "my dad" or "你好" typed at the name prompt is not a name at all.
Several answers come in one message ("我妈叫王秀英，身份证号……，手机……"), and corrections come in any form
("刚才手机号输错了，应该是……", "No wait, her name is …", "上一题我点错了，其实有").

This module only reads: it says what the text is (a name, a question, a greeting, the relationship...)
and which raw answers it holds. Every answer is then checked by the same checks as always
(bot.core.identity through actions.enrollment_answers). No Rasa here.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from typing import Dict, Optional

from bot.core.cantonese import as_mandarin
from bot.core.chinese_script import to_simplified
from bot.core.identity import IdentityError, validate_name
from bot.core.language import EN_SOUND, VOWEL

# ------------------------------------------------------------------------------------------ words

# Relationship words, longest first so that "mother-in-law" is not read as "mother".
_RELATIONSHIP_WORDS: list[tuple[str, str]] = sorted([
    *((w, "mother_in_law") for w in ("岳母", "丈母娘", "婆婆", "mother-in-law", "mother in law")),
    *((w, "father_in_law") for w in ("岳父", "老丈人", "丈人", "公公", "father-in-law", "father in law")),
    *((w, "mother") for w in ("妈妈", "老妈", "母亲", "妈", "媽媽", "媽", "mother", "mom", "mum", "mommy",
                              "mummy", "mama", "家母", "阿妈", "阿媽")),
    *((w, "father") for w in ("爸爸", "老爸", "父亲", "爸", "父親", "father", "dad", "daddy", "papa", "家父", "阿爸",
                              "老豆", "老竇")),
    *((w, "self") for w in ("我自己", "自己", "本人", "myself")),
], key=lambda pair: -len(pair[0]))

_GREETINGS = {"你好", "您好", "你们好", "哈喽", "嗨", "喂", "在吗", "在不在", "在么", "有人吗", "早上好", "早",
              "下午好", "晚上好", "早安", "hello", "hi", "hey", "hiya", "good morning", "good afternoon",
              "good evening", "hi there", "hello there", "anyone there", "are you there", "你們好"}
_YES_NO = {"是", "是的", "对", "对的", "好", "好的", "嗯", "嗯嗯", "可以", "行", "同意", "没有", "没", "不",
           "不是", "不对", "不用", "有", "有的", "确认", "yes", "no", "ok", "okay", "sure", "yep", "nope",
           "yeah", "correct", "right", "fine", "wrong", "not sure", "不确定", "沒有"}
_ZH_QUESTION = re.compile(r"[？?]|吗|嗎|呢$|什么|什麼|为什么|為什麼|为啥|怎么|怎麼|干嘛|干什么|多少|哪|几岁|能不能|"
                          r"可不可以|行不行|是不是|要不要|如何")
_EN_QUESTION_WORDS = {"why", "what", "how", "can", "could", "do", "does", "did", "is", "are", "will",
                      "would", "should", "which", "who", "where", "when", "may", "whose", "must"}
_ZH_REQUEST = re.compile(r"^(我要|我想|我需要|帮我|請|请|给我|麻烦|能否|我不|不要|先|等|算了|取消|转人工|人工)")
_EN_REQUEST = re.compile(r"^(i want|i'd like|i would like|i need|please|can you|could you|let me|let's|"
                         r"i don't|i'm not|never mind|cancel|stop|talk to|i'll|i will)\b", re.IGNORECASE)
# Words that are never part of a name in English answers.
_EN_NOT_NAME = {"name", "number", "phone", "mobile", "id", "wrong", "is", "the", "my", "her", "his", "it",
                "should", "be", "and", "not", "for", "of", "this", "that", "a", "an", "to", "she", "he",
                "i", "me", "you", "your", "with", "card", "typo", "mistake", "question", "answer", "please"}

_LEAD_INS = re.compile(
    r"^(?:(?:应该是|應該是|正确的是|其实是|其實是|改成|换成|是|叫做?|名字(?:是|叫)?|姓名(?:是|叫)?|老人叫|她叫|他叫|"
    r"她的名字(?:是|叫)|他的名字(?:是|叫)|[她他](?:的|個|个)名(?:字)?(?:是|叫)|我叫|本人叫)[：:\s]*)+"
    r"|^(?:(?:her|his|my|the|their)\s+)?(?:(?:mother'?s?|father'?s?|mom'?s?|mum'?s?|dad'?s?)\s+)?"
    r"(?:full\s+)?name(?:'s|’s|\s+is|\s+should\s+(?:be|read)|:)?\s+"
    r"|^(?:(?:she|he)\s+is\s+called|(?:she|he)'s\s+called|i\s+am|i'm|it's|it\s+is|it\s+should\s+be|"
    r"should\s+be|it\s+should\s+read|called)\s+",
    re.IGNORECASE,
)
_FILLERS = re.compile(r"^(?:actually|in fact|sorry|oops|no wait|wait|really)[,\s]+", re.IGNORECASE)

# The words for enrolling ("给我妈报名" without the relationship leaves 报名, which is never a name), and the
# words that say whom it is for ("给", "帮", "替"), simplified and traditional, used by the readers below.
_ENROLLING = ("报个名", "報個名", "报名", "報名", "参加", "參加", "申请", "申請", "加入", "报", "報")
_ENROLLING_WORD = "(?:" + "|".join(_ENROLLING) + ")"
_FOR_ZH = "(?:给|給|为|為|帮|幫|替)"

# Who the enrollment is for, said with the name: "给李建国报", "帮张桂芬报名", "for Nancy Tang", "Peter Zhou
# please". Chinese needs the word for enrolling (帮我查一下 is a request); English a capitalised name ("for how
# long" is not one).
_FOR_WHOM = re.compile(
    rf"^{_FOR_ZH}\s*(?P<zh>[^\s，,。]+?)\s*{_ENROLLING_WORD}$"
    r"|^(?i:(?:(?:it'?s|it\s+is|this\s+is)\s+)?for\s+)(?P<en>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})(?i:[,\s]+please)?$"
    r"|^(?P<pleased>[A-Z][\w'-]*(?:\s+[A-Z][\w'-]*){0,3})(?i:[,\s]+please)$")


def _for_whom(text: str) -> str:
    """The name in a "for X" answer ("给李建国报" → "李建国", "for Nancy Tang" → "Nancy Tang"), else the text."""
    found = _FOR_WHOM.match(text.strip(" 。.!！"))
    return next(name for name in found.groups() if name) if found else text


ID_LIKE = re.compile(r"(?<![0-9])[0-9][0-9\s\-]{12,24}[0-9Xx](?![0-9])")
PHONE_LIKE = re.compile(r"(?:\+\s*86|0086)?[\s\-]*(?<![0-9])1[3-9][0-9](?:[\s\-]?[0-9]){8}(?![0-9])")
_SEPARATORS = re.compile(r"[，,。;；、\n]|\s+and\s+|\s*\+\s*(?!86)", re.IGNORECASE)
_LABELS = re.compile(
    r"(?:身份证号码|身份证号|身份证|身份證號碼|身份證|证件号|手机号码|手机号|手机|手機號碼|手機|电话号码|电话|電話|联系电话|"
    r"(?:her|his|my|the)?\s*(?:id\s*(?:card)?\s*(?:number)?|mobile(?:\s+number)?|phone(?:\s+number)?|"
    r"number|tel))\s*(?:是|为|:|：|is)?\s*",
    re.IGNORECASE,
)


def normalised(text: str) -> str:
    """The text in one width, with written Cantonese read as Mandarin (佢叫陳秀蘭 → 他叫陳秀蘭: same length,
    names untouched, bot.core.cantonese)."""
    return as_mandarin(unicodedata.normalize("NFKC", text or "").strip())


_ANY_NUMBER = re.compile(r"[0-9]|[零〇一二三四五六七八九幺两]{4,}")


def carries_number(text: str) -> bool:
    """Whether the message holds any number at all: a digit (full-width ones too) or a run of Chinese
    numerals ("幺三九…"). At the ID or phone prompt, a message without one cannot be the answer."""
    return bool(_ANY_NUMBER.search(normalised(text)))


def _bare(text: str) -> str:
    return normalised(text).strip(" 。.!！~～").lower()


# Sounds that say nothing: 啊, 呃, 哎呀呀, "hmm", "uhh", "erm", "ahhh", with or without punctuation or
# emoji. 嗯 and "ok" are left out: families mean yes by them.
_ZH_SOUNDS = "啊阿呃额哎唉呀哇喔噢哦诶欸咦嘿呵哈"
_NOT_WORDS = re.compile(r"[\W_]+")


# Not knowing or not remembering, said instead of the answer: "不知道", "我也不记得了", "名字我不清楚", "dunno".
_DONT_KNOW = re.compile(
    r"^(?:(?:名字|姓名|这个|那个|她的?|他的?|我妈的?|我爸的?)\s*)?(?:我|俺)?(?:也|还|都|真)?(?:不太|不大|不|没)?"
    r"(?:知道|知|清楚|记得|晓得|确定|记不清|记不住|记不起来|想不起来|忘了|忘记了?)(?:了|啊|呀|哦|耶)?$"
    r"|^(?:i\s+)?(?:really\s+)?(?:don'?t|do\s+not|can'?t|cannot)\s+(?:know|remember|recall)(?:\s+(?:it|her\s+name|"
    r"his\s+name|the\s+name))?$|^(?:no\s+(?:idea|clue)|dunno|not\s+a\s+clue|i\s+forget|i\s+forgot|forgot(?:\s+it)?)$",
    re.IGNORECASE)


def does_not_know(text: str) -> bool:
    """Whether a message only says the family does not know or remember ("不知道", "I can't remember")."""
    return bool(_DONT_KNOW.match(to_simplified(_bare(text)).strip(" ，,。.!！?？…")))  # 唔記得 → 不记得


def says_nothing(text: str) -> bool:
    """Whether a message is only sounds or punctuation ("啊", "呃……", "hmm", "uhh?", "???"): no answer,
    no question, no request. 阿, which is also a name's character (阿依古丽), is a sound only on its own or
    repeated (阿, 阿阿), never mixed with other sounds."""
    words = [w for w in _NOT_WORDS.split(normalised(text)) if w]
    if not words:
        return bool(normalised(text))
    return all((all(ch in _ZH_SOUNDS for ch in w) and not (len(w) > 1 and "阿" in w and len(set(w)) > 1))
               or EN_SOUND.fullmatch(w) for w in words)


# -------------------------------------------------------------------------------------- what it is


class NameReading(str, Enum):
    """What a message typed at the name prompt is."""

    NAME = "name"
    QUESTION = "question"
    REQUEST = "request"
    GREETING = "greeting"
    RELATIONSHIP = "relationship"
    YES_NO = "yes_no"
    NOT_A_NAME = "not_a_name"


@dataclass(frozen=True)
class Reading:
    kind: NameReading
    name: Optional[str] = None


# Characters that make 妈 or 爸 another relative (姑妈, 姨妈, 舅妈, 干妈, 大妈, 后妈, 继爸); 亲妈 is her mother.
_OTHER_KIN_BEFORE = "(?<![姑姨舅干乾大伯叔婶嬸继繼后後])"


# Relatives and others the plan does not enrol through this form (read in simplified characters); typed at a
# prompt they are never a name.
_OTHER_PEOPLE = re.compile(
    r"(?:姑妈|姨妈|舅妈|干妈|大妈|后妈|继母|继父|干爸|姑姑|阿姨|舅舅|叔叔|伯伯|大伯|婶婶|奶奶|爷爷|外婆|外公|姥姥|姥爷|"
    r"姐姐|哥哥|弟弟|妹妹|老婆|老公|丈夫|妻子|朋友|邻居|同事|亲戚)$")


def names_other_relative(text: str) -> bool:
    """Whether a short answer names a relative or someone else the plan's relationships do not cover
    ("我姑妈", "给舅舅报名", "我鄰居"): it is not a name, and not a relationship the form can take."""
    bare = re.sub(f"{_ENROLLING_WORD}$", "", to_simplified(_bare(text)))
    bare = re.sub(rf"^(?:{_FOR_ZH}|是|就是)?\s*(?:我的?|我们的?)?", "", bare)
    return bool(_OTHER_PEOPLE.match(bare))


def relationship_span(text: str) -> Optional[tuple[int, int, str]]:
    """Where the first relationship a text names and does not negate stands, and which it is: "how can I
    sign my mum up" → (18, 21, "mother"). The positions are the typed text's (the readings keep its length)."""
    lowered = re.sub(r"(不是|not\s+(?:my\s+)?|instead of\s+(?:my\s+)?)[^，,。.]*",
                     lambda negated: " " * len(negated.group()), normalised(text).lower())
    best: Optional[tuple[int, int, str]] = None
    for word, relationship in _RELATIONSHIP_WORDS:
        if word.isascii():
            pattern = rf"\b{re.escape(word)}\b"
        else:  # 姑妈, 舅妈, 干爸 are other relatives, not 妈 or 爸
            pattern = (_OTHER_KIN_BEFORE if len(word) == 1 else "") + re.escape(word)
        found = re.search(pattern, lowered)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), found.end(), relationship)
    return best


def relationship_in(text: str) -> Optional[str]:
    """The relationship a text names ("给我妈", "my mother-in-law"), the first not negated, or None."""
    found = relationship_span(text)
    return found[2] if found else None


RELATIONSHIPS = frozenset(relationship for _, relationship in _RELATIONSHIP_WORDS)
# The words for a mother or a father, longest first (simplified and traditional, Chinese and English).
PARENT_WORDS = tuple(word for word, relationship in _RELATIONSHIP_WORDS if relationship in ("mother", "father"))
ENROLLING = _ENROLLING


_SPAN_PREFIX = re.compile(r"^(?:给|給|为|為|帮|幫|替|是|就是|for|it's for)?\s*(?:我的?|my\s+)?", re.IGNORECASE)


def relationship_value(value: str) -> Optional[str]:
    """A relationship entity's plan value: already one ("mother"), or the span the model marked minus the
    words before the relationship ("替爸爸", "给我婆婆" → "father", "mother_in_law"); None when what is left
    is not a relationship word (姑妈 is an aunt, not 妈)."""
    if value in RELATIONSHIPS:
        return value
    bare = _SPAN_PREFIX.sub("", normalised(value).lower()).strip()
    return dict(_RELATIONSHIP_WORDS).get(bare)


def _is_relationship_only(text: str) -> bool:
    bare = re.sub(r"^(?:给|為|为|帮|替|是|就是|for|it's for|it is for)\s*", "", _bare(text))
    bare = re.sub(r"^(?:我的?|my\s+)", "", bare).strip()
    bare = re.sub(r"^(?:我的?|my\s+)", "", bare).strip()
    return bare in {word for word, _ in _RELATIONSHIP_WORDS} or bare in {"我", "me", "i"}


def _strip_relationship_prefix(text: str) -> str:
    """"我妈王秀英" → "王秀英", "my mother-in-law Susan Wu" → "Susan Wu"."""
    stripped = re.sub(r"^(?:给|為|为|帮|替|for)?\s*(?:我的?|my\s+|it's\s+for\s+my\s+)?", "", text, flags=re.I)
    for word, _ in _RELATIONSHIP_WORDS:
        if stripped.lower().startswith(word) and len(stripped) > len(word):
            rest = stripped[len(word):]
            if word.isascii() and not rest[:1].isspace() and rest[:1] not in (",", ":"):
                continue
            return re.sub(r"^[\s,:：]*(?:is\s+)?", "", rest, flags=re.I)
    return text


def _is_question(text: str) -> bool:
    if _ZH_QUESTION.search(text):
        return True
    words = text.split()
    if words and words[0].lower().strip(",") in _EN_QUESTION_WORDS:
        # "Will Cover" is a name; "will my number do" is a question.
        return not all(word[:1].isupper() for word in words) or len(words) > 4
    return False


def plausible_name(text: str, strict: bool = False) -> Optional[str]:
    """`text` as a name if it can be one (a checked name of a sensible length), else None. `strict`
    (used where a name is only one part of a longer message) also wants English names capitalised."""
    text = _FILLERS.sub("", normalised(text)).strip(" 。.!！")
    if not text or any(ch.isdigit() for ch in text):
        return None
    try:
        name = validate_name(text)
    except IdentityError:
        return None
    han = len(re.findall(r"[\u3400-\u9fff]", name))
    latin_words = re.findall(r"[A-Za-z\u00c0-\u024f'-]+", name)
    if han and latin_words:
        return None
    if han:
        if "·" not in name and not 2 <= han <= 5:
            return None
    else:
        if not 1 <= len(latin_words) <= 4 or any(w.lower() in _EN_NOT_NAME for w in latin_words):
            return None
        if any(len(w) > 2 and not VOWEL.search(w) for w in latin_words):
            return None  # "qwzxv": a slip of the keyboard, not a name ("Ng" is one)
        if strict and not all(w[:1].isupper() for w in latin_words):
            return None
    return name


def read_name_answer(text: str) -> Reading:
    """What `text`, typed where the member's name is asked, is: the name itself unless it is clearly
    something else (a question, a request, a greeting, the relationship, a yes or no)."""
    text = normalised(text)
    bare = _bare(text)
    if not bare or says_nothing(text) or does_not_know(text):
        return Reading(NameReading.NOT_A_NAME)
    parts = [p.strip() for p in re.split(r"[，,。.!！\s]+", bare) if p.strip()]
    if bare in _GREETINGS or (parts and all(p in _GREETINGS for p in parts)):
        return Reading(NameReading.GREETING)
    if _is_question(text):
        return Reading(NameReading.QUESTION)
    if bare in _YES_NO:
        return Reading(NameReading.YES_NO)
    if _is_relationship_only(text) or names_other_relative(text):
        return Reading(NameReading.RELATIONSHIP)
    if _ZH_REQUEST.search(text) or _EN_REQUEST.search(text) or bare in _ENROLLING:
        return Reading(NameReading.REQUEST)
    candidate = _LEAD_INS.sub("", text.rstrip("。.!！"), count=1).strip()
    candidate = _for_whom(_strip_relationship_prefix(candidate))
    candidate = _LEAD_INS.sub("", candidate, count=1).strip()
    if _is_relationship_only(candidate) or names_other_relative(candidate):  # 幫我老豆報名: who, not a name
        return Reading(NameReading.RELATIONSHIP)
    name = plausible_name(candidate)
    if name:
        return Reading(NameReading.NAME, name)
    return Reading(NameReading.NOT_A_NAME)


# ------------------------------------------------------------------------------- several answers


def read_answers(text: str) -> Dict[str, str]:
    """The raw answers one message holds: relationship, member_name, id_number, phone (each only if
    there). The values still have to pass their checks."""
    text = normalised(text)
    found: Dict[str, str] = {}
    rest = text
    id_match = ID_LIKE.search(rest)
    if id_match and len(re.sub(r"[\s\-]", "", id_match.group(0))) >= 15:
        found["id_number"] = id_match.group(0)
        rest = rest[:id_match.start()] + " , " + rest[id_match.end():]
    phone_match = PHONE_LIKE.search(rest)
    if phone_match:
        found["phone"] = phone_match.group(0)
        rest = rest[:phone_match.start()] + " , " + rest[phone_match.end():]
    relationship = relationship_in(rest)
    if relationship:
        found["relationship"] = relationship
    for segment in _SEPARATORS.split(rest):
        segment = _LABELS.sub("", segment.strip()).strip(" :：")
        if not segment or _is_relationship_only(segment) or re.match(r"^(不是|not)\b", segment, re.I):
            continue
        lead_in = bool(_LEAD_INS.match(segment)) or bool(_LEAD_INS.match(_strip_relationship_prefix(segment)))
        candidate = _strip_relationship_prefix(_LEAD_INS.sub("", segment, count=1).strip())
        candidate = _for_whom(_LEAD_INS.sub("", candidate, count=1).strip())
        name = plausible_name(candidate, strict=not lead_in)
        if name and read_name_answer(candidate).kind is NameReading.NAME:
            found["member_name"] = name
            break
    return found


# ----------------------------------------------------------------------------------- corrections

_ORDINALS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "first": 1, "second": 2,
             "third": 3, "fourth": 4, "fifth": 5, "sixth": 6}
_QUESTION_NUMBER = re.compile(r"第\s*([1-6一二两三四五六])\s*(?:个|道|题|個|題)?|question\s*([1-6])\b|"
                              r"\b(first|second|third|fourth|fifth|sixth)\s+(?:health\s+)?(?:question|one)",
                              re.IGNORECASE)
_PREVIOUS = re.compile(r"上一[题个道題個]|刚才那[个题道]|前面那|上个问题|last one|previous|that last|the last",
                       re.IGNORECASE)
_SCREENING_WORDS = re.compile(r"健康|问题|问|题|題|question|health|answer|选错|点错|答错|clicked|button",
                              re.IGNORECASE)


@dataclass(frozen=True)
class Correction:
    """What a correction changes: the answer key (a screening question's number is resolved by the
    caller), and the new raw value if the message carries one."""

    field: Optional[str]
    value: Optional[str] = None
    question: Optional[int] = None        # 1-6 for a screening answer; None = the previous one


def screening_value_in(text: str) -> Optional[str]:
    """yes / no / not_sure as a corrected health answer states it ("应该是没有", "it should be not sure")."""
    lowered = normalised(text).lower()
    if re.search(r"不确定|不清楚|说不准|不太确定|not sure|unsure|don't know|not certain", lowered):
        return "not_sure"
    tail = re.split(r"应该是|应该选|其实是|其实|改成|换成|should be|answer is|actually|it's|it is", lowered)[-1]
    for scope in (tail, lowered):
        if re.search(r"没有|没|沒有|从来|\bno\b|never|hasn't|hadn't|didn't|wasn't|isn't", scope):
            return "no"
        if re.search(r"有|做过|得过|查出|\byes\b|\bhad\b|\bdid\b|\bhas\b|\bwas\b", scope):
            return "yes"
    return None


def read_correction(text: str, field_entity: Optional[str] = None) -> Correction:
    """Which answer a correction changes and, when it came with it, the new value."""
    text = normalised(text)
    answers = read_answers(text)
    field = field_entity if field_entity in ("member_name", "id_number", "phone", "relationship") else None
    if field_entity == "screening":
        field = "screening"
    # Any other entity value ("mobile", "号码") is read from the words around it, like no entity at all.
    if field is None:
        if "id_number" in answers and not re.search(r"手机|电话|phone|mobile", text, re.I):
            field = "id_number"
        elif "phone" in answers:
            field = "phone"
        elif re.search(r"名字|姓名|叫|name|called|spell", text, re.I):
            field = "member_name"
        elif re.search(r"身份证|证件|\bID\b", text):
            field = "id_number"
        elif re.search(r"手机|电话|phone|mobile|number", text, re.I):
            field = "phone"
        elif "relationship" in answers or re.search(r"关系|relationship|enroll", text, re.I):
            field = "relationship"
        elif _SCREENING_WORDS.search(text) or _QUESTION_NUMBER.search(text) or _PREVIOUS.search(text):
            field = "screening"
    if field == "screening":
        number = None
        found = _QUESTION_NUMBER.search(text)
        if found:
            token = next(g for g in found.groups() if g)
            number = int(token) if token.isdigit() else _ORDINALS.get(token.lower())
        return Correction("screening", screening_value_in(text), number)
    value = None
    if field == "member_name":
        value = _corrected_name(text)
    elif field in ("id_number", "phone", "relationship"):
        value = answers.get(field)
    return Correction(field, value)


_CORRECTION_WORDS = re.compile(
    r"错|錯|不对|不對|改一下|改成|更正|应该是|應該是|其实是|不是.{0,8}是|wrong|mistake|typo|should be|should read|"
    r"correction|no wait|actually|misspel|i meant|not my", re.IGNORECASE)


def says_correction(text: str) -> bool:
    """Whether a message says an earlier answer was wrong ("刚才手机号输错了", "No wait, ...")."""
    return bool(_CORRECTION_WORDS.search(normalised(text)))


def _corrected_name(text: str) -> Optional[str]:
    """The new name in "不对，她叫李桂兰，不是王秀英" or "No wait, her name is Grace Li"."""
    for segment in _SEPARATORS.split(text):
        segment = _FILLERS.sub("", segment.strip()).strip()
        if not segment or re.match(r"^(不是|not\b)", segment, re.I):
            continue
        segment = re.sub(r"\s*(?:,\s*)?(?:不是|not)\s+.*$", "", segment)
        had_lead_in = bool(_LEAD_INS.match(segment))
        candidate = _LEAD_INS.sub("", segment, count=1).strip()
        candidate = _FILLERS.sub("", candidate).strip()
        candidate = re.sub(r"^(?:actually|really)\s+", "", candidate, flags=re.I)
        if re.search(r"错|對|对|改|名字|姓名|\bname\b|wrong|typo", candidate, re.I):
            continue
        name = plausible_name(candidate, strict=not had_lead_in)
        if name and read_name_answer(candidate).kind is NameReading.NAME:
            return name
    return None
