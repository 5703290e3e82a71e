"""Where a health answer said as a sentence belongs: the question on screen, an earlier one or a later one."""
import pytest

from bot.core.screening_topics import Placement, placement, questions_named

IDS = ["H1", "H2", "H3", "H4", "H5", "H6"]


@pytest.mark.parametrize("text, named", [
    ("她前年查出过乳腺癌", ("H1",)), ("有，去年做过化疗", ("H2",)), ("胃里查出肠化", ("H3",)),
    ("她的肿瘤标志物有点偏高", ("H4",)), ("我爸最近瘦了十多斤", ("H5",)), ("下周去拿活检报告", ("H6",)),
    ("佢做過骨髓移植", ("H2",)), ("he was treated for lymphoma", ("H1",)), ("a lump in her breast", ("H4",)),
    ("she's lost a lot of weight", ("H5",)), ("waiting for her biopsy", ("H6",)), ("有", ()), ("yes", ()),
])
def test_the_question_a_health_answer_is_about(text, named):
    assert questions_named(text, IDS) == named


@pytest.mark.parametrize("asked, text", [("H1", "她前年查出过乳腺癌"), ("H2", "有，去年做过化疗"), ("H1", "有"),
                                         ("H4", "我爸肺上有个结节，还没确诊"), ("H6", "she's waiting for biopsy results")])
def test_a_yes_about_the_question_on_screen_or_about_nothing_in_particular_is_its_answer(asked, text):
    assert placement(asked, "yes", text, IDS) == Placement("here")


def test_a_yes_about_a_later_question_is_kept_for_that_question():
    """A raised marker at the treatment question is H4's yes, not a treatment: it is not recorded as H2."""
    assert placement("H2", "yes", "她的肿瘤标志物有点偏高，医生让复查", IDS) == Placement("later", "H4", 4)
    assert placement("H1", "yes", "我爸最近瘦了十多斤", IDS) == Placement("later", "H5", 5)
    assert placement("H1", "yes", "she did have radiotherapy in 2019", IDS) == Placement("later", "H2", 2)


def test_a_yes_about_an_earlier_question_changes_that_answer():
    assert placement("H3", "yes", "她前年查出过乳腺癌", IDS) == Placement("earlier", "H1", 1)
    assert placement("H5", "yes", "她做过化疗，也瘦了", IDS) == Placement("here")


def test_a_no_about_something_else_is_no_answer_unless_it_says_the_parent_is_well():
    assert placement("H1", "no", "她没做过化疗", IDS) == Placement("elsewhere")
    assert placement("H1", "no", "he hasn't had chemo", IDS) == Placement("elsewhere")
    assert placement("H1", "no", "體檢都正常，沒有結節", IDS) == Placement("here")
    assert placement("H1", "no", "she's healthy, no lumps", IDS) == Placement("here")


def test_not_sure_stays_where_it_was_said():
    assert placement("H1", "not_sure", "她好像做过化疗，我不清楚", IDS) == Placement("here")
