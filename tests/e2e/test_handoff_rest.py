"""Asking for a person through the REST channel: a ticket, a paused conversation, and the way back."""
import uuid

import pytest

from bot import store

pytestmark = pytest.mark.rasa_server


def test_asking_for_a_person_pauses_until_staff_hand_back(running_assistant):
    sender = f"e2e-{uuid.uuid4().hex[:8]}"
    running_assistant.texts(sender, "我想给我妈报名防癌计划")
    running_assistant.texts(sender, "同意")
    running_assistant.texts(sender, "她叫王秀英")
    reply = " ".join(running_assistant.texts(sender, "转人工"))
    assert "人工客服" in reply
    assert running_assistant.tracker(sender)["paused"] is True

    engine = store.engine_for(f"sqlite:///{running_assistant.data_dir / 'enrollment.db'}")
    ticket = next(t for t in store.list_waiting_tickets(engine) if t.conversation_id == sender)
    assert ticket.reason == "user_request" and ticket.language == "zh"
    assert ticket.summary["relationship"] == "mother"

    # While paused the assistant stays quiet and typed answers fill nothing.
    assert running_assistant.texts(sender, "110105196103150029") == []
    assert running_assistant.tracker(sender)["slots"]["id_number"] is None

    # Staff hand back (what the support console does): resume, then the assistant picks up the form.
    running_assistant.request("POST", f"/conversations/{sender}/tracker/events",
                              {"event": "resume"})
    result = running_assistant.request(
        "POST", f"/conversations/{sender}/trigger_intent?output_channel=collector",
        {"name": "resume_conversation"})
    said = " ".join(m.get("text", "") for m in result.get("messages", []))
    assert "回来" in said and "身份证" in said  # back, and asking the next question of the enrollment
