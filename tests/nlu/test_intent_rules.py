"""The readings a rule corrects after the classifiers (issue 13): a sign-up stating an age the plan
does not take gets the age limit, "why do you need her ID number" (or whether it is needed at all) gets the
reason for the question, another document or a parent who cannot take calls gets that plan question, sounds
that say nothing are read as nothing, and a relationship span with more than the word in it gets the plan
value."""
import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.core.answers import carries_number, read_name_answer, says_nothing
from bot.core.intent_rules import asks_to_enroll_a_parent, asks_to_join_at_age_outside, asks_why_a_field_is_needed, \
    form_request_behind, offers_another_document, stated_age, tells_phone_trouble
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


def test_whether_a_field_is_needed_at_all_gets_the_reason_for_the_question():
    assert asks_why_a_field_is_needed("手机号一定要留吗")
    assert asks_why_a_field_is_needed("is her phone number required")
    assert not asks_why_a_field_is_needed("一定要本人同意吗")  # not about a field of the form
    assert not asks_why_a_field_is_needed("老人记不住自己的号码，写我的可以不")  # may I write mine: whose phone
    assert not asks_why_a_field_is_needed("手机号一定要是老人本人的吗")  # must it be hers: whose phone
    assert read("身份证可以不给吗", "faq", "faq/personal_data")[0] == "ask_why_asked"
    assert read("is her ID number compulsory", "faq", "faq/whose_phone")[0] == "ask_why_asked"
    assert read("身份证可以不给吗", "faq", "faq/which_document") == ("faq", "faq/which_document")


@pytest.mark.parametrize("text", ["用社保卡号可以吗", "他只有港澳通行证", "would a birth certificate work",
                                  "she has a green card, not an ID"])
def test_another_document_is_the_document_question_whatever_the_model_read(text):
    assert offers_another_document(text)
    for reading in ("inform", "not_sure", "deny", "correct", "nlu_fallback"):
        assert read(text, reading) == ("faq", "faq/which_document")


def test_a_remark_about_another_document_read_as_another_plan_question_is_the_document_question():
    assert read("she's only got a Hong Kong identity card", "out_of_scope") == ("faq", "faq/which_document")
    assert read("我可以给你她的户口本号码", "faq", "faq/whose_phone") == ("faq", "faq/which_document")
    assert read("护照丢了还能申请互助金吗", "faq", "faq/claim") == ("faq", "faq/claim")  # a question of its own


def test_whether_a_field_may_be_left_out_is_asked_whatever_plan_question_it_was_read_as():
    assert read("can I leave his phone number out", "faq", "faq/withdraw")[0] == "ask_why_asked"
    assert read("能不能不填手机号", "faq", "faq/cancel_deduction")[0] == "ask_why_asked"
    assert read("能不能不填手机号", "faq", "faq/which_document") == ("faq", "faq/which_document")


def test_a_document_with_an_id_number_in_it_is_an_answer_and_a_sign_up_stays_one():
    assert not offers_another_document("身份证110105196103150029，护照也有")
    assert read("我想给我妈报名，她有护照", "enroll") == ("enroll", None)


@pytest.mark.parametrize("text", ["我妈电话经常打不通", "老爷子听不清电话", "dad rarely picks up calls",
                                  "her mobile is out of battery all the time"])
def test_a_parent_who_cannot_take_calls_is_the_whose_phone_question(text):
    assert tells_phone_trouble(text)
    for reading in ("deny", "correct", "inform", "nlu_fallback"):
        assert read(text, reading) == ("faq", "faq/whose_phone")


def test_a_phone_remark_that_is_an_answer_or_a_plan_question_stays_as_read():
    assert not tells_phone_trouble("手机号填错了")
    assert not tells_phone_trouble("他不接电话，换成13912345678")  # the new number is the answer
    assert read("手机打不通的话怎么申请互助金", "faq", "faq/claim") == ("faq", "faq/claim")
    # told, not asked: the phone question, whatever plan question the model took it for
    assert read("her phone is always off", "faq", "faq/up_to") == ("faq", "faq/whose_phone")
    assert read("我妈手机经常没电", "faq", "faq/waiting_period") == ("faq", "faq/whose_phone")


@pytest.mark.parametrize("text", ["啊", "呃……", "哎呀", "哈哈哈", "hmm", "Uhh?", "erm", "ahhh", "???", "oh"])
def test_sounds_that_say_nothing_are_read_as_nothing(text):
    assert says_nothing(text)
    assert read(text, "faq", "faq/in_laws")[0] == "nlu_fallback"
    assert read_name_answer(text).kind.value == "not_a_name"


@pytest.mark.parametrize("text", ["嗯", "嗯嗯", "ok", "好的", "阿依古丽", "Ahmed", "Hana", "王秀英"])
def test_a_yes_or_a_name_is_not_a_sound(text):
    assert not says_nothing(text)


