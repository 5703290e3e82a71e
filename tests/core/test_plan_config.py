"""The plan configuration file: the shipped values are the product rules, and mistakes name their key."""
from __future__ import annotations

from decimal import Decimal

import pytest

from bot.core.plan.config import Outcome, PlanConfigError, load_plan, read_plan


def test_shipped_plan_holds_the_product_rules(plan):
    assert plan.currency == "CNY"
    assert (plan.age.min, plan.age.max) == (60, 70)
    assert plan.relationships == ("self", "father", "mother", "father_in_law", "mother_in_law")
    assert [(q.id, q.yes_means) for q in plan.screening.questions] == [
        ("H1", Outcome.DECLINED),
        ("H2", Outcome.DECLINED),
        ("H3", Outcome.DECLINED),
        ("H4", Outcome.DECLINED),
        ("H5", Outcome.MANUAL_REVIEW),
        ("H6", Outcome.DEFERRED),
    ]
    assert plan.cover.waiting_period_days == 90
    assert plan.cover.payouts.severe == Decimal("100000")
    assert plan.cover.payouts.mild == Decimal("50000")
    assert len(plan.cover.mild_conditions) == 6
    assert set(plan.cover.not_covered) == {"carcinoma_in_situ", "precancerous_lesion", "borderline_tumour"}
    assert plan.costs.joining_fee == 0
    assert plan.costs.cap_per_case == Decimal("1")
    assert plan.costs.management_fee_rate == Decimal("0.08")
    assert plan.costs.yearly_cap is None
    assert plan.costs.general_plan_yearly_cap == Decimal("188")
    assert plan.costs.sharing.publish_days == (7, 21)
    assert plan.costs.sharing.deduction_days == (14, 28)
    assert plan.consents.privacy_notice == "privacy-2026-11"
    assert all(vars(plan.consents).values())
    assert (plan.handoff.birth_date_mismatches, plan.handoff.consecutive_misunderstandings) == (2, 2)


def test_money_is_decimal(plan):
    for amount in (plan.cover.payouts.severe, plan.cover.payouts.mild, plan.costs.cap_per_case,
                   plan.costs.management_fee_percent, plan.costs.general_plan_yearly_cap):
        assert isinstance(amount, Decimal)


def test_load_plan_reads_the_plan_config_setting_once(monkeypatch, plan_data, write_plan):
    plan_data["age"]["max"] = 75
    monkeypatch.setenv("PLAN_CONFIG", str(write_plan(plan_data)))
    first = load_plan()
    assert first.age.max == 75
    assert load_plan() is first


def test_a_modified_copy_is_read_as_written(plan_data, write_plan):
    plan_data["relationships"]["allowed"] = ["self", "father", "mother"]
    plan_data["costs"]["yearly_cap"] = "5000.50"
    plan = read_plan(write_plan(plan_data))
    assert plan.relationships == ("self", "father", "mother")
    assert plan.costs.yearly_cap == Decimal("5000.50")


def test_sharing_days_are_kept_in_calendar_order(plan_data, write_plan):
    plan_data["costs"]["sharing"]["publish_days"] = [21, 7]
    assert read_plan(write_plan(plan_data)).costs.sharing.publish_days == (7, 21)


def _set(data, dotted, value):
    *parents, last = dotted.split(".")
    for part in parents:
        data = data[int(part)] if isinstance(data, list) else data[part]
    if value is _DELETE:
        del data[last]
    else:
        data[last] = value


_DELETE = object()

