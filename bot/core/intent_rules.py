"""Readings of a message that a rule gets right where the statistical model guesses (issue 13).

- A sign-up request that states an age outside the plan's window ("my father is 73, can he still sign
  up", "我想给我爸报名，他今年75") is an age-limit question: the family is told the age limit before an
  enrollment starts, instead of being walked through a form that can only end in a refusal.
- "Why do you need her ID number?" asks why a question is asked, not what happens to the data: it gets
  the reason for the question (the plan checks the age from the ID), not the privacy answer.
- A message the model is unsure of ("填她的电话是要做什么", "the card is in my dad's drawer, I'll carry on
  tonight"), with no number in it, whose next-best readings include one of the form's own requests
  (why a question is asked, doing it later) is taken as that request: in the middle of a form it is far
  likelier than anything else the model half-saw, and the answer to it costs the family nothing.
- "身份证号非填不可吗", "do you really have to have her ID number" asks whether a question must be answered:
  the same answer as why it is asked.
- Another document offered instead of the ID ("护照号码行不行", "all she has is a residence permit"), and a
  parent who cannot take calls ("我爸从来不接电话", "my dad never answers his phone", "我妈耳背"), with no number in the
  message, are the questions about the form they are (which document; whose phone), not an answer, a
  no or a correction.
- A message of sounds only ("啊", "呃", "hmm": bot.core.answers.says_nothing) is read as nothing, never
  as the plan question the model once gave "啊" at full confidence.
- A message holding an ID number or a phone and another answer, with no word of correction and no
  question in it ("mother, Rose Bill, 13698765432"), gives answers: it is not a correction nor a plan
  question, whatever the model made of it.
- A message made only of a request, a mother or a father, and a word for joining ("可以帮我爸登记一下吗",
  "點樣同我阿爸報名", "how can I sign my mum up", "can you help me put my dad on the plan") asks to enroll
  that parent. Anything more (what it costs, when cover starts, an age, an in-law, 了) makes it another
  question, left to the model.
- A message made only of plain yes words ("没错，是这样", "对对对", "係啊，冇錯", "spot on", "uh huh") or only of
  plain no words ("一次都没有", "唔係", "nah") is that yes or no: at a consent or a screening question a yes
  read as a no (没毛病: 没 is not "no" here) or a no read as a yes would record the opposite of what was meant.
  A message with both ("是的，没有") or anything else is left to the model.
- An answer to a health question said as a sentence (bot.core.intent_rules.health_answer: "她从来没做过化疗放疗",
  "我爸肺上有个结节，还没确诊", "she did have radiotherapy in 2019") is the yes, no or not sure it says; one that
  says yes in one part and no in another is not sure, so that a person decides rather than a "no" being
  recorded for a parent whose family said something was there. A finding, a sign or a treatment named
  with no negation says yes by itself ("她的肿瘤标志物偏高", "he's been losing weight"); a message that asks to
  join is not an answer to a health question.
- A sign-up that asks what it costs ("给我爸报名要交多少钱", "how much is it to sign my dad up") asks the
  cost, not to start: it gets the cost answer (joining is free, then at most the case cap per case).

Pure text rules, no Rasa: bot.rasa.nlu.intent_rules applies them to the model's reading.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional, Tuple

from bot.core.answers import (ENROLLING, ID_LIKE, PARENT_WORDS, PHONE_LIKE, carries_number, normalised, read_answers,
                              says_correction)
from bot.core.cantonese import as_mandarin
from bot.core.chinese_script import to_simplified

_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_ZH_NUMBER = r"[一二两三四五六七八九]?十[一二三四五六七八九]?"
# An age in Chinese: "72岁", "七十二了", "今年75", "75周岁"; in English: "72 years old", "72-year-old",
# "aged 72", "is 72", "he's 72", "at 72", "turned 72", or a two-digit number standing on its own.
_ZH_AGE = re.compile(rf"(?<![0-9])([0-9]{{2,3}}|{_ZH_NUMBER})(?![0-9])\s*(?:周岁|岁|了|歲|週歲|还|還)"
                     rf"|(?:今年|已经|快|满|年纪|年龄)\s*([0-9]{{2,3}}|{_ZH_NUMBER})(?![0-9])"
                     rf"|([0-9]{{2,3}}|{_ZH_NUMBER})(?![0-9])\s*[，,。？?！!]?$"
                     # a bare number, not of days, money, months or a count: "我自己58，能参加吗"
                     r"|(?<![0-9])([0-9]{2,3})(?![0-9])(?!\s*(?:天|日|元|块|塊|万|萬|%|个|個|月|年|次|号|號|位|分|期))")
_EN_AGE = re.compile(r"(?<![0-9.])([0-9]{2,3})(?![0-9.])\s*(?:-|\s)?(?:years?|yrs?|yo\b)"
                     r"|\b(?:aged|age|is|'s|am|turned|turns|turning|at|be)\s+([0-9]{2,3})(?![0-9.])", re.IGNORECASE)
# Words of joining: a stated age matters only in a request to join.
_JOINING = re.compile(r"报名|報名|参加|參加|加入|参保|入会|入會|报个名|報個名|能报|能報|可以报|可以報|还能报|给他报|给她报|"
                      r"join|sign\b[\w\s]{0,20}?\bup\b|enrol|register|eligible|allowed|qualify|get in|"
                      r"too old|too young|upper age|age limit|how old", re.IGNORECASE)
_WHY = re.compile(r"为什么|為什麼|为啥|為啥|干嘛|幹嘛|干啥|幹啥|干什么|幹什麼|做什么用|做什麼用|有什么用|有什麼用|"
                  r"是为了什么|图什么|拿来干|\bwhy\b|\bhow come\b|what(?:\s+is|\s+are|'s)\s+(?:the|her|his|my)?\s*"
                  r"(?:id|phone|mobile|number|name)[\w\s]*\bfor\b|\bfor what\b|what do you (?:need|want|use) "
                  r"(?:the|her|his|my|it|this|that)?\s*[\w\s]*\bfor\b", re.IGNORECASE)
_FORM_FIELDS = re.compile(r"身份证|身份證|证件|證件|手机|手機|电话|電話|号码|號碼|名字|姓名|关系|關係|"
                          r"\bid\b|\bphone\b|\bmobile\b|\bnumber\b|\bname\b", re.IGNORECASE)


# Whether a question must be answered at all: "非填不可吗", "不填不行吗", "可以不给吗", "do you really need", "must I
# give"; not "写我的可以不" (may I write mine) nor "一定要是本人的吗" (must it be hers).
_GIVE = r"(?:填|给|留|提供|写|报)"
_REQUIRED = re.compile(rf"非填不可|非得{_GIVE}|一定要{_GIVE}|必须{_GIVE}|非要{_GIVE}|不{_GIVE}.{{0,6}}(?:行|可以|能)|"
                       rf"(?:能不能|可以|可不可以|能)不{_GIVE}|有必要|"
                       r"\breally\s+(?:need|have\s+to|necessary|required)|\b(?:must|do|have)\s+(?:i|we)\s+"
                       r"(?:give|have\s+to|need\s+to|really)|\bhave to (?:give|have|put)|\b(?:necessary|required|"
                       r"compulsory|mandatory|optional)\b|\bskip\b|\bleave\b[\w\s]{0,24}\bout\b|"
                       r"\bwithout\s+(?:giving|an?|the|her|his)\b", re.IGNORECASE)
# Documents a family may offer instead of the mainland resident ID card.
_OTHER_DOCUMENTS = re.compile(r"护照|户口|回乡证|台胞证|通行证|驾照|驾驶证|社保卡|医保卡|居住证|居留证|军官证|出生证|老年证|"
                              r"(?:香港|澳门|台湾)(?:居民|永久性居民)?身份证|"
                              r"\b(?:hong\s+kong|hk|macau|macao|taiwan(?:ese)?)\b[\w\s]{0,16}\b(?:card|permit|pass)\b|"
                              r"\bpassport|\bdriv(?:ing|er'?s)\s+licen[cs]e|\blicen[cs]e\b|\bresidence\s+permit|"
                              r"\bhousehold\s+regist|\bhukou\b|\bsocial\s+security\s+card|\bbirth\s+certificate|"
                              r"\bhome\s+return\s+permit|\bgreen\s+card", re.IGNORECASE)
# A parent who cannot take calls: the phone word and the trouble.
_PHONE = re.compile(r"电话|手机|\bphones?\b|\bmobile\b|\bcalls?\b|\bcell\b|\bring\b", re.IGNORECASE)
# One's own number offered instead ("留我的号码行吗", "can I leave my number", "ring me instead").
_OWN_NUMBER = re.compile(r"我的|我自己|打给我|\b(?:my|my\s+own)\s+(?:phone\s+|mobile\s+)?number\b|\bmine\b|"
                         r"\b(?:call|ring|phone|text|contact)\s+me\b", re.IGNORECASE)
_PHONE_TROUBLE = re.compile(r"耳背|耳聋|耳朵不好|听力不好|助听器|"
                            r"不接|没人接|接不了|接不到|不会用|不会接|不会打|关机|打不通|没信号|停机|没电|静音|听不见|听不清|不用手机|没有手机|没手机|"
                            r"\bhard\s+of\s+hearing\b|\bdeaf\b|\bhearing\s+aid|"
                            r"\b(?:always|usually|often|mostly|never)\s+(?:off|dead|flat|on\s+silent)\b|"
                            r"\bnever\s+(?:answers|picks|takes|uses)|\b(?:doesn'?t|does\s+not|won'?t|can'?t|cannot|"
                            r"rarely|hardly\s+ever)\s+(?:answer|pick|take|use|work|hear|handle)|\bswitched\s+off|"
                            r"\bturned\s+off|\bno\s+signal|\bout\s+of\s+(?:battery|service)", re.IGNORECASE)


_QUESTION = re.compile(r"[?？]|吗|呢|么|怎|什么|如何|多少|哪|能不能|可不可以|是不是|有没有|"
                       r"^\s*(?:how|what|when|where|which|who|why|can|could|will|would|do|does|did|is|are|"
                       r"should|may)\b", re.IGNORECASE)


def is_a_question(text: str) -> bool:
    """Whether a message asks something ("手机打不通怎么申请", "can I ..."), rather than tells it. Not
    bot.core.answers' question check, which is for a name prompt and takes "Will Cover" for a name."""
    return bool(_QUESTION.search(normalised(text)))


