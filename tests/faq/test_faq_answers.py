"""The plan-question answers state the plan's facts, taken from the plan configuration at run time.

Every answer is rendered the way the assistant sends it (bot.rasa.nlg.PlanResponseGenerator, language slot zh
or en) with PLAN_CONFIG pointing at a modified copy of the plan: the changed figures must appear, in
Babel's format for the language, and no placeholder may be left unfilled.
"""
from __future__ import annotations

import re

import pytest
import yaml

from bot.core.plan.config import read_plan

from .common import ROOT, SHIPPED_PLAN

OWN_DOMAIN = yaml.safe_load((ROOT / "domain" / "plan_questions.yml").read_text(encoding="utf-8"))
RESPONSES = OWN_DOMAIN["responses"]
FAQ_RESPONSES = sorted(name for name in RESPONSES if name.startswith("utter_faq/"))
LANGUAGES = ("zh", "en")

# What the action passes to the estimate responses; everything else comes from the plan.
ACTION_VALUES = {
    "utter_contribution_estimate": {"case_count": "40", "most_for_cases": "40元"},
    "utter_contribution_estimate_bad_number": {"case_text": "-3"},
}

CHANGED_PLAN = {
    "age": {"min": 55, "max": 75},
    "cover": {"waiting_period_days": 60, "payouts": {"severe": 123456, "mild": 65432}},
    "costs": {
        "cap_per_case": "0.50",
        "management_fee_percent": 9,
        "general_plan_yearly_cap": 199,
        "sharing": {"publish_days": [5, 19], "deduction_days": [12, 26]},
    },
}

# The facts each answer must state: removing one from a response fails the test.
REQUIRED_FACTS = {
    "covered": {"severe_payout", "mild_payout", "waiting_days"},
    "not_covered": {"waiting_days"},
    "payouts": {"severe_payout", "mild_payout"},
    "mild": {"mild_payout", "severe_payout"},
    "up_to": {"severe_payout", "mild_payout"},
    "not_insurance": {"case_cap"},
    "free_to_join": {"joining_fee", "case_cap", "sharings_per_month"},
    "case_cap": {"case_cap"},
    "no_yearly_cap": {"case_cap", "general_plan_cap", "sharings_per_month"},
    "sharing_schedule": {"sharings_per_month", "publish_days", "deduction_days", "next_publish_date",
                         "next_deduction_date"},
    "share_formula": {"management_fee", "case_cap"},
    "waiting_period": {"waiting_days", "today", "waiting_start_if_joined_today",
                       "waiting_end_if_joined_today", "cover_start_if_joined_today"},
    "age": {"age_min", "age_max", "age_too_old"},
    "chronic_conditions": set(),
    "payment": {"case_cap", "deduction_days"},
    "cancel_deduction": {"waiting_days"},
    "claim": {"waiting_days", "severe_payout", "mild_payout"},
    "withdraw": {"waiting_days"},
    "general_plan": {"general_plan_cap", "case_cap", "age_min", "age_max", "severe_payout", "mild_payout"},
    "in_laws": {"age_min", "age_max"},
    "personal_data": set(),
    "whose_phone": set(),
    "which_document": set(),
}

