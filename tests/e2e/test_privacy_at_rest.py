"""After real conversations, no typed ID number or phone is kept anywhere at rest (issue 14).

Families enroll over REST and in the web chat, in both languages; one refuses the privacy notice after
volunteering an ID number, one refuses the health consent, one cancels after giving everything. Then an
operator looks everywhere the system keeps things: every file under DATA_DIR (the SQLite conversation and
enrollment stores with their write-ahead logs, the servers' logs), and, in the production setup, the
PostgreSQL conversation and enrollment databases. None holds a typed number, in any separator form.
The same scan finds them when the conversation store's protection is turned off, so it can fail.
"""
from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from bench.conversations import member_id_number, phone
from tests.conftest import ROOT, assistant_started
from tests.e2e.test_enrollment_rest import EN_CONVERSATION, ZH_CONVERSATION, converse
from tests.privacy.scan import numbers_in, numbers_in_files

pytestmark = pytest.mark.rasa_server

# Members of their own (index far from the benchmark's and the other tests').
ZH_ID, ZH_PHONE = member_id_number(90001, female=True), phone(9001)
EN_ID, EN_PHONE = member_id_number(90002, female=False), "+86 137 0000 9002"
REFUSED_ID = member_id_number(90003, female=True)
HEALTH_ID, HEALTH_PHONE = member_id_number(90005, female=True), "139 0000 9005"
CANCEL_ID, CANCEL_PHONE = member_id_number(90007, female=True), "13900009007"
TYPED = [ZH_ID, ZH_PHONE, EN_ID, EN_PHONE, REFUSED_ID, HEALTH_ID, HEALTH_PHONE, CANCEL_ID, CANCEL_PHONE]


def zh_enrollment() -> list[str]:
    messages = list(ZH_CONVERSATION)
    messages[3], messages[4] = ZH_ID, ZH_PHONE
    return messages


def en_enrollment() -> list[str]:
    messages = list(EN_CONVERSATION)
    messages[3], messages[4] = EN_ID, EN_PHONE
    return messages


def families(assistant, web_url: str | None = None) -> dict[str, str]:
    """The conversations of the module docstring; their sender ids by what happened."""
    senders = {kind: f"privacy-{kind}-{uuid.uuid4().hex[:8]}" for kind in ("zh", "refused", "health", "cancel")}
    assert "报名成功" in str(converse(assistant, senders["zh"], zh_enrollment())[-1])
    refused = converse(assistant, senders["refused"], [f"我想给我妈报名，她身份证是{REFUSED_ID}", "不同意"])
    assert "您的信息怎么用" in str(refused[0]) and "不会收集" in str(refused[-1])  # the notice first, then stopped
    converse(assistant, senders["health"], ["我想给我妈报名", "同意", "她叫赵桂兰", HEALTH_ID, HEALTH_PHONE, "不同意"])
    converse(assistant, senders["cancel"], ["我想给我妈报名", "同意", "她叫孙丽华", CANCEL_ID, CANCEL_PHONE, "不报了",
                                            "/affirm"])
    if web_url:
        senders["web"] = asyncio.run(web_enrollment(web_url))
    else:
        senders["en"] = f"privacy-en-{uuid.uuid4().hex[:8]}"
        converse(assistant, senders["en"], en_enrollment())
    return senders


async def web_enrollment(url: str) -> str:
    """An English enrollment typed into the web chat (the socket.io protocol rasa-webchat speaks)."""
    from tests.channels.test_webchat import Widget

    widget = Widget()
    session_id = await widget.open(url)
    try:
        for message in en_enrollment():
            before = len(widget.bot_messages)
            await widget.say(message, language="en")
            assert len(await widget.replies(before + 1, timeout=30)) > before, f"no answer to {message!r}"
            await asyncio.sleep(0.5)  # let the rest of the turn's replies arrive
    finally:
        await widget.close()
    return f"web:{session_id}"


def assert_forgotten(assistant, sender: str, name: str) -> None:
    tracker = assistant.tracker(sender)
    assert all(tracker["slots"].get(slot) is None for slot in ("member_name", "id_number", "phone"))
    assert name not in str(tracker["events"]), f"{name} is still in the conversation"


@pytest.fixture
def websocket_client(monkeypatch):
    """The socket.io test client's aiohttp shim (see tests/channels/test_webchat.py)."""
    import aiohttp

    if not hasattr(aiohttp, "ClientWSTimeout"):
        monkeypatch.setattr(aiohttp, "ClientWSTimeout", lambda ws_close: ws_close, raising=False)


def test_nothing_typed_is_kept_in_the_local_setup(tmp_path, websocket_client):
    with assistant_started(tmp_path) as assistant:
        senders = families(assistant, web_url=assistant.url)
        assert "All done" in str(assistant.tracker(senders["web"])["events"])
        assert_forgotten(assistant, senders["health"], "赵桂兰")
        assert_forgotten(assistant, senders["cancel"], "孙丽华")
    assert numbers_in_files(tmp_path, TYPED) == {}


def test_the_scan_finds_the_numbers_when_the_protection_is_off(tmp_path):
    plain = tmp_path / "endpoints-plain.yml"
    plain.write_text((ROOT / "endpoints.yml").read_text().replace(
        "type: bot.rasa.tracker_store.PrivateTrackerStore", "type: SQL"))
    with assistant_started(tmp_path, RASA_ENDPOINTS=str(plain)) as assistant:
        converse(assistant, f"plain-{uuid.uuid4().hex[:8]}", ["我想给我妈报名", "同意", "她叫王秀英", CANCEL_ID])
    found = numbers_in_files(tmp_path, TYPED)
    assert any(Path(path).name.startswith("tracker.db") for path in found), found


@pytest.fixture
def postgres_schema(postgres_server):
    url, admin = postgres_server
    schema = f"privacy_e2e_{uuid.uuid4().hex[:10]}"
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url, schema
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))


def test_nothing_typed_is_kept_in_the_postgresql_stores(tmp_path, postgres_schema):
    url, schema = postgres_schema
    server = make_url(url)
    endpoints = tmp_path / "endpoints-postgresql.yml"
    endpoints.write_text((ROOT / "endpoints.yml").read_text().replace(
        "  dialect: sqlite\n  db: ${TRACKER_DB}\n",
        f"  dialect: postgresql\n  url: {server.host}\n  port: {server.port}\n  db: {server.database}\n"
        f"  username: {server.username}\n"))
    store_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    with assistant_started(data_dir, RASA_ENDPOINTS=str(endpoints), POSTGRESQL_SCHEMA=schema,
                           DATABASE_URL=store_url.render_as_string(hide_password=False),
                           CONVERSATION_SEAL_KEY="c" * 43 + "=") as assistant:
        senders = families(assistant)
        assert "All done" in str(assistant.tracker(senders["en"])["events"])

    engine = create_engine(store_url, future=True)
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names(schema=schema)
            assert "events" in tables and "enrollments" in tables
            rows = {table: str(connection.execute(text(f'SELECT * FROM "{schema}"."{table}"')).all())
                    for table in tables}
    finally:
        engine.dispose()
    assert "privacy-zh" in rows["events"]  # the conversations are there ...
    assert {table: numbers_in(kept, TYPED) for table, kept in rows.items() if numbers_in(kept, TYPED)} == {}
    assert numbers_in_files(data_dir, TYPED) == {}  # ... and no number in the logs either