@pytest.mark.parametrize("text, reading", [
    ("姓名 周玉梅，电话 13912345678", "correct"), ("dad, Victor Free, 13912345678", "correct"),
    ("father-in-law Ben Ma, ID 110105195807200018", "faq"), ("婆婆 陈秀兰 13698765432", "nlu_fallback"),
])
def test_several_answers_in_one_message_are_answers_whatever_the_model_read(text, reading):
    assert read(text, reading)[0] == "inform"


@pytest.mark.parametrize("text", [
    "不对，手机应该是13912345678，名字王秀英",       # a correction says so
    "my mum Mary Wang, can I use 13912345678?",      # a question
    "13912345678",                                   # one answer only
    "我妈叫王秀英，她身体挺好的",                    # no number: nothing for this rule
])
def test_a_correction_a_question_or_a_single_answer_is_left_as_read(text):
    assert read(text, "correct")[0] == "correct"


@pytest.mark.parametrize("text", ["can I give her passport number instead?", "would his driving licence number do?",
                                  "可以填她的护照号码吗"])
def test_a_question_offering_another_document_read_as_the_phone_or_data_question_is_the_document_question(text):
    for topic in ("faq/whose_phone", "faq/personal_data"):
        assert read(text, "faq", topic) == ("faq", "faq/which_document")


def test_a_question_about_a_document_and_the_phone_stays_as_read():
    assert read("can I use her passport, her phone is off?", "faq", "faq/whose_phone") == ("faq", "faq/whose_phone")


@pytest.mark.parametrize("text", ["my dad is hard of hearing, can I leave my number instead",
                                  "mum is deaf, can you ring me instead?", "我妈耳背，能留我的号码吗"])
def test_a_parent_who_cannot_take_calls_and_an_offer_of_ones_own_number_is_the_whose_phone_question(text):
    assert tells_phone_trouble(text)
    for topic in ("faq/withdraw", "faq/claim"):
        assert read(text, "faq", topic) == ("faq", "faq/whose_phone")


def test_a_question_about_a_parent_who_cannot_take_calls_that_offers_no_number_stays_as_read():
    assert read("my dad is hard of hearing, can he still join?", "faq", "faq/age") == ("faq", "faq/age")
    assert read("老人耳背，确诊了怎么申请互助金", "faq", "faq/claim") == ("faq", "faq/claim")


@pytest.mark.parametrize("text", ["麻烦你给我妈妈报个名", "請幫我爸爸申請", "我想同阿媽登記", "how do I register my dad",
                                  "please help me sign up my mother", "can I get my father registered"])
def test_a_request_to_enroll_a_parent_read_as_a_plan_question_or_out_of_scope_starts_the_enrollment(text):
    for reading in (("faq", "faq/general_plan"), ("out_of_scope", None), ("nlu_fallback", None)):
        assert read(text, *reading)[0] == "enroll"


@pytest.mark.parametrize("text", ["给我妈报名多少钱", "帮我爸报名以后多久有保障", "我妈71岁，能帮她报名吗", "帮我婆婆报名",
                                  "给姑妈报名可以吗", "我爸报名了吗", "不要给我妈报名了", "is my dad enrolled",
                                  "how much is it to sign up my dad", "can I enroll my mother-in-law",
                                  "my mum is 72, can I sign her up"])
def test_a_question_with_more_than_a_request_to_enroll_a_parent_stays_as_read(text):
    assert not asks_to_enroll_a_parent(text)
    assert read(text, "faq", "faq/general_plan")[0] != "enroll"


def test_a_request_to_enroll_a_parent_read_as_an_answer_stays_an_answer():
    assert read("给我爸报", "inform")[0] == "inform"


def test_a_request_to_enroll_a_parent_the_rule_starts_carries_the_parent_when_the_model_marked_none():
    message = Message(data={"text": "how can I sign my dad up", "intent": {"name": "faq", "confidence": 0.6},
                            "entities": []})
    IntentRules(60, 70).process([message])
    assert message.get("intent")["name"] == "enroll"
    assert [(e["entity"], e["value"], message.get("text")[e["start"]:e["end"]]) for e in message.get("entities")] \
        == [("relationship", "father", "dad")]


@pytest.mark.parametrize("text", ["给我妈报名要花多少钱", "幫老爸報名收唔收費", "how much is it to enroll my mother",
                                  "is there a fee to sign my dad up"])
def test_a_sign_up_that_asks_what_it_costs_gets_the_cost_answer_not_the_form(text):
    assert read(text, "enroll") == ("faq", "faq/free_to_join")


