"""The contribution estimate: "if there are 40 cases this period, how much do I pay?"."""
from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.coverage import ActionEstimateContribution
from bot.core.case_numbers import parse_case_count


def tracker(text: str, language: str = "zh", case_count: Optional[str] = None) -> Tracker:
    entities: List[Dict[str, Any]] = [{"entity": "language", "value": language}]
    if case_count is not None:
        entities.append({"entity": "case_count", "value": case_count})
    return Tracker(
        sender_id="estimate-test",
        slots={"language": language},
        latest_message={"text": text, "intent": {"name": "estimate_contribution", "confidence": 0.99},
                        "entities": entities},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def estimate(text: str, language: str = "zh", case_count: Optional[str] = None) -> Dict[str, Any]:
    dispatcher = CollectingDispatcher()
    events = await ActionEstimateContribution().run(dispatcher, tracker(text, language, case_count), {})
    assert events == []
    (message,) = dispatcher.messages
    return message


async def test_forty_cases_cost_at_most_forty_times_the_cap():
    message = await estimate("这期有40个案例我要交多少钱", "zh", case_count="40")
    assert message["response"] == "utter_contribution_estimate"
    assert message["case_count"] == "40"
    assert message["most_for_cases"] == "40元"


async def test_the_english_answer_is_formatted_for_english():
    message = await estimate("if there are 1200 cases this period, how much do I pay?", "en", case_count="1200")
    assert message["case_count"] == "1,200"
    assert message["most_for_cases"] == "CN¥1,200"


async def test_chinese_numerals_in_the_entity():
    message = await estimate("这期有四十个案例我要交多少钱", "zh", case_count="四十个")
    assert (message["case_count"], message["most_for_cases"]) == ("40", "40元")


@pytest.mark.parametrize("text, language, count", [
    ("这期有四十个案例我要交多少钱", "zh", "40"),
    ("如果本期公示一百二十例，我要付多少", "zh", "120"),
    ("假如有35个案子呢", "zh", "35"),
    ("what if there were forty-five cases", "en", "45"),
    ("how much for 1,000 cases", "en", "1,000"),
])
async def test_the_number_is_read_from_the_message_when_no_entity_was_found(text, language, count):
    message = await estimate(text, language)
    assert message["response"] == "utter_contribution_estimate"
    assert message["case_count"] == count


async def test_the_estimate_follows_the_plan(use_plan):
    use_plan({"costs": {"cap_per_case": "0.50"}})
    message = await estimate("这期有3个案例我要交多少钱", "zh", case_count="3")
    assert message["most_for_cases"] == "1.5元"
    use_plan({"costs": {"cap_per_case": 2}})
    message = await estimate("40 cases, how much?", "en", case_count="40")
    assert message["most_for_cases"] == "CN¥80"


@pytest.mark.parametrize("text", ["估算一下这期要交多少钱", "estimate how much I'll pay this period",
                                  "十几个案例要交多少"])
async def test_without_a_number_the_assistant_asks_for_one(text):
    assert (await estimate(text))["response"] == "utter_contribution_estimate_ask_cases"


@pytest.mark.parametrize("entity", ["-3", "2.5", "很多", "minus five"])
async def test_a_bad_number_gets_a_clear_answer(entity):
    message = await estimate(f"{entity}个案例要交多少", "zh", case_count=entity)
    assert message["response"] == "utter_contribution_estimate_bad_number"
    assert message["case_text"] == entity


async def test_a_negative_number_in_the_text_is_bad_too():
    message = await estimate("if there are -3 cases how much do I pay", "en")
    assert message["response"] == "utter_contribution_estimate_bad_number"


async def test_no_cases_cost_nothing():
    assert (await estimate("0个案例要交多少", "zh", case_count="0"))["response"] == \
        "utter_contribution_estimate_no_cases"


async def test_the_reply_reads_well_in_both_languages(render):
    message = await estimate("这期有40个案例我要交多少钱", "zh", case_count="40")
    text = await render(message["response"], "zh", case_count=message["case_count"],
                        most_for_cases=message["most_for_cases"])
    assert "如果一期有40个案例，每位成员这一期最多分摊40元（40 × 1元）" in text
    assert "8%管理费" in text
    message = await estimate("40 cases this period, how much?", "en", case_count="40")
    text = await render(message["response"], "en", case_count=message["case_count"],
                        most_for_cases=message["most_for_cases"])
    assert "each member pays at most CN¥40 for that period (40 × CN¥1)" in text


@pytest.mark.parametrize("text, number", [
    ("40", 40), ("１２", 12), ("1,000", 1000), ("40个", 40), ("40 cases", 40), ("7.0", 7), ("0", 0),
    ("四十", 40), ("四十个", 40), ("十五", 15), ("十", 10), ("二十例", 20), ("一百零五", 105),
    ("一百二十个", 120), ("一百二", 120), ("两百", 200), ("两千五", 2500), ("三千零五十", 3050), ("一万五", 15000),
    ("forty", 40), ("forty-five", 45), ("a hundred and twenty", 120), ("two thousand", 2000), ("Sixty", 60),
])
def test_numbers_people_write(text, number):
    assert parse_case_count(text) == number


@pytest.mark.parametrize("text", ["", "-5", "2.5", "abc", "个", "四四", "万", "minus five", "and"])
def test_things_that_are_not_a_number_of_cases(text):
    with pytest.raises(ValueError):
        parse_case_count(text)
