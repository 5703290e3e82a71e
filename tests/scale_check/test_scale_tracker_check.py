"""The scale test's tracker comparison against what the private conversation store really keeps: exact
for a whole enrollment whose name it forgot (as typed or as read), and it still sees a lost message, a
duplicate, and a name the store failed to forget."""
from __future__ import annotations

import uuid

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.conversations import enrollment_conversation
from bench.scale.enrollers import Attempt, Conversation
from bench.scale.tracker_check import compare
from bot.core.typed_identity import read_name
from bot.rasa.tracker_store import PrivateTrackerStore, stored_events

DOMAIN = Domain.load("domain")


def enrollment(index: int, name_as_typed_first: bool) -> tuple[Conversation, DialogueStateTracker]:
    """A whole scripted enrollment as the client saw it, and its tracker: the name slot filled from the
    third answer, the name in later replies, the slot cleared when the enrollment ends."""
    messages, words = enrollment_conversation(index)
    name = read_name(messages[2])
    conversation = Conversation(index, f"s-{uuid.uuid4().hex[:8]}", "en", messages, words, finished=True)
    tracker = DialogueStateTracker(conversation.sender, DOMAIN.slots)
    for turn, message in enumerate(messages):
        reply = f"{words}: enrolled {name}, 110102 phone {messages[4]}" if turn == len(messages) - 1 \
            else f"Question {turn} about {name}?"
        tracker.update(UserUttered(message, {"name": "inform"}))
        if turn == 2:
            for value in ([message, name] if name_as_typed_first else [name]):
                tracker.update(SlotSet("member_name", value))
        if turn == len(messages) - 1:
            tracker.update(SlotSet("member_name", None))
        tracker.update(BotUttered(reply))
        tracker.update(ActionExecuted("action_listen"))
        conversation.attempts.append(Attempt(turn, 1, 0.0, 0.1, 200, [{"text": reply}]))
    return conversation, tracker


@pytest.fixture
def store(tmp_path, monkeypatch):
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    made = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"))
    yield made
    made.engine.dispose()


@pytest.mark.parametrize("index, as_typed_first", [(0, True), (0, False), (1, True), (1, False)])
async def test_a_whole_enrollment_compares_exactly_with_what_the_store_kept(store, index, as_typed_first):
    conversation, tracker = enrollment(index, as_typed_first)
    await store.save(tracker)
    kept = stored_events(store, tracker.sender_id)
    assert read_name(conversation.messages[2]) not in str(kept)  # the store did forget it

    result = compare(conversation, kept)
    assert (result["lost"], result["duplicates"], result["exact"], result["name_kept"]) == (0, 0, True, False)


async def test_a_lost_and_a_duplicated_message_are_still_counted(store):
    conversation, tracker = enrollment(1, True)
    await store.save(tracker)
    kept = stored_events(store, tracker.sender_id)
    users = [n for n, e in enumerate(kept) if e["event"] == "user"]
    without_turn_5 = kept[:users[5]] + kept[users[6]:]
    assert compare(conversation, without_turn_5)["lost_user_messages"] == 1
    twice = kept[:users[7]] + [kept[users[7]]] + kept[users[7]:]
    assert compare(conversation, twice)["duplicate_user_messages"] == 1


def test_a_name_kept_after_the_enrollment_ended_is_reported():
    conversation, tracker = enrollment(0, False)
    as_sent = [event.as_dict() for event in tracker.events]  # no store: nothing forgotten
    assert compare(conversation, as_sent)["name_kept"] is True
