"""A family told to come back once the results are in hears when the reminder will come and how to stop
it, and the reminder waits in the outbox for its day (the notifier's side: tests/store)."""
import uuid

import pytest

from bench.conversations import member_id_number
from bot import store
from bot.core.language import script_language
from bot.store.outbox import list_notices

pytestmark = pytest.mark.rasa_server

# Members of their own: the shared assistant refuses an ID number another test has already enrolled.
ZH = ["我想给我妈报名防癌计划", "同意", "她叫王秀英", member_id_number(91001, female=True), "139-1234-5678", "同意", "她同意的",
      "没有", "没得过", "从来没有", "没有", "都没有", "是的"]  # H6 (waiting for a result): yes
EN = ["I'd like to enroll my mother", "I agree", "her name is Mary Li", member_id_number(91002, female=True), "+86 139 1234 5678",
      "I agree", "yes she agrees", "no", "never", "nope", "I don't think so", "no", "yes"]


@pytest.mark.parametrize("script, language, promise, stop", [(ZH, "zh", "提醒您", "退订"), (EN, "en", "reminder", "stop")])
def test_a_deferred_family_is_promised_the_reminder_and_it_is_queued(running_assistant, script, language,
                                                                      promise, stop):
    sender = f"deferred-{uuid.uuid4().hex[:8]}"
    for message in script[:-1]:
        assert running_assistant.texts(sender, message), f"no answer to {message!r}"
    last = running_assistant.texts(sender, script[-1])
    said = " ".join(last)
    assert promise in said and stop in said, last
    assert all(script_language(reply) in (language, None) for reply in last), last
    engine = store.engine_for(f"sqlite:///{running_assistant.data_dir / 'enrollment.db'}")
    [notice] = [n for n in list_notices(engine, recipient=f"rest:{sender}") if n.kind == "deferred_reminder"]
    assert notice.status == "pending" and notice.language == language