def _answers_nothing(text: str) -> bool:
    """No ID number and no phone in the message: it cannot be the answer to the ID or phone question."""
    text = normalised(text)
    return not (ID_LIKE.search(text) or PHONE_LIKE.search(text))


def offers_another_document(text: str) -> bool:
    """"护照号码行不行", "she only has a residence permit": a document other than the ID card, no number."""
    return _answers_nothing(text) and bool(_OTHER_DOCUMENTS.search(normalised(text)))


def tells_phone_trouble(text: str) -> bool:
    """"我爸从来不接电话", "mum's phone is switched off most of the time", "dad is hard of hearing, can I leave
    my number": the parent cannot take calls (a hearing trouble counts as a phone word with one's own number)."""
    text = normalised(text)
    phone = _PHONE.search(text) or _OWN_NUMBER.search(text)
    return not carries_number(text) and bool(phone and _PHONE_TROUBLE.search(text))


def offers_own_number(text: str) -> bool:
    """"留我的号码行吗", "can I leave my number instead", "ring me instead": one's own number offered."""
    return bool(_OWN_NUMBER.search(normalised(text)))


def mentions_phone(text: str) -> bool:
    """Whether the message speaks of a phone or calls at all."""
    return bool(_PHONE.search(normalised(text)))


# The words a request to enroll a parent is made of, besides the parent and the joining word: asking
# (请问, 麻烦, 可以, 能不能, 怎样), for whom (帮, 给, 替, 同), and particles. Read in simplified Mandarin.
_ZH_JOINING = (*ENROLLING, "登记", "办理", "办", "入会", "参保")
_ZH_REQUEST_WORDS = ("请问", "请", "麻烦你", "麻烦", "可以", "可不可以", "能不能", "能否", "能", "我想", "我要", "想要",
                     "想", "要", "怎么", "怎样", "如何", "帮忙", "帮", "给", "替", "同", "为", "我", "的", "你们", "你",
                     "您", "一下", "下", "行不行", "行吗", "好吗", "好不好", "吗", "呀", "啊", "呢", "吧", "嘛", "哦")
