"""A long conversation through the REST channel (issue 19): an enrollment started, then many plan
questions in the middle of it, a restart of the assistant, and the enrollment finished. The assistant
still knows the first answers, the enrollment is stored, and the conversation store holds exactly what
was said and answered, each once and in order (as the private store keeps it: numbers masked, the
member's name forgotten once the enrollment ends).

This is the safety net of any change that makes a turn's cost flat in the conversation's length (a
condensed tracker, a tracker cache): a few hundred events, more than any window such a change keeps.
The time per turn is measured by `make bench` (bench/long_conversation.py), never here.
"""
import uuid

import pytest

from bench.conversations import member_id_number, phone
from bench.scale.enrollers import Attempt, Conversation
from bench.scale.tracker_check import compare
from bot.core.session_history import is_condensed
from tests.e2e.test_enrollment_rest import ZH_CONVERSATION, enrollment_rows

pytestmark = pytest.mark.rasa_server

# Plan questions a family asks at the health-consent question; none of them starts another flow.
PLAN_QUESTIONS = ["这个计划保哪些病", "等待期多久", "确诊了能领多少", "谁可以参加", "从哪个账户扣钱"]
ROUNDS = 8             # 40 questions in the middle of the form
MEMBER = 90_019        # a member of this test's own (bench/conversations.py numbers them)


def test_an_enrollment_interrupted_by_many_questions_and_a_restart_finishes_and_is_stored_exactly(
        running_assistant):
    sender = f"long-{uuid.uuid4().hex[:8]}"
    script = list(ZH_CONVERSATION)
    script[3], script[4] = member_id_number(MEMBER, female=True), phone(MEMBER)
    questions = PLAN_QUESTIONS * ROUNDS
    messages = script[:5] + questions + script[5:]
    conversation = Conversation(index=0, sender=sender, language="zh", messages=messages,
                                success_words="报名成功")

    def say(turn: int) -> list[str]:
        replies = running_assistant.say(sender, messages[turn])
        conversation.attempts.append(Attempt(turn=turn, attempt=1, started=0.0, seconds=0.0, status=200,
                                             replies=replies))
        texts = [reply.get("text", "") for reply in replies]
        assert any(texts), f"no answer to {messages[turn]!r} (turn {turn + 1})"
        return texts

    for turn in range(5 + len(questions)):
        say(turn)
    slots = running_assistant.tracker(sender)["slots"]
    assert slots["requested_slot"] == "health_consent", "the questions did not end the form"
    assert slots["member_name"] == "王秀英", "the first answers are still known"

    running_assistant.restart()
    transcript = [say(turn) for turn in range(5 + len(questions), len(messages))]
    conversation.finished = True

    read_back = " ".join(transcript[-2])
    assert "王秀英" in read_back and "********" in read_back, "the read-back shows the first answers"
    assert conversation.succeeded(), transcript[-1]
    number = running_assistant.tracker(sender)["slots"]["enrollment_number"]
    status, counts, _ = enrollment_rows(running_assistant, number)
    assert status == "active" and counts["screening_answers"] == 6

    # After the form, the store condenses the session (bot.rasa.condensed_sessions): the family's
    # questions are still answered, the enrollment still known, each turn reads a short session.
    for question in PLAN_QUESTIONS * 2:
        messages.append(question)
        assert say(len(messages) - 1), question
    assert running_assistant.tracker(sender)["slots"]["enrollment_number"] == number
    latest = latest_session(running_assistant, sender)
    assert any(is_condensed(e.as_dict()) for e in latest.events), "the long session was condensed"
    assert len(latest.events) < 200

    events = running_assistant.tracker(sender)["events"]
    assert len(events) > 300, "long enough to be more than any window a condensed tracker keeps"
    assert not any(is_condensed(e) for e in events), "the whole conversation is as it happened"
    kept = compare(conversation, events)
    assert kept["lost"] == 0 and kept["duplicates"] == 0, kept
    assert not kept["name_kept"], "the finished enrollment's name is forgotten in the whole conversation"


def latest_session(assistant, sender):
    """The latest session as a turn reads it from the assistant's conversation store."""
    import asyncio

    from rasa.shared.core.domain import Domain

    from bot.rasa.tracker_store import PrivateTrackerStore

    store = PrivateTrackerStore(domain=Domain.load("domain"), dialect="sqlite", db=str(assistant.data_dir / "tracker.db"))
    try:
        return asyncio.run(store.retrieve(sender))
    finally:
        store.engine.dispose()