def test_a_sign_up_without_a_price_in_it_stays_a_sign_up():
    assert read("我想给我妈报名，她今年65", "enroll")[0] == "enroll"
    assert read("sign my mum up please", "enroll")[0] == "enroll"


@pytest.mark.parametrize("text, meant", [("没毛病", "affirm"), ("係啊，冇錯", "affirm"), ("是的，沒有錯", "affirm"),
                                         ("right, exactly", "affirm"), ("从来没得过", "deny"), ("唔係", "deny"),
                                         ("nah", "deny"), ("no, never", "deny")])
def test_a_plain_yes_or_no_is_that_whatever_the_model_read(text, meant):
    opposite = "deny" if meant == "affirm" else "affirm"
    for reading in (opposite, "greet", "goodbye"):
        assert read(text, reading)[0] == meant


@pytest.mark.parametrize("text", ["是的，没有", "yes, no", "不用了，谢谢", "好的", "她有高血压", "no thanks"])
def test_a_mixed_or_wordier_yes_or_no_is_left_to_the_model(text):
    assert read(text, "goodbye")[0] == "goodbye"


# A health answer said as a sentence (set Q's kind; these are not set Q's messages).
@pytest.mark.parametrize("text, meant", [
    ("我妈前年做过乳腺癌手术", "affirm"), ("她肺上长了个结节，医生还在查", "affirm"), ("佢做過化療", "affirm"),
    ("he was diagnosed with lymphoma in 2015", "affirm"), ("she's waiting for her biopsy results", "affirm"),
    ("我爸从来没得过什么大病", "deny"), ("體檢報告一切正常", "deny"), ("她没做过放化疗，也没做过移植", "deny"),
    ("she has never had a tumour", "deny"), ("he hasn't lost any weight, no bleeding either", "deny"),
    ("这个得问我妈，我不清楚", "not_sure"), ("I don't know about her tests, I'd need to check", "not_sure"),
])
def test_a_health_answer_said_as_a_sentence_is_the_yes_no_or_not_sure_it_says(text, meant):
    for reading in {"affirm", "deny", "faq", "correct", "inform"} - {meant}:
        assert read(text, reading)[0] == meant


@pytest.mark.parametrize("text", [
    "没化疗，但是做过手术", "以前有个结节，查出来没事", "she had cancer but it's not back",
    "no chemo, but she did have surgery"])
def test_a_health_answer_with_a_yes_in_it_is_never_recorded_as_no(text):
    """Yes in one part, no in another: a person decides (not sure), rather than a "no" being recorded."""
    assert read(text, "deny")[0] == "not_sure"


@pytest.mark.parametrize("text, reading", [
    ("我妈得过乳腺癌，还能参加吗", "faq"), ("有糖尿病会不会不让参加", "faq"), ("这个问题我没看明白", "ask_meaning"),
    ("she had cancer, can she still join?", "faq"), ("我妈身体不好，下次再说", "pause_enrollment"),
    ("她没有癌症，我想找人工客服", "ask_human"), ("刚才答错了，应该是没有", "correct"), ("王秀英", "inform"),
    ("我爸身体不好", "faq")])
def test_a_question_a_request_or_a_vague_remark_about_health_is_left_to_the_model(text, reading):
    assert read(text, reading)[0] == reading


# A finding, a sign or a treatment named without a verb of having (set R's kind; not set R's or S's messages).
@pytest.mark.parametrize("text", ["她的甲胎蛋白偏高", "我爸这半年消瘦得厉害", "咳嗽老是带血", "佢個腫瘤指標偏高",
                                  "he was treated for melanoma", "she's been losing weight lately",
                                  "the doctor wants a biopsy on the lump"])
def test_a_finding_or_a_sign_named_without_a_negation_says_yes(text):
    for reading in ("deny", "faq", "ask_meaning", "inform"):
        assert read(text, reading)[0] == "affirm"


@pytest.mark.parametrize("text", ["癌症跟她不沾边", "she doesn't have any lumps"])
def test_a_finding_named_with_a_negation_is_never_a_yes(text):
    assert read(text, "deny")[0] == "deny"


@pytest.mark.parametrize("text", ["这个得问过我妈才知道", "I'd have to ask her about her tests",
                                  "he keeps his health stuff to himself"])
def test_an_answer_that_has_to_ask_the_parent_first_is_not_sure(text):
    for reading in ("affirm", "deny", "faq", "enroll"):
        assert read(text, reading)[0] == "not_sure"


@pytest.mark.parametrize("text, reading", [("我妈身体很好，想给她报名", "inform"), ("我妈身体很好，想给她报名", "enroll"),
                                           ("我妈身体很好", "enroll"), ("she's healthy, I want to sign her up", "faq")])
def test_a_remark_about_health_in_a_request_to_join_is_not_a_screening_answer(text, reading):
    assert read(text, reading)[0] == reading