_ZH_ENROLL_PARTS = re.compile("|".join(sorted((*_ZH_JOINING, *_ZH_REQUEST_WORDS, *PARENT_WORDS), key=len, reverse=True)))
_ZH_ENROLL_PARENT = re.compile("|".join(word for word in PARENT_WORDS if not word.isascii()))
_ZH_ENROLL_JOIN = re.compile("|".join(_ZH_JOINING))
_EN_PARENTS = {word for word in PARENT_WORDS if word.isascii()} | {"parents", "parent"}
_EN_JOINING = {"sign", "signing", "register", "registering", "enroll", "enrol", "enrolling", "join", "joining",
               "put", "putting", "add", "adding", "apply"}
_EN_JOINED = {"enrolled", "registered", "signed", "added"}  # only after "get": "is my dad enrolled" asks a status
_EN_REQUEST_WORDS = {"how", "can", "could", "would", "will", "i", "you", "please", "me", "help", "to", "do", "what",
                     "is", "it", "possible", "we", "my", "for", "want", "like", "i'd", "let", "the", "a", "up", "on",
                     "in", "plan", "today", "now", "go", "about", "may", "get", "getting", "this", "there", "way",
                     "hi", "hello", "thanks", "ok", "okay"}
_EN_WORD = re.compile(r"[a-z][a-z'-]*")


