"""The deduction authorization record keeps the schedule as the user read it, in their language, with the
text version of the authorization they agreed to."""
from datetime import datetime, timezone

import pytest
from rasa.shared.core.domain import Domain

from bot.core import enrollment
from bot import store
from bot.core.enrollment import Application
from bot.core.submission import Origin, submission_of
from bot.core.plan.config import load_plan
from bot.core.plan.facts import plan_facts
from tests.enrollment.helpers import TODAY, answers

AT = datetime(2026, 11, 28, 2, 0, tzinfo=timezone.utc)
ASKED = Domain.load("domain").as_dict()["responses"]["utter_ask_deduction_authorization"]


def shown_to(language: str) -> str:
    """The authorization question as the user read it, the plan's figures filled in."""
    [variation] = [v for v in ASKED if v["condition"][0]["value"] == language]
    return variation["text"].format(**plan_facts(language, today=TODAY))


@pytest.mark.parametrize("language, expected", [
    ("zh", "每月14日和28日各扣一次"),
    ("en", "on the 14th and 28th of each month"),
])
def test_the_schedule_is_stored_in_the_language_the_user_saw(enrollment_store, language, expected):
    submission = submission_of(Application.of(answers(), TODAY),
                                       Origin(f"rest:{language}@1", "rest", f"rest:{language}", language),
                                       {key: AT for key in enrollment.CONSENTS})
    result = store.submit_enrollment(enrollment_store, submission)

    authorization = store.get_enrollment(enrollment_store, result.enrollment_number).authorization
    assert authorization.schedule == expected
    assert authorization.schedule in shown_to(language)  # word for word what the question said
    assert authorization.version == load_plan().consents.deduction_authorization
    assert authorization.authorized_at == AT
