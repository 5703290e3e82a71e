"""Which health question a health answer said as a sentence is about, and where its yes or no belongs.

Families answer the question on screen with what happened ("她的肿瘤标志物偏高，医生让复查", "she did have
radiotherapy in 2019"), and what they describe is not always what that question asks: a raised tumour
marker typed at the treatment question (H2) is a yes to H4, not to H2; weight loss typed at the diagnosis
question (H1) is H5's warning sign, which a person reviews, not a cancer diagnosis that declines. Recording it
as the answer on screen would decline for the wrong reason, or decline where a person should decide.

`placement` says where the answer goes:

- it names nothing a question is about, or names the question on screen: it is that question's answer;
- a yes about an earlier question (already answered): that earlier answer becomes yes (the family has seen
  that question; the screening is decided again) and the question on screen is asked again;
- a yes about a later question only: nothing is recorded; the family is told that question asks it, and the
  question on screen is asked again;
- a no about other questions only ("她没做过化疗" at the diagnosis question): nothing is recorded (a no to one
  thing is not a no to another) and the question on screen is asked again, unless it says the parent is
  well ("体检都正常，没有结节"), which answers any of them.

The words are those of the plan's questions H1-H6 (bot/core/plan/senior_cancer_plan.yml; the domain's §3),
in simplified Chinese (bot.core.intent_rules reads traditional and Cantonese through it) and English.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, Optional, Sequence

from bot.core.cantonese import as_mandarin
from bot.core.chinese_script import to_simplified

_TOPICS: dict[str, re.Pattern[str]] = {
    # a malignant tumour, carcinoma in situ or borderline tumour, ever
    "H1": re.compile(r"癌|恶性|白血病|淋巴瘤|交界性|肿瘤(?!标志物|指标)|"
                     r"cancer|malignan|leuka?emia|lymphoma|carcinoma|melanoma|sarcoma|tumou?r(?!\s+markers?)",
                     re.IGNORECASE),
    # tumour therapy or a transplant, ever
    "H2": re.compile(r"化疗|放疗|靶向|免疫治疗|移植|"
                     r"chemo|radiotherapy|radiation|targeted (?:therapy|drugs?)|immunotherapy|transplant",
                     re.IGNORECASE),
    # a precancerous condition, past 2 years
    "H3": re.compile(r"不典型增生|异型增生|上皮内瘤变|肠化|萎缩性胃炎|巴雷特|腺瘤|肝硬化|乙肝|丙肝|慢性肝炎|"
                     r"dysplasia|neoplasia|metaplasia|barrett|adenoma|cirrhosis|hepatitis", re.IGNORECASE),
    # a raised tumour marker, or a lump, nodule or mass not confirmed benign, past 12 months
    "H4": re.compile(r"标志物|指标.{0,2}(?:偏高|高|超标)|结节|肿块|包块|硬块|阴影|占位|"
                     r"markers?|\blumps?\b|nodules?|\bmass\b|\bgrowth\b|shadow", re.IGNORECASE),
    # warning signs, past 6 months
    "H5": re.compile(r"瘦|体重|掉秤|带血|便血|尿血|咯血|咳血|出血|淋巴结|"
                     r"weight|blood|bleed|lymph nodes?|swollen glands?", re.IGNORECASE),
    # waiting for a biopsy or a result, or advised tests or a hospital stay for a suspected tumour
    "H6": re.compile(r"活检|复查|还没确诊|还没出结果|结果还没出|等.{0,3}(?:结果|报告)|拿.{0,3}报告|待查|"
                     r"biopsy|waiting for|awaiting|follow-?up", re.IGNORECASE),
}
# A no that says the parent is well ("体检都正常，没有结节", "she's healthy, no lumps") answers any of them.
_WELL = re.compile(r"正常|健康|挺好|很好|好得很|都没有|什么都没有|从来没|一切都好|"
                   r"normal|healthy|\bfine\b|all clear|nothing|never (?:been )?(?:ill|sick)", re.IGNORECASE)

Where = Literal["here", "earlier", "later", "elsewhere"]


@dataclass(frozen=True)
class Placement:
    where: Where
    question_id: Optional[str] = None
    """The question the answer belongs to, for "earlier" and "later" (the first of them, in the plan's order)."""
    number: Optional[int] = None
    """That question's number as the family sees it (第N个, Question N)."""


def _reading(text: str) -> str:
    """The text as the patterns above read it: simplified Mandarin (traditional and Cantonese mapped), lower case."""
    return as_mandarin(to_simplified(text or "")).lower()


def questions_named(text: str, question_ids: Sequence[str]) -> tuple[str, ...]:
    """The questions, in the plan's order, whose subject the text names."""
    reading = _reading(text)
    return tuple(q for q in question_ids if q in _TOPICS and _TOPICS[q].search(reading))


def placement(asked: str, answer: str, text: str, question_ids: Sequence[str]) -> Placement:
    """Where a yes or no typed as a sentence at question `asked` belongs (see the module's docstring).
    "not_sure" and a plain answer that names no question's subject stay where they were given."""
    named = questions_named(text, question_ids)
    if answer not in ("yes", "no") or not named or asked in named or asked not in question_ids:
        return Placement("here")
    if answer == "no":
        return Placement("here" if _WELL.search(_reading(text)) else "elsewhere")
    position = list(question_ids).index
    earlier = [q for q in named if position(q) < position(asked)]
    target = earlier[0] if earlier else named[0]
    return Placement("earlier" if earlier else "later", target, position(target) + 1)