BROKEN = [
    # (key to change, new value, the key the error must name, words the problem must contain)
    ("age.max", 59, "age.max", "must be an integer >= age.min"),
    ("age.min", "60", "age.min", "must be an integer"),
    ("age.min", True, "age.min", "must be an integer"),
    ("age.min", -1, "age.min", ">= 0"),
    ("age.max", None, "age.max", "is empty"),
    ("age.max", _DELETE, "age.max", "is missing"),
    ("age.oldest", 80, "age.oldest", "unknown key"),
    ("age", [60, 70], "age", "must be a mapping"),
    ("consents", _DELETE, "consents", "is missing"),
    ("colour", "blue", "colour", "unknown key"),
    ("plan.currency", "RMB", "plan.currency", "currency code"),
    ("plan.id", "senior cancer", "plan.id", "must be an id"),
    ("relationships.allowed", ["self", "cousin"], "relationships.allowed[1]", "unknown value 'cousin'"),
    ("relationships.allowed", ["self", "self"], "relationships.allowed[1]", "listed twice"),
    ("relationships.allowed", [], "relationships.allowed", "must not be empty"),
    ("screening.questions", [], "screening.questions", "must not be empty"),
    ("screening.questions.1.yes_means", "maybe", "screening.questions[1].yes_means",
     "declined, deferred, manual_review"),
    ("screening.questions.1.yes_means", "eligible", "screening.questions[1].yes_means", "must be one of"),
    ("screening.questions.2.id", "H1", "screening.questions[2].id", "duplicate question id 'H1'"),
    ("screening.questions.0.text", "Ever had cancer?", "screening.questions[0].text", "unknown key"),
    ("cover.waiting_period_days", "90 days", "cover.waiting_period_days", "must be an integer"),
    ("cover.payouts.mild", 200000, "cover.payouts.mild", "must not exceed cover.payouts.severe"),
    ("cover.payouts.severe", "lots", "cover.payouts.severe", "quoted decimal"),
    ("cover.not_covered", ["carcinoma_in_situ", "hodgkin_lymphoma_stage_1"], "cover.not_covered",
     "also listed in cover.mild_conditions"),
    ("cover.mild_conditions", "thyroid", "cover.mild_conditions", "must be a list"),
    ("costs.cap_per_case", 1.5, "costs.cap_per_case", "not a YAML float"),
    ("costs.cap_per_case", 0, "costs.cap_per_case", "greater than 0"),
    ("costs.cap_per_case", "NaN", "costs.cap_per_case", "quoted decimal"),
    ("costs.joining_fee", -1, "costs.joining_fee", "must not be negative"),
    ("costs.cap_per_cse", 1, "costs.cap_per_cse", "unknown key"),
    ("costs.management_fee_percent", 100, "costs.management_fee_percent", "below 100"),
    ("costs.yearly_cap", "none", "costs.yearly_cap", "quoted decimal"),
    ("costs.sharing.publish_days", [7, 31], "costs.sharing.publish_days[1]", "from 1 to 28"),
    ("costs.sharing.deduction_days", [14, 14], "costs.sharing.deduction_days[1]", "listed twice"),
    ("costs.sharing.deduction_days", [], "costs.sharing.deduction_days", "must not be empty"),
    ("consents.privacy_notice", "privacy notice", "consents.privacy_notice", "must be a version"),
    ("consents.deduction_authorization", _DELETE, "consents.deduction_authorization", "is missing"),
    ("handoff.birth_date_mismatches", 0, "handoff.birth_date_mismatches", ">= 1"),
]


@pytest.mark.parametrize("dotted, value, key, problem", BROKEN, ids=[case[0] for case in BROKEN])
def test_a_broken_copy_is_refused_naming_the_bad_key(plan_data, write_plan, dotted, value, key, problem):
    _set(plan_data, dotted, value)
    path = write_plan(plan_data)
    with pytest.raises(PlanConfigError) as raised:
        read_plan(path)
    assert raised.value.key == key
    assert problem in raised.value.problem
    assert str(raised.value).startswith(f"{key}: ")
    assert str(path) in str(raised.value)


def test_the_example_message_reads_as_documented(plan_data, write_plan):
    plan_data["age"]["max"] = 50
    with pytest.raises(PlanConfigError, match=r"^age\.max: must be an integer >= age\.min \(60\)"):
        read_plan(write_plan(plan_data))


def test_a_key_written_twice_is_refused(plan_text, write_plan):
    text = plan_text.replace("  max: 70\n", "  max: 70\n  max: 75\n")
    assert text != plan_text
    with pytest.raises(PlanConfigError, match=r"^max: is written twice \(line \d+\)") as raised:
        read_plan(write_plan(text))
    assert raised.value.key == "max"


@pytest.mark.parametrize("text, problem", [
    ("", "the file is empty"),
    ("- a list\n- not a mapping\n", "must be a mapping"),
    ("age: [unclosed\n", "not valid YAML"),
])
def test_an_unusable_file_is_refused(write_plan, text, problem):
    with pytest.raises(PlanConfigError, match=problem):
        read_plan(write_plan(text))


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(PlanConfigError, match="cannot read the plan configuration"):
        read_plan(tmp_path / "nowhere.yml")