# The changed plan's figures as a reader sees them (written out by hand, not computed by the code
# under test): today is 28 Nov 2026, so joining today means waiting 29 Nov 2026 - 27 Jan 2027 (60 days)
# and cover from 28 Jan 2027; the next publication (5th, 19th) is 5 Dec, the next deduction (12th,
# 26th) is 12 Dec.
CHANGED_FIGURES = {
    "zh": {
        "covered": ["123,456元", "65,432元", "60天"],
        "not_covered": ["60天"],
        "payouts": ["123,456元", "65,432元"],
        "mild": ["65,432元", "123,456元"],
        "up_to": ["123,456元", "65,432元"],
        "not_insurance": ["0.5元"],
        "free_to_join": ["0元", "0.5元", "每月分摊2次"],
        "case_cap": ["0.5元"],
        "no_yearly_cap": ["0.5元", "199元"],
        "sharing_schedule": ["5日和19日", "12日和26日", "2026年12月5日", "2026年12月12日"],
        "share_formula": ["9%", "0.5元"],
        "waiting_period": ["60天", "2026年11月28日", "2026年11月29日", "2027年1月27日", "2027年1月28日"],
        "age": ["年满55周岁", "不超过75周岁", "满76周岁"],
        "payment": ["0.5元", "12日和26日"],
        "cancel_deduction": ["60天"],
        "claim": ["60天", "123,456元", "65,432元"],
        "withdraw": ["60天"],
        "general_plan": ["199元", "0.5元", "55到75周岁", "123,456元", "65,432元"],
        "in_laws": ["55到75周岁"],
    },
    "en": {
        "covered": ["CN¥123,456", "CN¥65,432", "60-day"],
        "not_covered": ["60-day"],
        "payouts": ["CN¥123,456", "CN¥65,432"],
        "mild": ["CN¥65,432", "CN¥123,456"],
        "up_to": ["CN¥123,456", "CN¥65,432"],
        "not_insurance": ["CN¥0.50"],
        "free_to_join": ["CN¥0", "CN¥0.50", "2 times a month"],
        "case_cap": ["CN¥0.50"],
        "no_yearly_cap": ["CN¥0.50", "CN¥199"],
        "sharing_schedule": ["5th and 19th", "12th and 26th", "Dec 5, 2026", "Dec 12, 2026"],
        "share_formula": ["9%", "CN¥0.50"],
        "waiting_period": ["60-day", "Nov 28, 2026", "Nov 29, 2026", "Jan 27, 2027", "Jan 28, 2027"],
        "age": ["aged 55 to 75", "turns 76"],
        "payment": ["CN¥0.50", "12th and 26th"],
        "cancel_deduction": ["60-day"],
        "claim": ["60-day", "CN¥123,456", "CN¥65,432"],
        "withdraw": ["60-day"],
        "general_plan": ["CN¥199", "CN¥0.50", "aged 55 to 75", "CN¥123,456", "CN¥65,432"],
        "in_laws": ["aged 55 to 75"],
    },
}


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))


def variation(name: str, language: str) -> str:
    (text,) = [v["text"] for v in RESPONSES[name] if v["condition"][0]["value"] == language]
    return text


def test_every_topic_has_its_facts_listed():
    assert {name.split("/", 1)[1] for name in FAQ_RESPONSES} == set(REQUIRED_FACTS)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", FAQ_RESPONSES)
def test_each_answer_states_its_facts(name, language):
    missing = REQUIRED_FACTS[name.split("/", 1)[1]] - placeholders(variation(name, language))
    assert not missing, f"{name} ({language}) no longer states {sorted(missing)}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", sorted(RESPONSES))
async def test_every_placeholder_is_filled(render, name, language):
    text = await render(name, language, **ACTION_VALUES.get(name, {}))
    assert "{" not in text and "}" not in text, f"{name} ({language}) left a placeholder: {text}"


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("topic", sorted(CHANGED_FIGURES["zh"]))
async def test_answers_follow_a_changed_plan(render, use_plan, topic, language):
    use_plan(CHANGED_PLAN)
    text = await render(f"utter_faq/{topic}", language)
    for figure in CHANGED_FIGURES[language][topic]:
        assert figure in text, f"utter_faq/{topic} ({language}) lacks {figure!r}: {text}"
    for old in ("100,000", "50,000", "10万元", "5万元", " 1元", "多1元", "90天", "90-day", "2027年2月27日", "Feb 27, 2027",
                "7日和21日", "7th and 21st", "188元", "CN¥188", "8%"):
        assert old not in text, f"utter_faq/{topic} ({language}) still says {old!r}: {text}"


