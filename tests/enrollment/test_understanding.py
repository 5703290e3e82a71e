"""Answers read as a person would (bot.core.answers, the form's validator, corrections): own examples, not the
held-out ones of tests/e2e/understanding_cases.py."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.enrollment import ActionCorrectAnswer
from actions.enrollment_answers import application_of
from actions.enrollment_form import ValidateEnrollmentForm
from bot.core import answers
from bot.core.answers import NameReading
from bot.core.enrollment import Ending
from tests.enrollment.helpers import FATHER_ID, MOTHER_ID, answers as all_answers, tracker
from tests.enrollment.test_actions import DOMAIN, before


@pytest.mark.parametrize("typed, name", [
    ("保华", "保华"), ("金互助", "金互助"), ("她叫康乐", "康乐"), ("我妈叫计秀兰", "计秀兰"), ("Joy Cover", "Joy Cover"),
    ("her name is Hope Price", "Hope Price"), ("Can Li", "Can Li"), ("买买提·艾力", "买买提·艾力"),
])
def test_ordinary_and_plan_words_are_names_where_a_name_is_asked(typed, name):
    assert answers.read_name_answer(typed) == answers.Reading(NameReading.NAME, name)


@pytest.mark.parametrize("typed, kind", [
    ("我母亲", NameReading.RELATIONSHIP), ("my mum", NameReading.RELATIONSHIP), ("嗨，你好", NameReading.GREETING),
    ("good morning", NameReading.GREETING), ("名字要写全吗？", NameReading.QUESTION),
    ("do you need her full name", NameReading.QUESTION), ("好的", NameReading.YES_NO),
    ("我想先问问等待期", NameReading.REQUEST),
])
def test_greetings_relationships_and_questions_are_not_names(typed, kind):
    assert answers.read_name_answer(typed).kind is kind


def test_several_answers_in_one_message_are_read_apart():
    found = answers.read_answers(f"给我爸报，他叫陈立新，身份证 {FATHER_ID}，电话 139-1234-5678")
    assert {key: value.strip() for key, value in found.items()} == {
        "relationship": "father", "member_name": "陈立新", "id_number": FATHER_ID, "phone": "139-1234-5678"}
    found = answers.read_answers("for my mother-in-law, Lily Zhou, mobile 13700009999")
    assert found["relationship"] == "mother_in_law" and found["member_name"] == "Lily Zhou"
    assert found["phone"].strip() == "13700009999"


@pytest.mark.parametrize("typed, field, value, question", [
    ("名字打错了，应该是周秀云", "member_name", "周秀云", None),
    ("wait, it should be Lily Chan", None, "Lily Chan", None),
    ("第五题我选错了，应该是没有", "screening", "no", 5),
    ("the fourth question should be not sure", "screening", "not_sure", 4),
    ("上一个问题答错了，其实有", "screening", "yes", None),
])
def test_a_correction_says_which_answer_and_its_new_value(typed, field, value, question):
    reading = answers.read_correction(typed, "member_name" if field is None else None)
    assert (reading.value, reading.question) == (value, question)
    assert reading.field == (field or "member_name")


async def validate(slots, **kwargs):
    dispatcher = CollectingDispatcher()
    events = await ValidateEnrollmentForm().run(dispatcher, tracker(slots, **kwargs), DOMAIN)
    return events, [m.get("response") for m in dispatcher.messages]


def slot_values(events):
    return {e["name"]: e["value"] for e in events if e["event"] == "slot"}


async def test_several_answers_after_the_privacy_notice_are_all_taken_and_checked():
    text = f"我妈叫吴秀芳，身份证号{MOTHER_ID}，手机13912345678"
    events, responses = await validate({**before("relationship"), "requested_slot": "relationship"}, text=text,
                                       entities=[{"entity": "relationship", "value": "mother"}],
                                       extracted={"relationship": "mother"})
    values = slot_values(events)
    assert values["relationship"] == "mother" and values["member_name"] == "吴秀芳"
    assert values["id_number"] == MOTHER_ID and values["phone"] == "13912345678"
    assert values["requested_slot"] == "health_consent"  # only what is missing is asked
    assert responses == []


async def test_a_wrong_id_among_several_answers_is_refused_and_the_rest_taken():
    text = "她叫吴秀芳，身份证110105196103150028，手机13912345678"
    events, responses = await validate({**before("member_name"), "requested_slot": "member_name"}, text=text,
                                       extracted={"member_name": text})
    values = slot_values(events)
    assert values["member_name"] == "吴秀芳" and values["phone"] == "13912345678"
    assert values["id_number"] is None and responses == ["utter_id_number_checksum"]
    assert values["requested_slot"] == "id_number"


async def test_a_plan_word_name_is_the_name_even_when_nlu_took_it_for_a_question():
    events, _ = await validate({**before("member_name"), "requested_slot": "member_name"}, text="金保障",
                               intent="faq", extracted={"member_name": "金保障"})
    assert slot_values(events)["member_name"] == "金保障"


async def test_a_question_at_the_name_prompt_goes_to_the_rules_and_is_not_a_name():
    events, _ = await validate({**before("member_name"), "requested_slot": "member_name"},
                               text="名字写拼音还是汉字？", intent="faq", extracted={"member_name": "名字写拼音还是汉字？"})
    assert any(e["event"] == "action_execution_rejected" and e["name"] == "enrollment_form" for e in events)
    assert slot_values(events)["member_name"] is None


@pytest.mark.parametrize("asked, typed, help_response", [
    ("id_number", "她只有护照", "utter_id_number_help"),
    ("id_number", "card expired ages ago", "utter_id_number_help"),
    ("phone", "老人家不用手机", "utter_phone_help"),
    ("phone", "she never picks up", "utter_phone_help"),
])
async def test_a_message_with_no_number_at_a_number_prompt_gets_help_not_a_format_error(asked, typed, help_response):
    events, responses = await validate({**before(asked), "requested_slot": asked}, text=typed, intent="inform",
                                       extracted={asked: typed})
    assert slot_values(events)[asked] is None  # asked again, nothing checked
    assert responses == [help_response]


async def test_a_number_with_a_typo_is_still_checked_as_one_at_the_number_prompt():
    events, responses = await validate({**before("phone"), "requested_slot": "phone"}, text="1391234567",
                                       intent="inform", extracted={"phone": "1391234567"})
    assert slot_values(events)["phone"] is None and responses == ["utter_phone_format"]


async def test_the_relationship_typed_at_the_name_prompt_is_not_the_name():
    events, responses = await validate({**before("member_name"), "requested_slot": "member_name"},
                                       text="我母亲", extracted={"member_name": "我母亲"})
    assert slot_values(events)["member_name"] is None and responses == ["utter_name_expected"]


async def test_a_correction_typed_at_a_health_question_changes_that_earlier_answer():
    slots = {**before("screening_h4"), "requested_slot": "screening_h4"}
    text = "第二题刚才选错了，应该是不确定"
    events, responses = await validate(slots, text=text, extracted={"screening_h4": text})
    values = slot_values(events)
    assert values["screening_h2"] == "not_sure" and values["screening_h4"] is None
    assert values["requested_slot"] == "screening_h4"  # back where the user was
    assert responses == ["utter_correction_ack"]


async def test_a_changed_health_answer_is_screened_again():
    slots = {**all_answers(enrollment_confirmed=None), "requested_slot": "enrollment_confirmed"}
    text = "第一个问题我答错了，其实有"
    events = await ActionCorrectAnswer().run(CollectingDispatcher(), tracker(slots, text=text, intent="correct"),
                                             DOMAIN)
    values = slot_values(events)
    assert values["screening_h1"] == "yes"
    changed = tracker({**slots, **values})
    assert application_of(changed).ending is Ending.DECLINED


@pytest.mark.parametrize("text", ["不知道", "我也不记得了", "名字我不清楚", "忘了", "dunno", "no idea",
                                  "I can't remember her name"])
def test_not_knowing_the_name_is_not_the_name(text):
    assert answers.read_name_answer(text).kind is answers.NameReading.NOT_A_NAME


@pytest.mark.parametrize("text", ["王不知", "高知", "Clue Wang", "Grace Hunter"])
def test_a_name_with_a_word_of_knowing_in_it_is_still_a_name(text):
    assert answers.read_name_answer(text).kind is answers.NameReading.NAME


@pytest.mark.parametrize("typed, name", [
    ("给周玉兰报", "周玉兰"), ("帮黄国强报名", "黄国强"), ("替吴桂香申请", "吴桂香"), ("for Lily Zhou", "Lily Zhou"),
    ("this is for Mark Chen", "Mark Chen"), ("Anna Wu, please", "Anna Wu"),
])
def test_a_name_said_as_who_the_enrollment_is_for_is_the_name(typed, name):
    assert answers.read_name_answer(typed) == answers.Reading(NameReading.NAME, name)
    assert answers.read_answers(typed) == {"member_name": name}


@pytest.mark.parametrize("typed, relationship", [
    ("给我婆婆报名", "mother_in_law"), ("帮我妈报个名", "mother"), ("for my father please", "father"),
])
def test_the_words_around_a_relationship_are_not_a_name(typed, relationship):
    # "给我妈报名" once left 报名 as the parent's name.
    assert answers.read_answers(typed) == {"relationship": relationship}


@pytest.mark.parametrize("typed", ["for how long", "帮我查一下", "报名", "please"])
def test_a_request_or_a_question_is_not_read_as_who_it_is_for(typed):
    assert answers.read_name_answer(typed).kind is not NameReading.NAME


async def test_a_name_typed_where_the_relationship_is_asked_is_kept_and_who_it_is_asked_next():
    events, responses = await validate({**before("relationship"), "requested_slot": "relationship"},
                                       text="给周玉兰报", intent="inform", extracted={})
    values = slot_values(events)
    assert values["member_name"] == "周玉兰" and values["relationship"] is None
    assert responses == []  # the form asks "周玉兰是您的什么人？" (utter_ask_relationship_named), nothing else


@pytest.mark.parametrize("typed, relationship", [("for my father please", "father"), ("就给我亲妈报个名", "mother"),
                                                 ("替家母申请", "mother"), ("我老豆", "father"),
                                                 ("给我姑妈报名", None), ("我舅妈", None)])
async def test_the_relationship_is_read_from_the_words_of_the_whole_message(typed, relationship):
    events, responses = await validate({**before("relationship"), "requested_slot": "relationship"},
                                       text=typed, intent="inform", extracted={"relationship": typed})
    assert slot_values(events)["relationship"] == relationship
    # An aunt is not a mother: the family is told who can be enrolled (and the name is not 我姑妈).
    assert responses == ([] if relationship else ["utter_relationship_not_allowed"])
    assert slot_values(events).get("member_name") is None


@pytest.mark.parametrize("typed", ["我姑妈", "给舅舅报名", "我邻居", "幫我姑媽報名", "我鄰居"])
def test_another_relative_is_not_a_name(typed):
    assert answers.read_name_answer(typed).kind is NameReading.RELATIONSHIP and answers.read_answers(typed) == {}


@pytest.mark.parametrize("typed, kind", [("qwzxv", NameReading.NOT_A_NAME), ("Ng Wai Man", NameReading.NAME)])
def test_a_slip_of_the_keyboard_is_not_a_name_but_a_short_surname_is(typed, kind):
    assert answers.read_name_answer(typed).kind is kind


@pytest.mark.parametrize("typed, kind, name", [
    ("我唔清楚", NameReading.NOT_A_NAME, None), ("唔知道", NameReading.NOT_A_NAME, None),
    ("佢叫何美華", NameReading.NAME, "何美華"), ("係李志明", NameReading.NAME, "李志明"),
    ("佢嘅名叫梁淑儀", NameReading.NAME, "梁淑儀"), ("我阿爸", NameReading.RELATIONSHIP, None),
    ("幫我阿媽報名", NameReading.RELATIONSHIP, None),
])
def test_written_cantonese_at_the_name_prompt_is_read_as_a_person_would(typed, kind, name):
    # 我唔知 once became the parent's name, and 佢叫 stayed in front of one.
    assert answers.read_name_answer(typed) == answers.Reading(kind, name)


async def test_a_health_answer_about_a_later_question_is_not_recorded_for_the_one_on_screen():
    """A raised tumour marker typed at the treatment question (H2): H2 is asked again, H4 will ask it."""
    slots = {**before("screening_h2"), "requested_slot": "screening_h2"}
    text = "她的肿瘤标志物有点偏高，医生让复查"
    events, responses = await validate(slots, text=text, extracted={"screening_h2": "yes"})
    values = slot_values(events)
    assert values["screening_h2"] is None and "screening_h4" not in values
    assert responses == ["utter_screening_asked_later"]
    changed = tracker({**slots, **values})
    assert application_of(changed).ending is None  # not declined for a treatment never had


async def test_a_health_answer_about_an_earlier_question_changes_it_and_is_screened_again():
    slots = {**before("screening_h3"), "requested_slot": "screening_h3"}
    text = "她前年查出过乳腺癌"
    events, responses = await validate(slots, text=text, extracted={"screening_h3": "yes"})
    values = slot_values(events)
    assert values["screening_h1"] == "yes" and values["screening_h3"] is None
    assert responses == ["utter_screening_answer_changed"]
    assert application_of(tracker({**slots, **values})).ending is Ending.DECLINED


async def test_a_no_about_something_else_is_asked_again_not_recorded():
    slots = {**before("screening_h1"), "requested_slot": "screening_h1"}
    events, responses = await validate(slots, text="她没做过化疗", extracted={"screening_h1": "no"})
    assert slot_values(events)["screening_h1"] is None
    assert responses == ["utter_screening_asks_another_thing"]
