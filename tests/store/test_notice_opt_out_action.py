"""The assistant's side of 退订: the action records the opt-out in the store under the family's
channel-namespaced sender id and answers in their language."""
from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.notice_opt_out import ActionStopNotices
from bot.store.outbox import has_opted_out


def tracker(sender: str, language: str) -> Tracker:
    return Tracker(sender, {"language": language}, {"intent": {"name": "stop_notices"}, "text": "退订"},
                   [], False, None, {}, "socketio")


async def test_stop_records_the_opt_out_and_says_what_still_comes(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    from bot.core import settings
    from bot.store import upgrade_schema

    upgrade_schema(settings.database_url())
    dispatcher = CollectingDispatcher()
    await ActionStopNotices().run(dispatcher, tracker("web:tab-1", "zh"), {})
    assert [m["response"] for m in dispatcher.messages] == ["utter_notices_stopped"]
    from actions.enrollment_answers import store_engine

    assert has_opted_out(store_engine(), "web:tab-1")
