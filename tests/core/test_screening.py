"""Health screening: answers to H1-H6 become one decision with its reasons; "not sure" is never "no"."""
from __future__ import annotations

import dataclasses
import itertools

import pytest

from bot.core.plan.screening import Answer, Outcome, ScreeningError, decide

QUESTIONS = ("H1", "H2", "H3", "H4", "H5", "H6")
DECLINING = ("H1", "H2", "H3", "H4")


def answers(**given: str) -> dict[str, str]:
    """All "no", except the answers given."""
    return {question: given.get(question, "no") for question in QUESTIONS}


def test_all_no_is_eligible(plan):
    decision = decide(answers(), plan=plan)
    assert decision.outcome is Outcome.ELIGIBLE
    assert decision.causes == ()
    assert not decision.offers_person


@pytest.mark.parametrize("question", DECLINING)
def test_a_yes_to_a_declining_question_declines(plan, question):
    decision = decide(answers(**{question: "yes"}), plan=plan)
    assert (decision.outcome, decision.causes, decision.not_sure) == (Outcome.DECLINED, (question,), ())
    assert decision.offers_person


def test_a_yes_to_h5_goes_to_manual_review(plan):
    decision = decide(answers(H5="yes"), plan=plan)
    assert (decision.outcome, decision.causes) == (Outcome.MANUAL_REVIEW, ("H5",))
    assert not decision.caused_by_not_sure
    assert decision.offers_person


def test_a_yes_to_h6_defers(plan):
    decision = decide(answers(H6="yes"), plan=plan)
    assert (decision.outcome, decision.causes) == (Outcome.DEFERRED, ("H6",))
    assert not decision.offers_person


@pytest.mark.parametrize("question", QUESTIONS)
def test_not_sure_is_never_no(plan, question):
    decision = decide(answers(**{question: "not_sure"}), plan=plan)
    assert decision.outcome is Outcome.MANUAL_REVIEW
    assert decision.causes == (question,)
    assert decision.not_sure == (question,)
    assert decision.caused_by_not_sure


def test_declined_wins_over_deferred_and_review(plan):
    decision = decide(answers(H1="yes", H3="yes", H5="yes", H6="yes", H2="not_sure"), plan=plan)
    assert (decision.outcome, decision.causes, decision.not_sure) == (Outcome.DECLINED, ("H1", "H3"), ())


def test_deferred_wins_over_review(plan):
    decision = decide(answers(H6="yes", H5="yes", H4="not_sure"), plan=plan)
    assert (decision.outcome, decision.causes) == (Outcome.DEFERRED, ("H6",))


def test_review_names_yes_and_not_sure_causes_in_question_order(plan):
    decision = decide(answers(H5="yes", H2="not_sure", H6="not_sure"), plan=plan)
    assert decision.outcome is Outcome.MANUAL_REVIEW
    assert decision.causes == ("H2", "H5", "H6")
    assert decision.not_sure == ("H2", "H6")


def test_every_combination_of_answers(plan):
    for combination in itertools.product(("yes", "no", "not_sure"), repeat=len(QUESTIONS)):
        given = dict(zip(QUESTIONS, combination))
        decision = decide(given, plan=plan)
        assert (decision.outcome is Outcome.ELIGIBLE) == all(a == "no" for a in combination)
        assert (decision.outcome is Outcome.DECLINED) == any(given[q] == "yes" for q in DECLINING)
        assert all(given[question] != "no" for question in decision.causes)
        assert set(decision.not_sure) == {q for q in decision.causes if given[q] == "not_sure"}


def test_enum_answers_are_accepted(plan):
    given = {question: Answer.NO for question in QUESTIONS} | {"H5": Answer.NOT_SURE}
    assert decide(given, plan=plan).outcome is Outcome.MANUAL_REVIEW


def test_what_a_yes_means_comes_from_the_plan(plan):
    questions = tuple(dataclasses.replace(q, yes_means=Outcome.DECLINED) if q.id == "H5" else q
                      for q in plan.screening.questions)
    stricter = dataclasses.replace(plan, screening=dataclasses.replace(plan.screening, questions=questions))
    assert decide(answers(H5="yes"), plan=stricter).outcome is Outcome.DECLINED


@pytest.mark.parametrize("given, code, question_ids", [
    ({"H1": "no", "H2": "no"}, "missing_answers", ("H3", "H4", "H5", "H6")),
    (answers() | {"H4": None}, "missing_answers", ("H4",)),
    (answers() | {"H7": "no"}, "unknown_questions", ("H7",)),
    (answers(H2="maybe", H5="YES"), "invalid_answers", ("H2", "H5")),
    (answers() | {"H3": True}, "invalid_answers", ("H3",)),
])
def test_answers_that_cannot_be_decided_are_an_error(plan, given, code, question_ids):
    with pytest.raises(ScreeningError) as raised:
        decide(given, plan=plan)
    assert (raised.value.code, raised.value.question_ids) == (code, question_ids)