def asks_to_enroll_a_parent(text: str) -> bool:
    """"可以帮我爸登记一下吗", "點樣同我阿爸報名", "how can I sign my mum up", "what do I do to get my mother
    enrolled": nothing in the message but a request to enroll a mother or a father."""
    text = normalised(text)
    if carries_number(text):
        return False
    lowered = text.lower()
    words = _EN_WORD.findall(lowered)
    if words and not re.search(r"[\u4e00-\u9fff]", text):
        joining = _EN_JOINING | (_EN_JOINED if {"get", "getting"} & set(words) else set())
        return (bool(_EN_PARENTS & set(words)) and bool(joining & set(words))
                and all(word in _EN_REQUEST_WORDS | _EN_PARENTS | joining for word in words))
    simplified = re.sub(r"[\W_]+", "", to_simplified(text))
    return (bool(_ZH_ENROLL_PARENT.search(simplified)) and bool(_ZH_ENROLL_JOIN.search(simplified))
            and not _ZH_ENROLL_PARTS.sub("", simplified))


_COST = re.compile(r"多少钱|多少錢|交多少|付多少|花多少|出多少|费用|費用|收费|收費|要钱|要錢|交钱|交錢|收钱|收錢|贵不贵|貴不貴|"
                   r"几多钱|幾多錢|免费|免費|\bhow\s+much\b|\bcosts?\b|\bfees?\b|\bprice\b|\bfree\b|"
                   r"\bexpensive\b", re.IGNORECASE)


def asks_what_it_costs(text: str) -> bool:
    """"给我爸报名要交多少钱", "how much is it to sign my dad up": a sign-up that asks what it costs."""
    text = normalised(text)
    return bool(_COST.search(text)) and bool(_JOINING.search(text) or _EN_JOINING & set(_EN_WORD.findall(text.lower())))


# Whole yes and no words, read in simplified Mandarin (冇錯 → 没错 through the Cantonese table); a "no"
# character inside a yes idiom (没错, 没毛病: nothing wrong) is matched as the idiom, longest first. 好, 行,
# 可以 and "ok" are left out: after a plan answer they are thanks, not a yes.
_ZH_YES = ("是", "是的", "对", "对的", "没错", "没有错", "没问题", "没毛病", "正确", "确实", "当然", "就是", "就是这样",
           "是这样", "一点没错", "都对", "都没错", "嗯", "确认", "有", "有的", "有过", "得过")
_ZH_NO = ("不", "不是", "不对", "没有", "没", "从来没有", "从没有过", "从来没得过", "没得过", "一次都没有", "都没有",
          "从来没有过", "冇", "无")
_ZH_NEUTRAL = ("啊", "呀", "的", "啦", "吧", "哦", "喔", "嘛", "哈", "呢", "了", "呐", "哇")
_EN_YES = {"yes", "yeah", "yep", "yup", "ya", "yea", "sure", "of course", "correct", "right", "that's right",
           "that is right", "exactly", "absolutely", "spot on", "uh huh", "uh-huh", "mhm", "mm hmm", "indeed",
           "definitely", "certainly", "that's it", "that's correct", "yes it is", "affirmative", "true"}
_EN_NO = {"no", "nope", "nah", "never", "not at all", "not once", "negative", "no way", "none", "not really",
          "no never", "never ever", "false"}
_YES_NO_PART = re.compile("|".join(sorted((*_ZH_YES, *_ZH_NO, *_ZH_NEUTRAL), key=len, reverse=True)))
_CHUNKS = re.compile(r"[，,。.!！?？~～;；、\s]+")


