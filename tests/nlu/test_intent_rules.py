"""The readings a rule corrects after the classifiers (issue 13): a sign-up stating an age the plan
does not take gets the age limit, "why do you need her ID number" gets the reason for the question, and a
relationship span with more than the word in it gets the plan value."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.core.answers import carries_number
from bot.core.intent_rules import asks_to_join_at_age_outside, asks_why_a_field_is_needed, form_request_behind, \
    stated_age
from bot.rasa.nlu.intent_rules import IntentRules


def read(text, intent, topic=None, ranking=()):
    data = {"text": text, "intent": {"name": intent, "confidence": 0.9},
            "intent_ranking": [{"name": name, "confidence": confidence} for name, confidence in ranking]}
    if topic:
        data["response_selector"] = {"default": {"response": {"intent_response_key": topic,
                                                              "utter_action": f"utter_{topic}"},
                                                 "ranking": []}}
    message = Message(data=data)
    IntentRules(60, 70).process([message])
    selected = (message.get("response_selector") or {}).get("default", {}).get("response", {})
    return message.get("intent")["name"], selected.get("intent_response_key")


@pytest.mark.parametrize("text, age", [
    ("我想给我爸报名，他今年75", 75), ("我爸73还能参加吗", 73), ("七十二岁能报吗", 72), ("我自己58，能参加吗", 58),
    ("my father is 73, can he still sign up", 73), ("can I enroll my 75-year-old dad", 75),
    ("she's 71 now", 71), ("等待期90天内确诊能报吗", None), ("我想给我妈报名", None),
    ("我妈叫王秀英，身份证号110105196103150029，手机13912345678", None),
])
def test_the_age_a_message_states_is_read_but_never_from_days_or_an_id_number(text, age):
    assert stated_age(text) == age


def test_only_a_request_to_join_at_an_age_outside_the_window_is_an_age_question():
    assert asks_to_join_at_age_outside("I want to sign my mum up, she is 74", 60, 70)
    assert asks_to_join_at_age_outside("56岁的人能加入吗", 60, 70)
    assert not asks_to_join_at_age_outside("我妈65岁，想报名", 60, 70)
    assert not asks_to_join_at_age_outside("my dad is 74", 60, 70)  # no request to join


def test_a_sign_up_at_73_gets_the_age_limit_instead_of_an_enrollment():
    assert read("my father is 73, can he still sign up", "enroll") == ("faq", "faq/age")
    assert read("我想给我爸报名，他今年75", "enroll") == ("faq", "faq/age")
    assert read("我想给我妈报名，她今年65", "enroll") == ("enroll", None)
    assert read("我妈72岁有高血压能参加吗", "faq", "faq/chronic_conditions") == ("faq", "faq/age")


def test_why_a_field_is_needed_is_not_the_data_use_question():
    assert asks_why_a_field_is_needed("why do you need her ID number")
    assert asks_why_a_field_is_needed("你们要身份证号码干什么")
    assert not asks_why_a_field_is_needed("what will you do with her ID number")
    assert read("why do you need her ID number", "faq", "faq/personal_data")[0] == "ask_why_asked"
    assert read("what will you do with her ID number", "faq", "faq/personal_data") == ("faq", "faq/personal_data")
    assert read("why do you need her ID number", "faq", "faq/which_document") == ("faq", "faq/which_document")


def test_a_why_question_read_as_an_answer_is_not_checked_as_one():
    assert read("要身份证号码干什么", "inform")[0] == "ask_why_asked"
    assert read("身份证号码是110105196103150029，为什么要这个", "inform")[0] == "inform"


@pytest.mark.parametrize("span, value", [("替爸爸", "father"), ("给我婆婆", "mother_in_law"), ("mother", "mother"),
                                         ("my mum", "mother"), ("father-in-law", "father_in_law")])
def test_a_relationship_span_gets_the_plan_value_of_its_word(span, value):
    message = Message(data={"text": f"我想{span}报名", "intent": {"name": "enroll", "confidence": 0.9},
                            "entities": [{"entity": "relationship", "value": span, "start": 2, "end": 2 + len(span)}]})
    IntentRules(60, 70).process([message])
    assert message.get("entities")[0]["value"] == value


def test_a_relationship_the_plan_does_not_know_is_left_for_the_form_to_refuse():
    message = Message(data={"text": "给我姑妈报名", "intent": {"name": "enroll", "confidence": 0.9},
                            "entities": [{"entity": "relationship", "value": "姑妈", "start": 1, "end": 3}]})
    IntentRules(60, 70).process([message])
    assert message.get("entities")[0]["value"] == "姑妈"


@pytest.mark.parametrize("text, number", [
    ("13912345678", True), ("手机１３９", True), ("幺三九一二三四", True), ("她只有护照", False),
    ("一两天再说", False), ("no idea why", False),
])
def test_a_number_is_seen_in_digits_full_width_digits_and_runs_of_chinese_numerals(text, number):
    assert carries_number(text) is number


def test_a_message_read_as_nothing_is_the_form_request_among_its_two_best_readings():
    fallback = ("nlu_fallback", 0.5)
    assert form_request_behind("填她的电话是要做什么", [fallback, ("ask_plan_overview", 0.39), ("ask_why_asked", 0.32)]) \
        == "ask_why_asked"
    assert form_request_behind("the card is in a drawer, tonight then",
                               [fallback, ("correct", 0.34), ("pause_enrollment", 0.27)]) == "pause_enrollment"
    # too weak, too far down, a plan question, or a number in it: left as it was
    assert form_request_behind("嗯嗯那个", [fallback, ("inform", 0.4), ("pause_enrollment", 0.2)]) is None
    assert form_request_behind("嗯嗯那个", [fallback, ("inform", 0.4), ("faq", 0.3), ("ask_why_asked", 0.29)]) is None
    assert form_request_behind("139 later", [fallback, ("pause_enrollment", 0.45)]) is None


def test_the_rule_changes_only_a_fallback_reading():
    ranking = [("nlu_fallback", 0.5), ("ask_plan_overview", 0.39), ("ask_why_asked", 0.32)]
    assert read("填她的电话是要做什么", "nlu_fallback", ranking=ranking)[0] == "ask_why_asked"
    assert read("填她的电话是要做什么", "ask_plan_overview", ranking=ranking[1:])[0] == "ask_plan_overview"