async def test_shipped_plan_answers(render):
    assert "重症最高10万元，轻症最高5万元" in await render("utter_faq/payouts", "zh")
    assert "up to CN¥100,000 for severe cancer and up to CN¥50,000 for mild" in await render(
        "utter_faq/payouts", "en")
    assert "每位成员最多分摊1元。" in await render("utter_faq/case_cap", "zh")
    english_waiting = await render("utter_faq/waiting_period", "en")
    assert "90-day waiting period" in english_waiting
    assert "from Nov 29, 2026 to Feb 26, 2027, covered from Feb 27, 2027" in english_waiting
    assert "2026年11月29日到2027年2月26日，2027年2月27日起开始保障" in await render("utter_faq/waiting_period", "zh")
    assert "每月7日和21日公示案例，14日和28日从付款账户扣款" in await render("utter_faq/sharing_schedule", "zh")
    assert "published on the 7th and 21st of each month" in await render("utter_faq/sharing_schedule", "en")
    assert "管理费是互助金总额的8%" in await render("utter_faq/share_formula", "zh")
    assert "满71周岁以后就不能再报名了" in await render("utter_faq/age", "zh")


@pytest.mark.parametrize("language, words", [
    ("zh", ["等待期内确诊", "不能领取互助金", "退还", "会员资格随之结束"]),
    ("en", ["during the waiting period pays nothing", "refunded", "membership ends"]),
])
async def test_waiting_period_answer_says_what_a_diagnosis_in_it_means(render, language, words):
    text = await render("utter_faq/waiting_period", language)
    for word in words:
        assert word in text


@pytest.mark.parametrize("language, words", [
    ("zh", ["不是保险", "最高", "不承诺给付"]),
    ("en", ["not insurance", "maximums", "not guaranteed", "no promise to pay"]),
])
async def test_payouts_are_never_promised(render, language, words):
    text = await render("utter_faq/up_to", language)
    for word in words:
        assert word in text


async def test_estimate_answer_is_filled_from_the_action_and_the_plan(render, use_plan):
    use_plan(CHANGED_PLAN)
    text = await render("utter_contribution_estimate", "zh", case_count="40", most_for_cases="20元")
    assert "一期有40个案例" in text and "最多分摊20元（40 × 0.5元）" in text and "9%管理费" in text
    text = await render("utter_contribution_estimate", "en", case_count="40", most_for_cases="CN¥20")
    assert "at most CN¥20 for that period (40 × CN¥0.50)" in text


# --- Wording that the configuration cannot change --------------------------------------------------
# Some answers state a rule in words ("free to join", "no yearly maximum", "you can enroll your
# in-laws"). If the operator changes that rule in the plan file, these tests fail to say the wording
# in domain/plan_questions.yml must change with it.

@pytest.fixture(scope="module")
def shipped_plan():
    return read_plan(SHIPPED_PLAN)


def test_free_to_join_wording_matches_the_plan(shipped_plan):
    assert shipped_plan.costs.joining_fee == 0, "utter_faq/free_to_join says joining is free"


def test_no_yearly_maximum_wording_matches_the_plan(shipped_plan):
    assert shipped_plan.costs.yearly_cap is None, "utter_faq/no_yearly_cap says there is no yearly maximum"


def test_in_law_wording_matches_the_plan(shipped_plan):
    assert {"father_in_law", "mother_in_law", "self", "father", "mother"} <= set(shipped_plan.relationships), \
        "utter_faq/in_laws says self, parents and parents-in-law can be enrolled"


def test_chronic_condition_wording_matches_the_plan(shipped_plan):
    assert {"high_blood_pressure", "high_blood_lipids", "diabetes", "heart_disease",
            "cerebrovascular_disease"} <= set(shipped_plan.screening.not_disqualifying)


def test_mild_and_not_covered_wording_matches_the_plan(shipped_plan):
    assert shipped_plan.cover.mild_conditions == (
        "thyroid_cancer_tnm_stage_1", "prostate_cancer_t1n0m0", "skin_cancer_non_melanoma_without_spread",
        "chronic_lymphocytic_leukaemia_binet_stage_a", "hodgkin_lymphoma_stage_1",
        "neuroendocrine_tumour_g1_without_spread"), "utter_faq/mild lists these six conditions"
    assert set(shipped_plan.cover.not_covered) == {"carcinoma_in_situ", "precancerous_lesion", "borderline_tumour"}