def plain_yes_or_no(text: str) -> Optional[str]:
    """"affirm" for a message made only of yes words ("没错，是这样", "spot on"), "deny" for one made only of no
    words ("一次都没有", "nah"), None for a mixed one ("是的，没有") or anything else."""
    text = to_simplified(normalised(text)).lower()
    if carries_number(text):
        return None
    polarities = set()
    if re.search(r"[\u4e00-\u9fff]", text):
        bare = _CHUNKS.sub("", text)
        if not bare or _YES_NO_PART.sub("", bare):
            return None
        for part in _YES_NO_PART.findall(bare):
            polarities |= {"affirm"} if part in _ZH_YES else {"deny"} if part in _ZH_NO else set()
    else:
        for chunk in re.split(r"\s*[,.!;]+\s*", text.strip(" .!")):
            chunk = re.sub(r"\s+", " ", chunk).strip()
            if chunk in _EN_YES:
                polarities.add("affirm")
            elif chunk in _EN_NO:
                polarities.add("deny")
            else:
                return None
    return polarities.pop() if len(polarities) == 1 else None


def gives_several_answers(text: str) -> bool:
    """"老人 郑玉兰 / 510104196409200488 / 18612345678", "mother, Rose Bill, 13698765432": an ID number or a
    phone with at least one other answer, said as answers (not as a correction, not as a question)."""
    if _answers_nothing(text) or says_correction(text) or is_a_question(text):
        return False
    return len(read_answers(normalised(text))) >= 2


def _zh_number(word: str) -> int:
    if word.isdigit():
        return int(word)
    tens, _, units = word.partition("十")
    return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(units, 0)


def stated_age(text: str) -> Optional[int]:
    """The age a message states (40 to 120), or None; never a digit of an ID or phone number."""
    text = normalised(text)
    if ID_LIKE.search(text) or PHONE_LIKE.search(text):
        return None
    for pattern in (_ZH_AGE, _EN_AGE):
        for match in pattern.finditer(text):
            word = next(group for group in match.groups() if group)
            age = _zh_number(word)
            if 40 <= age <= 120:
                return age
    return None


def asks_to_join_at_age_outside(text: str, age_min: int, age_max: int) -> bool:
    """Whether the message asks to join (or enroll someone) and states an age the plan does not take."""
    age = stated_age(text)
    return age is not None and not age_min <= age <= age_max and bool(_JOINING.search(normalised(text)))


def asks_if_a_field_is_required(text: str) -> bool:
    """"身份证号非填不可吗", "can I leave her ID number out": whether a question of the form must be answered."""
    text = normalised(text)
    return _answers_nothing(text) and bool(_FORM_FIELDS.search(text) and _REQUIRED.search(text))


def asks_why_a_field_is_needed(text: str) -> bool:
    """"为什么要身份证号", "why do you need her ID number", "what's the phone number for", and whether it is
    needed at all: "身份证号非填不可吗", "do you really have to have her ID number"."""
    text = normalised(text)
    return _answers_nothing(text) and bool(_FORM_FIELDS.search(text) and (_WHY.search(text) or _REQUIRED.search(text)))


# The form's own requests, which a family makes in the middle of it; the rules answer each and the form
# goes on (or pauses). Plan questions (faq) are not among them: a half-read plan question is better asked
# again than answered with the wrong topic.
FORM_REQUESTS = ("ask_why_asked", "pause_enrollment")
FALLBACK_INTENT = "nlu_fallback"  # what the model reads a message it cannot read as
# How far down and how weakly a form request may stand in the ranking to be taken.
_WITHIN = 2
_AT_LEAST = 0.25


def form_request_behind(text: str, ranking: Iterable[Tuple[str, float]]) -> Optional[str]:
    """The form request a message the model could not read most likely is, or None.

    `ranking` is the classifier's intent ranking (name, confidence), best first; the fallback's own entry
    is skipped. A request counts when it is among the two best readings with at least a quarter of the
    confidence; a message with a number in it is an answer, never a request."""
    if carries_number(text):
        return None
    readings = [(name, confidence) for name, confidence in ranking if name != FALLBACK_INTENT][:_WITHIN]
    requests = [(confidence, name) for name, confidence in readings
                if name in FORM_REQUESTS and confidence >= _AT_LEAST]
    return max(requests)[1] if requests else None


# ----------------------------------------------------------------------- health answers as sentences

