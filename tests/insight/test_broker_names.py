"""A parent's name as the family typed it never leaves through the event broker: not in the message at
the name prompt, not in the name slot, not in what the assistant says back. The conversation store
keeps it only until the enrollment ends (then blanks it); the broker's events cannot be taken back, so
they never carry it. Through the real servers with the default SQL broker."""
from __future__ import annotations

import json
import sqlite3
import uuid

import pytest
from rasa.core.brokers.sql import SQLEventBroker
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa.tracker_store import NAME_SLOT, PrivateTrackerStore
NAMES = {"zh": ("我想给我妈报名防癌计划", "同意", "她叫欧阳秀珍", "欧阳秀珍"),
         "en": ("I want to sign my dad up for the cancer plan", "I agree", "his name is Zhuge Kongming",
                "Zhuge Kongming")}


def broker_events(data_dir, sender: str) -> list[dict]:
    with sqlite3.connect(data_dir / "insight-events.db") as connection:
        rows = connection.execute("SELECT data FROM events WHERE sender_id = ? ORDER BY id", (sender,))
        return [json.loads(data) for (data,) in rows]


@pytest.mark.rasa_server
@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_name_typed_at_the_name_prompt_is_absent_from_the_broker_events(running_assistant, language):
    *messages, name = NAMES[language]
    sender = f"names-{language}-{uuid.uuid4().hex[:8]}"
    for message in messages:
        running_assistant.texts(sender, message)
    assert running_assistant.tracker(sender)["slots"][NAME_SLOT] == name  # the assistant did take it

    events = broker_events(running_assistant.data_dir, sender)
    assert any(e.get("event") == "slot" and e.get("name") == NAME_SLOT and e.get("value") for e in events)
    assert any(e.get("event") == "user" and "＊" in (e.get("text") or "") for e in events)
    published = json.dumps(events, ensure_ascii=False)
    for part in name.split():
        assert part not in published
    assert "".join(name.split()) not in published


DOMAIN = Domain.load("domain")
ASKED = [ActionExecuted("action_listen"), UserUttered("我想给我妈报名", intent={"name": "enroll"}),
         ActiveLoop("enrollment_form"), SlotSet("requested_slot", NAME_SLOT), BotUttered("她叫什么名字？")]
ANSWERED = [ActionExecuted("action_listen"),
            UserUttered("她叫 ouyang xiuzhen", intent={"name": "inform"},
                        parse_data={"intent": {"name": "inform"}, "text": "她叫 ouyang xiuzhen",
                                    "entities": [{"entity": "name", "value": "ouyang xiuzhen"}]}),
            SlotSet(NAME_SLOT, "Ouyang Xiuzhen"), SlotSet("requested_slot", "id_number"),
            BotUttered("好的，Ouyang Xiuzhen 的身份证号码是？")]


@pytest.mark.parametrize("saves", [[ASKED + ANSWERED], [ASKED, ANSWERED]], ids=["one save", "two saves"])
async def test_the_broker_gets_no_name_whether_the_prompt_came_in_this_save_or_an_earlier_one(tmp_path, saves):
    broker_db = tmp_path / "insight-events.db"
    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(broker_db)))
    events: list = []
    for batch in saves:
        events += batch
        await store.save(DialogueStateTracker.from_events("family-n", list(events), slots=DOMAIN.slots))
    published = broker_events(tmp_path, "family-n")
    text = json.dumps(published, ensure_ascii=False).lower()
    assert "ouyang" not in text and "xiuzhen" not in text
    [answer] = [e for e in published if e["event"] == "user" and e["parse_data"]["intent"]["name"] == "inform"]
    assert answer["text"] == "＊" * len("她叫 ouyang xiuzhen")  # the intent is still there for insight
    assert [e["value"] for e in published if e.get("name") == NAME_SLOT] == ["＊"]
    assert any("身份证号码" in (e.get("text") or "") for e in published)  # the rest is as kept
    assert "我想给我妈报名" in text


async def test_when_the_store_fails_the_fallback_publishes_no_name_either(tmp_path):
    from rasa.core.tracker_store import FailSafeTrackerStore

    store = PrivateTrackerStore(domain=DOMAIN, dialect="sqlite", db=str(tmp_path / "tracker.db"),
                                event_broker=SQLEventBroker(db=str(tmp_path / "insight-events.db")))

    async def broken_save(tracker):
        raise OSError("disk full")

    store.save = broken_save
    await FailSafeTrackerStore(store).save(
        DialogueStateTracker.from_events("family-f", ASKED + ANSWERED, slots=DOMAIN.slots))
    published = broker_events(tmp_path, "family-f")
    assert [e["value"] for e in published if e.get("name") == NAME_SLOT] == ["＊"]
    text = json.dumps(published, ensure_ascii=False).lower()
    assert "ouyang" not in text and "xiuzhen" not in text and "身份证号码" in text


def test_a_short_latin_name_is_not_blanked_inside_the_code_names_insight_reads():
    from bot.rasa.tracker_store import without_names

    [said] = without_names([{"event": "bot", "text": "Thank you, al. AL's ID number?",
                             "metadata": {"utter_action": "utter_ask_all_id_number"}}], {"Al"}, None)
    assert said["text"] == "Thank you, ＊＊. ＊＊'s ID number?"
    assert said["metadata"]["utter_action"] == "utter_ask_all_id_number"
