"""退订 / unsubscribe typed in a conversation ends the family's notices (issue 18), in each language."""
import uuid

import pytest

from bot import store
from bot.store.outbox import has_opted_out

pytestmark = pytest.mark.rasa_server


@pytest.mark.parametrize("typed, answer", [("退订", "不再给您发通知"), ("please unsubscribe me from the reminders",
                                                                      "no more notices")])
def test_typing_stop_records_the_opt_out_and_says_what_still_comes(running_assistant, typed, answer):
    sender = f"stop-{uuid.uuid4().hex[:8]}"
    running_assistant.texts(sender, "你好" if "退订" in typed else "hello")
    said = " ".join(running_assistant.texts(sender, typed))
    assert answer in said
    engine = store.engine_for(f"sqlite:///{running_assistant.data_dir / 'enrollment.db'}")
    assert has_opted_out(engine, sender) or has_opted_out(engine, f"rest:{sender}")