# What a health question is about, and words that point back at the question ("这些", "anything like that").
_HEALTH_ZH = re.compile(r"癌|瘤|结节|肿块|包块|化疗|放疗|靶向|免疫治疗|移植|活检|检查|体检|复查|报告|结果|确诊|诊断|病变|增生|"
                        r"出血|便血|尿血|带血|咯血|咳血|瘦|体重|淋巴|手术|开刀|住院|病|身体|健康|这些|这种|这个|这样|这类|以上|"
                        r"硬块|阴影|偏高|异常|阳性|标志物")
_HEALTH_EN = re.compile(r"cancer|tumou?r|lump|nodule|growth|chemo|radiotherapy|radiation|transplant|biopsy|\btests?\b|"
                        r"scan|check-?ups?|diagnos|bleed|blood|weight|lymph|surgery|operation|hospital|healthy|\bill\b|"
                        r"sick|treatment|illness|disease|health|like that|any of (?:these|those|that)|anything|"
                        r"leuka?emia|lymphoma|melanoma|sarcoma|shadow|abnormal|elevated|treated", re.IGNORECASE)
# A finding, a sign or a treatment itself: named in a clause without any negation or word of being well
# ("她的肿瘤标志物偏高", "我爸最近瘦了十多斤", "the doctor wants her to get a scan for a lump"), it says yes even
# without a verb of having (有, 做过, "had"). Words of the checks only (体检, 检查, "tests", 身体) do not.
_FINDING_ZH = re.compile(r"癌|瘤|结节|肿块|包块|硬块|阴影|化疗|放疗|靶向|移植|活检|出血|便血|尿血|带血|咯血|咳血|瘦了|消瘦|"
                         r"偏高|异常|阳性|病变|增生")
_FINDING_EN = re.compile(r"cancer|tumou?r|lump|nodule|growth|chemo|radiotherapy|radiation|transplant|biopsy|bleed|"
                         r"blood|(?:losing|lost|losing some|lost some) weight|weight loss|leuka?emia|lymphoma|melanoma|"
                         r"sarcoma|shadow|abnormal|elevated|\btreated\b", re.IGNORECASE)
_NOT_SURE = re.compile(r"不知道|不清楚|不确定|不太确定|不记得|记不清|记不得|说不准|说不好|得问问|要问问|问一下她|问一下他|"
                       r"问.{1,4}才知道|问过.{1,4}才|问了才|"
                       r"check with (?:him|her|them|my)|ask (?:him|her|them|my)|keeps? [\w\s]{0,20}to (?:him|her)self|"
                       r"not sure|unsure|don't know|do not know|no idea|have to ask|need to ask|not certain|"
                       r"can't remember|don't remember|can't recall", re.IGNORECASE)
# A result still awaited is a "yes" to the question about it (查出结节还没确诊; waiting for a biopsy) ...
_PENDING = re.compile(r"还没确诊|还没确认|还没出结果|结果还没出|还没定|还在查|还在检查|在等|等着|等紧|等.?报告|等.?结果|待查|待确诊|"
                      r"still (?:checking|being checked|waiting|testing)|waiting for|awaiting|not (?:yet )?confirmed|"
                      r"(?:they|doctors?) are (?:still )?checking", re.IGNORECASE)
# ... unless the waiting itself is denied.
_NOT_PENDING = re.compile(r"(?:没|没有|不)在等|没等|没有等|(?:is|are|was)n't waiting|not waiting|no (?:tests?|results?) pending",
                          re.IGNORECASE)
# No: a negation, or the parent said to be well.
_NO_ZH = re.compile(r"没|无|未|从不|不曾|正常|挺好|很好|健康|良性")
_NO_EN = re.compile(r"\bno\b|\bnot\b|n't\b|\bnever\b|\bnone\b|\bnothing\b|\bnormal\b|\bhealthy\b|\bfine\b|\bclear\b",
                    re.IGNORECASE)
# Yes: having had or having something. A negated one ("没得过", "hasn't had") is not a yes: the negation and
# the few characters or words after it are taken out before these are looked for.
_YES_ZH = re.compile(r"有|得过|得了|查出|做过|做了|确诊|患|发现|长了|切过|切了|开过")
_YES_EN = re.compile(r"\byes\b|\bdid\b|diagnosed|\bfound\b|\bgot\b|\bhad\b|\bhas\b(?!\s+(?:all\s+)?been)|"
                     r"\bhave\b(?!\s+(?:all\s+)?been)|\bshe's had\b|\bhe's had\b", re.IGNORECASE)
