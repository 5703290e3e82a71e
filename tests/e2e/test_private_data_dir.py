"""A real start-up and a whole enrollment over REST, then what an operator and a stranger observe (issue
14, store side): DATA_DIR 0700 and every file in it 0600 although the test runs with a permissive umask;
the enrollment store holds the typed phone in no form; a REST sender that is a phone number can finish an
enrollment; another enroller typing the same ID number learns nothing about the membership.

The answers follow the question the assistant asks (its requested slot), not a fixed order."""
import os
import stat
import uuid

import pytest

from tests.conftest import assistant_started

pytestmark = pytest.mark.rasa_server

ID_NUMBER = "110105196103150029"
PHONE = "13912345678"
ANSWERS = {
    "member_name": "她叫王秀英", "id_number": "110105 19610315 0029", "phone": "+86 139-1234-5678",
    "privacy_consent": "同意", "health_consent": "同意", "member_agreement": "她同意的",
    "truthful_declaration": "确认属实", "deduction_authorization": "同意扣款授权",
    "enrollment_confirmed": "正确，提交",
}


@pytest.fixture(scope="module")
def assistant(tmp_path_factory):
    old_umask = os.umask(0o022)  # what a shell usually has: files 0644, folders 0755
    try:
        with assistant_started(tmp_path_factory.mktemp("private") / "data") as running:
            yield running
    finally:
        os.umask(old_umask)


def enroll(assistant, sender):
    replies = assistant.texts(sender, "我想给我妈报名防癌计划")
    for _ in range(30):
        slots = assistant.tracker(sender)["slots"]
        if slots.get("enrollment_number"):
            return slots["enrollment_number"], replies
        asked = slots.get("requested_slot")
        answer = "没有" if asked and asked.startswith("screening_") else ANSWERS.get(asked)
        assert answer, f"unexpected question {asked!r} after {replies!r}"
        replies = assistant.texts(sender, answer)
    pytest.fail(f"no enrollment after 30 answers; last replies {replies!r}")


def test_an_enrollment_leaves_private_files_and_no_phone_in_the_store(assistant):
    number, replies = enroll(assistant, "13711112222")  # a REST sender that is itself a phone number
    assert "报名成功" in " ".join(replies)

    data = assistant.data_dir
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    modes = {p.name: oct(stat.S_IMODE(p.stat().st_mode)) for p in data.rglob("*") if p.is_file()}
    assert {"enrollment.db", "tracker.db", "id-encryption.key"} <= set(modes)
    assert any(name.endswith(".log") for name in modes)
    assert modes == {name: "0o600" for name in modes}

    stored = b"".join(p.read_bytes() for p in data.glob("enrollment.db*")).decode("latin-1")
    for form in (PHONE, "139 1234 5678", "139-1234-5678", "8613912345678", "12345678"):
        assert form not in stored
    assert number in stored


def test_another_enroller_typing_the_id_number_learns_nothing(assistant):
    sender = f"stranger-{uuid.uuid4().hex[:8]}"
    assistant.texts(sender, "我想给我妈报名防癌计划")
    for _ in range(6):  # answer up to the ID number, whatever comes first
        asked = assistant.tracker(sender)["slots"].get("requested_slot")
        if asked == "id_number":
            break
        assistant.texts(sender, ANSWERS[asked])
    replies = " ".join(assistant.texts(sender, ID_NUMBER))
    assert "没法继续报名" in replies and "转人工" in replies
    assert "成员" not in replies and "会员" not in replies and "SC" not in replies
