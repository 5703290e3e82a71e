"""Traditional Chinese is read as simplified by the model and answered in the script the user writes."""
from bot.core.chinese_script import script_of, to_simplified, to_traditional
from bot.rasa.nlg import in_traditional


def test_traditional_text_is_converted_to_simplified_for_understanding():
    assert to_simplified("請問這個計劃的保障範圍") == "请问这个计划的保障范围"
    assert to_simplified("I want to join 這個") == "I want to join 这个"


def test_the_script_is_told_from_characters_that_differ():
    assert script_of("幫我媽報名") == "traditional"
    assert script_of("帮我妈报名") == "simplified"
    assert script_of("你好") is None  # the same in both scripts: no signal
    assert script_of("hello 123") is None


def test_a_response_is_converted_but_its_placeholders_are_not():
    response = {"text": "请输入{member_name}的18位居民身份证号码。",
                "buttons": [{"title": "同意", "payload": "/affirm"}, {"title": "不确定", "payload": "/not_sure"}]}
    converted = in_traditional(response)
    assert converted["text"] == "請輸入{member_name}的18位居民身份證號碼。"
    assert [b["title"] for b in converted["buttons"]] == ["同意", "不確定"]
    assert [b["payload"] for b in converted["buttons"]] == ["/affirm", "/not_sure"]
    assert to_traditional("保障范围") == "保障範圍"


async def test_a_user_writing_traditional_is_answered_in_traditional_with_their_answers_as_typed():
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.nlg import PlanResponseGenerator

    domain = Domain.load("domain")
    nlg = PlanResponseGenerator(domain=domain)
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", "zh"),
                                                     SlotSet("chinese_script", "traditional"),
                                                     SlotSet("member_name", "王秀英")], domain.slots)
    reply = await nlg.generate("utter_ask_id_number", tracker, "rest")
    assert reply["text"] == "請輸入王秀英的18位居民身份證號碼。"  # 王秀英 stays as typed (simplified)
    tracker.update(SlotSet("chinese_script", "simplified"))
    assert (await nlg.generate("utter_ask_id_number", tracker, "rest"))["text"] == "请输入王秀英的18位居民身份证号码。"


async def test_the_plans_own_figures_are_written_in_the_users_script():
    """The payout is ours to write: "10万元" to a simplified reader, "10萬元" to a traditional one."""
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import SlotSet
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.rasa.nlg import PlanResponseGenerator

    domain = Domain.load("domain")
    nlg = PlanResponseGenerator(domain=domain)
    tracker = DialogueStateTracker.from_events("t", [SlotSet("language", "zh"),
                                                     SlotSet("chinese_script", "traditional")], domain.slots)
    assert "10萬元" in (await nlg.generate("utter_faq/covered", tracker, "rest"))["text"]
    tracker.update(SlotSet("chinese_script", "simplified"))
    assert "10万元" in (await nlg.generate("utter_faq/covered", tracker, "rest"))["text"]