_NEGATED_ZH = re.compile(r"(?:没|無|无|未|从不|不曾|不)[^，,。；;]{0,3}")
_NEGATED_EN = re.compile(r"(?:\b(?:has|have|had|is|was|does|did)\s+)?(?:\bno\b|\bnot\b|\b[\w]+n't\b|\bnever\b|\bnone\b|\bnothing\b)(?:\s+[\w'-]+){0,3}", re.IGNORECASE)
_CLAUSES = re.compile(r"[，,。.!！;；、]+|\s+but\s+|\s+and\s+|但是|不过|可是|只是|而且|也", re.IGNORECASE)
# A message that gives a name ("我妈叫王秀英，她身体挺好的") is an answer to the name question.
_NAMING = re.compile(r"叫|名字|姓名|\b(?:called|named|name)\b", re.IGNORECASE)
_ASKS_A_PERSON = re.compile(r"人工|客服|真人|\b(?:person|human|agent|someone|staff)\b", re.IGNORECASE)
# A-not-A asks (会不会, 退不退, 有没有), and a family that did not understand the question is asking about it.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
_NOT_UNDERSTOOD = re.compile(r"看不懂|没看懂|没看明白|不明白|不懂|听不懂|什么意思|啥意思|"
                             r"don't understand|do not understand|what does .* mean|what do you mean", re.IGNORECASE)
_ANY_NEGATED = re.compile(r"([没沒冇不未][^，,。？?]{0,3})什[么麼]")  # 没在等什么结果: "not any", not a question


def _clause_polarity(clause: str, chinese: bool) -> Optional[str]:
    """"yes", "no", "mixed" or None (says neither) for one clause of a health answer."""
    if _NOT_PENDING.search(clause):
        return "no"
    if _PENDING.search(clause):
        return "yes"
    no = (_NO_ZH if chinese else _NO_EN).search(clause)
    unnegated = (_NEGATED_ZH if chinese else _NEGATED_EN).sub(" ", clause)
    yes = (_YES_ZH if chinese else _YES_EN).search(unnegated)
    if yes and no:
        return "mixed"
    named = not no and unnegated == clause and (_FINDING_ZH if chinese else _FINDING_EN).search(clause)
    return "yes" if yes or named else "no" if no else None


def health_answer(text: str) -> Optional[str]:
    """"affirm", "deny" or "not_sure" for an answer to a health question said as a sentence, or None.

    "她从来没做过化疗放疗", "體檢都正常，沒有結節", "no weight loss, no bleeding" say no; "她前年查出过乳腺癌", "我爸肺上
    有个结节，还没确诊" (a result still awaited), "she did have radiotherapy in 2019" say yes; "得问问我妈" is
    not sure. A message about health that says yes in one part and no in another ("没化疗，但做过手术", "she
    had cancer but it's not back") is not sure as well: a person decides, rather than a "no" recorded for a
    parent who said something was there. A finding, a sign or a treatment named in a clause with no negation
    and no word of being well ("肿瘤标志物偏高", "瘦了十多斤", "treated for leukaemia") says yes without a verb
    of having. A question, a correction, a request to join, a message with an ID number or a phone, or one
    that says nothing about health is None (left to the model and the other rules)."""
    text = normalised(text)
    if not text or says_correction(text) or not _answers_nothing(text) or _ASKS_A_PERSON.search(text) \
            or _NAMING.search(text) or _JOINING.search(text):
        return None
    chinese = bool(re.search(r"[\u4e00-\u9fff]", text))
    reading = as_mandarin(to_simplified(text)).lower() if chinese else text.lower().replace("’", "'")
    if is_a_question(_ANY_NEGATED.sub(r"\1", reading)) or _A_NOT_A.search(reading) \
            or _NOT_UNDERSTOOD.search(reading):
        return None
    if not (_HEALTH_ZH if chinese else _HEALTH_EN).search(reading):
        return None
    if _NOT_SURE.search(reading):
        return "not_sure"
    polarities = {_clause_polarity(clause, chinese) for clause in _CLAUSES.split(reading)} - {None}
    if not polarities:
        return None
    if polarities == {"no"}:
        return "deny"
    if polarities == {"yes"}:
        return "affirm"
    return "not_sure"
