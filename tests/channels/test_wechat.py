"""The WeChat Official Account connector, driven with requests shaped like WeChat's documented ones.

The connector runs in a real Sanic server; the WeChat API it calls is a local fake (conftest.py).
"""
from __future__ import annotations

import asyncio
import base64
import hashlib
import logging
import os
import struct
import time
import uuid
from typing import Dict, Optional

import aiohttp
import pytest
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from rasa.core.channels.channel import UserMessage

from bot.channels.wechat import WeChatInput
from bot.channels.wechat_api import TEXT_LIMIT_BYTES, WeChatClient, split_text
from bot.store.shared_state import MemoryState, RedisState, shared_state

TOKEN = "test-token-3f9a"
APP_ID = "wx-test-app"
APP_SECRET = "test-secret"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"  # 43 characters, as WeChat issues them
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
WEBHOOK = "/webhooks/wechat/webhook"


def wechat_signature(*parts: str) -> str:
    """Written out from WeChat's documentation, independently of the code under test."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()


NOW = [1_764_000_000.0]  # the test clock (wall-clock seconds, as WeChat's timestamps)


def signed_query(age_s: float = 0, nonce: str = "", **extra: str) -> Dict[str, str]:
    """A query string as WeChat signs it: now (or `age_s` ago, by the test clock), with a fresh nonce."""
    timestamp, nonce = str(int(NOW[0] - age_s)), nonce or uuid.uuid4().hex[:10]
    return {"signature": wechat_signature(TOKEN, timestamp, nonce), "timestamp": timestamp,
            "nonce": nonce, "openid": OPENID, **extra}


def text_message(content: str, msg_id: str = "23924512345678901", openid: str = OPENID) -> str:
    return (f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
            f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
            f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
            f"<Content><![CDATA[{content}]]></Content><MsgId>{msg_id}</MsgId></xml>")


def subscribe_event(create_time: str = "1700000100") -> str:
    return (f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
            f"<FromUserName><![CDATA[{OPENID}]]></FromUserName><CreateTime>{create_time}</CreateTime>"
            f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event></xml>")


def encrypt_for_wechat(xml: str, app_id: str = APP_ID) -> str:
    """Safe-mode encryption as WeChat documents it: AES-256-CBC over random(16) + len(4) + xml + appid."""
    key = base64.b64decode(AES_KEY + "=")
    body = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(body)) + body + app_id.encode()
    padder = padding.PKCS7(256).padder()  # 32-byte blocks
    padded = padder.update(plain) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(padded) + encryptor.finalize()).decode()


def encrypted_push(xml: str, app_id: str = APP_ID, tamper: bool = False):
    """The query string and body of a safe-mode push."""
    encrypted = encrypt_for_wechat(xml, app_id)
    query = signed_query(encrypt_type="aes")
    query["msg_signature"] = wechat_signature(TOKEN, query["timestamp"], query["nonce"], encrypted)
    if tamper:
        query["msg_signature"] = wechat_signature(TOKEN, query["timestamp"], query["nonce"], "other")
    body = (f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>")
    return query, body


@pytest.fixture
def channel(wechat_api) -> WeChatInput:
    """Plaintext mode (no EncodingAESKey)."""
    return WeChatInput(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=wechat_api.url,
                       state=MemoryState(), clock=lambda: NOW[0])


@pytest.fixture
async def rasa(serve_channels, channel):
    running = await serve_channels(channel)
    yield running
    await channel.finish_background_work(0)


@pytest.fixture
async def safe_rasa(serve_channels, wechat_api):
    """Safe (or compatible) mode: an EncodingAESKey is configured."""
    channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, aes_key=AES_KEY,
                          api_base=wechat_api.url, state=MemoryState(), clock=lambda: NOW[0])
    running = await serve_channels(channel)
    yield running
    await channel.finish_background_work(0)


async def post(url: str, query: Dict[str, str], body: str | bytes) -> tuple[int, str]:
    async with aiohttp.ClientSession() as http:
        async with http.post(url + WEBHOOK, params=query, data=body,
                             headers={"Content-Type": "text/xml"}) as response:
            return response.status, await response.text()


async def received(agent, count: int = 1, timeout: float = 3.0) -> list[UserMessage]:
    deadline = time.monotonic() + timeout
    while len(agent.messages) < count and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return agent.messages


# --- URL verification -------------------------------------------------------------------------------

async def test_url_verification_returns_echostr_when_the_signature_matches(rasa):
    query = {**signed_query(), "echostr": "6187053461913447271"}
    async with aiohttp.ClientSession() as http:
        async with http.get(rasa.url + WEBHOOK, params=query) as response:
            assert response.status == 200
            assert await response.text() == "6187053461913447271"


@pytest.mark.parametrize("signature", ["0" * 40, "", None])
async def test_url_verification_is_refused_with_a_wrong_signature(rasa, signature: Optional[str]):
    query = {**signed_query(), "echostr": "6187053461913447271"}
    if signature is None:
        del query["signature"]
    else:
        query["signature"] = signature
    async with aiohttp.ClientSession() as http:
        async with http.get(rasa.url + WEBHOOK, params=query) as response:
            assert response.status == 403
            assert "6187053461913447271" not in await response.text()


async def test_without_a_token_every_call_is_refused(serve_channels, wechat_api):
    unconfigured = WeChatInput(token="", api_base=wechat_api.url)
    running = await serve_channels(unconfigured)
    query = {**signed_query(), "echostr": "1"}
    query["signature"] = wechat_signature("", query["timestamp"], query["nonce"])
    async with aiohttp.ClientSession() as http:
        async with http.get(running.url + WEBHOOK, params=query) as response:
            assert response.status == 403
    assert (await post(running.url, query, text_message("hi")))[0] == 403
    assert running.agent.messages == []


# --- inbound messages -------------------------------------------------------------------------------

async def test_plaintext_text_message_reaches_the_assistant(rasa):
    status, body = await post(rasa.url, signed_query(), text_message("我想为我妈妈报名"))
    assert (status, body) == (200, "success")
    [message] = await received(rasa.agent)
    assert message.text == "我想为我妈妈报名"
    assert message.sender_id == f"wx:{OPENID}"
    assert message.input_channel == "wechat"
    assert message.message_id == "23924512345678901"
    assert not message.metadata  # WeChat does not say the language: the assistant detects it


async def test_safe_mode_message_is_decrypted(safe_rasa):
    query, body = encrypted_push(text_message("How much does it cost?"))
    assert await post(safe_rasa.url, query, body) == (200, "success")
    [message] = await received(safe_rasa.agent)
    assert message.text == "How much does it cost?"
    assert message.sender_id == f"wx:{OPENID}"


async def test_safe_mode_message_for_another_app_is_refused(safe_rasa):
    query, body = encrypted_push(text_message("hello"), app_id="wx-someone-else")
    status, _ = await post(safe_rasa.url, query, body)
    assert status == 400
    await asyncio.sleep(0.2)
    assert safe_rasa.agent.messages == []


async def test_bad_msg_signature_is_refused_and_nothing_reaches_the_assistant(safe_rasa):
    query, body = encrypted_push(text_message("hello"), tamper=True)
    status, _ = await post(safe_rasa.url, query, body)
    assert status == 403
    await asyncio.sleep(0.2)
    assert safe_rasa.agent.messages == []


async def test_bad_plaintext_signature_is_refused_and_nothing_reaches_the_assistant(rasa):
    query = {**signed_query(), "signature": wechat_signature("wrong-token", "1", "2")}
    status, _ = await post(rasa.url, query, text_message("hello"))
    assert status == 403
    await asyncio.sleep(0.2)
    assert rasa.agent.messages == []


async def test_a_retried_delivery_is_handled_once(rasa):
    for _ in range(3):  # WeChat retries the same MsgId when it thinks the first try failed
        assert await post(rasa.url, signed_query(), text_message("你好", msg_id="777")) == (200, "success")
    for _ in range(2):  # events carry no MsgId: sender and CreateTime identify them
        assert await post(rasa.url, signed_query(), subscribe_event()) == (200, "success")
    await asyncio.sleep(0.3)
    assert [m.text for m in rasa.agent.messages] == ["你好", "/greet"]


async def test_a_new_message_id_is_a_new_message(rasa):
    await post(rasa.url, signed_query(), text_message("一", msg_id="1"))
    await post(rasa.url, signed_query(), text_message("一", msg_id="2"))
    assert len(await received(rasa.agent, 2)) == 2


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>&lol9;</Content><MsgId>1</MsgId></xml>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE xml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<xml><FromUserName>x</FromUserName><MsgType>text</MsgType><Content>&secret;</Content><MsgId>2</MsgId></xml>"""


@pytest.mark.parametrize("payload", [BILLION_LAUGHS, EXTERNAL_ENTITY, "<xml><unclosed></xml>",
                                     "<html><body/></html>", "not xml at all"])
async def test_hostile_or_malformed_xml_is_rejected_fast(rasa, payload: str):
    started = time.monotonic()
    status, _ = await post(rasa.url, signed_query(), payload)  # even with a valid signature
    assert status == 400
    assert time.monotonic() - started < 1.0
    await asyncio.sleep(0.1)
    assert rasa.agent.messages == []


async def test_hostile_xml_inside_a_safe_mode_message_is_rejected(safe_rasa):
    query, body = encrypted_push(BILLION_LAUGHS)
    assert (await post(safe_rasa.url, query, body))[0] == 400
    assert safe_rasa.agent.messages == []


async def test_an_oversized_body_is_rejected(rasa):
    status, _ = await post(rasa.url, signed_query(), text_message("字" * 40_000))
    assert status == 400
    assert rasa.agent.messages == []


async def test_a_slow_assistant_is_still_acknowledged_within_5_seconds(rasa):
    async def slow_turn(message: UserMessage) -> None:
        await asyncio.sleep(8)

    rasa.agent.reply = slow_turn
    started = time.monotonic()
    assert await post(rasa.url, signed_query(), text_message("慢慢来")) == (200, "success")
    assert time.monotonic() - started < 5
    assert len(await received(rasa.agent)) == 1  # the turn is under way in the background


async def test_subscribing_greets_the_user_in_chinese(rasa):
    assert await post(rasa.url, signed_query(), subscribe_event()) == (200, "success")
    [message] = await received(rasa.agent)
    assert message.text == "/greet"
    assert message.metadata == {"language": "zh"}
    assert message.sender_id == f"wx:{OPENID}"


async def test_other_pushes_are_acknowledged_and_ignored(rasa):
    image = (f"<xml><ToUserName><![CDATA[gh_1]]></ToUserName>"
             f"<FromUserName><![CDATA[{OPENID}]]></FromUserName>"
             f"<CreateTime>1700000000</CreateTime><MsgType><![CDATA[image]]></MsgType>"
             f"<PicUrl><![CDATA[http://example.invalid/p.jpg]]></PicUrl><MsgId>99</MsgId></xml>")
    assert await post(rasa.url, signed_query(), image) == (200, "success")
    await asyncio.sleep(0.2)
    assert rasa.agent.messages == []


# --- replies ----------------------------------------------------------------------------------------

async def test_replies_go_out_as_customer_service_messages(rasa, wechat_api):
    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "您好！")

    rasa.agent.reply = answer
    await post(rasa.url, signed_query(), text_message("你好"))
    for _ in range(100):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.02)
    assert wechat_api.sent == [{"touser": OPENID, "msgtype": "text", "text": {"content": "您好！"},
                                "access_token": "token-1"}]


async def test_pushed_agent_replies_reach_the_user_through_get_output_channel(channel, wechat_api):
    output = channel.get_output_channel()
    await output.send_text_message(f"wx:{OPENID}", "A colleague will call you today.")
    await output.send_text_message("web:0123456789abcdef0123456789abcdef", "not a WeChat user")
    assert [m["touser"] for m in wechat_api.sent] == [OPENID]
    await channel.finish_background_work(0)


async def test_buttons_become_numbered_options_and_a_number_picks_one(rasa, wechat_api):
    buttons = [{"title": "是 Yes", "payload": "/affirm"}, {"title": "否 No", "payload": "/deny"}]

    async def ask(message: UserMessage) -> None:
        if message.text == "开始":
            await message.output_channel.send_text_with_buttons(message.sender_id, "确认吗？", buttons)

    rasa.agent.reply = ask
    await post(rasa.url, signed_query(), text_message("开始", msg_id="1"))
    await received(rasa.agent, 1)
    for _ in range(100):
        if wechat_api.sent:
            break
        await asyncio.sleep(0.02)
    assert wechat_api.sent[0]["text"]["content"] == "确认吗？\n\n1. 是 Yes\n2. 否 No"

    await post(rasa.url, signed_query(), text_message("２", msg_id="2"))  # a full-width digit, as IMEs type
    await post(rasa.url, signed_query(), text_message("2", msg_id="3"))  # options answer one message only
    assert [m.text for m in await received(rasa.agent, 3)] == ["开始", "/deny", "2"]


async def test_access_token_is_cached_then_refreshed_on_expiry(wechat_api):
    now = [1000.0]
    client = WeChatClient(APP_ID, APP_SECRET, wechat_api.url, clock=lambda: now[0])
    assert await client.send_text(OPENID, "one")
    assert await client.send_text(OPENID, "two")
    assert len(wechat_api.token_requests) == 1
    assert wechat_api.token_requests[0] == {"grant_type": "client_credential", "appid": APP_ID,
                                            "secret": APP_SECRET}
    now[0] += 7200
    assert await client.send_text(OPENID, "three")
    assert len(wechat_api.token_requests) == 2
    assert [m["access_token"] for m in wechat_api.sent] == ["token-1", "token-1", "token-2"]
    await client.close()


@pytest.mark.parametrize("errcode", [40001, 42001, 40014])
async def test_a_rejected_token_is_fetched_again_and_the_message_resent(wechat_api, errcode: int):
    client = WeChatClient(APP_ID, APP_SECRET, wechat_api.url)
    assert await client.send_text(OPENID, "one")
    wechat_api.send_errors = [errcode]
    assert await client.send_text(OPENID, "two")
    assert len(wechat_api.token_requests) == 2
    assert [(m["text"]["content"], m["access_token"]) for m in wechat_api.sent] == [
        ("one", "token-1"), ("two", "token-2")]
    await client.close()


async def test_long_replies_are_split_under_the_text_limit(wechat_api):
    client = WeChatClient(APP_ID, APP_SECRET, wechat_api.url)
    paragraph = "参保人须年满六十周岁。" * 40  # 440 characters, 1320 bytes
    reply = "\n".join([paragraph] * 5)
    assert await client.send_text(OPENID, reply)
    parts = [m["text"]["content"] for m in wechat_api.sent]
    assert len(parts) > 1
    assert all(len(p.encode("utf-8")) <= TEXT_LIMIT_BYTES for p in parts)
    assert parts == [paragraph] * 5  # cut at line ends, nothing lost
    await client.close()


def test_split_text_cuts_an_endless_line_at_character_boundaries():
    text = "é" * 3000 + "好" * 1000  # 2-byte and 3-byte characters, no line breaks
    parts = split_text(text)
    assert "".join(parts) == text
    assert all(len(p.encode("utf-8")) <= TEXT_LIMIT_BYTES for p in parts)
    assert split_text("short") == ["short"]
    assert split_text("   \n\n") == []


async def test_a_closed_reply_window_is_logged_not_raised(wechat_api, caplog):
    client = WeChatClient(APP_ID, APP_SECRET, wechat_api.url)
    wechat_api.send_errors = [45015]
    with caplog.at_level(logging.WARNING, logger="bot.channels"):
        assert await client.send_text(OPENID, "Are you still there?") is False
    assert "45015" in caplog.text
    await client.close()


async def test_an_unreachable_api_is_logged_not_raised(caplog):
    client = WeChatClient(APP_ID, APP_SECRET, "http://127.0.0.1:9")  # nothing listens on port 9
    with caplog.at_level(logging.ERROR, logger="bot.channels"):
        assert await client.send_text(OPENID, "hello") is False
    assert "failed" in caplog.text
    await client.close()


async def test_logs_never_carry_content_openids_or_secrets(rasa, wechat_api, caplog):
    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "回复内容ABC")

    rasa.agent.reply = answer
    wechat_api.send_errors = [40001, 45015]
    with caplog.at_level(logging.DEBUG):
        await post(rasa.url, signed_query(), text_message("秘密内容XYZ", msg_id="5"))
        await post(rasa.url, signed_query(), text_message("秘密内容XYZ", msg_id="5"))
        query, body = encrypted_push(text_message("秘密内容XYZ", msg_id="6"), tamper=True)
        await post(rasa.url, query, body)
        await received(rasa.agent)
        await asyncio.sleep(0.3)
    logged = caplog.text
    for secret in (OPENID, "秘密内容XYZ", "回复内容ABC", TOKEN, APP_SECRET, AES_KEY, "token-1", "token-2"):
        assert secret not in logged


def test_from_credentials_falls_back_to_the_settings(monkeypatch):
    monkeypatch.setenv("WECHAT_TOKEN", "from-env")
    monkeypatch.setenv("WECHAT_APP_ID", APP_ID)
    monkeypatch.setenv("WECHAT_AES_KEY", AES_KEY)
    channel = WeChatInput.from_credentials({"token": "from-file"})
    assert channel._token == "from-file"
    assert channel._cipher is not None
    assert WeChatInput.from_credentials(None)._token == "from-env"


def test_a_malformed_aes_key_fails_at_startup():
    with pytest.raises(ValueError):
        WeChatInput(token=TOKEN, app_id=APP_ID, aes_key="too-short")



# --- freshness, replays and safe mode (a signed URL from a log must not let anyone post) ------------------

async def test_a_call_older_or_newer_than_five_minutes_is_refused(rasa):
    for age in (301, -301, 3600):
        assert (await post(rasa.url, signed_query(age_s=age), text_message("旧", msg_id=f"old{age}")))[0] == 403
        query = {**signed_query(age_s=age), "echostr": "1"}
        async with aiohttp.ClientSession() as http:
            async with http.get(rasa.url + WEBHOOK, params=query) as response:
                assert response.status == 403
    assert await post(rasa.url, signed_query(age_s=299), text_message("新", msg_id="new")) == (200, "success")
    assert [m.text for m in await received(rasa.agent)] == ["新"]


async def test_a_replayed_nonce_is_ignored_whatever_body_it_carries(rasa):
    query = signed_query()
    assert await post(rasa.url, query, text_message("我同意", msg_id="1")) == (200, "success")
    await received(rasa.agent)
    # The same signed query string (from a log, say) with another message and another sender:
    assert await post(rasa.url, query, text_message("我同意扣款", msg_id="2", openid="o-victim")) == (200, "success")
    await asyncio.sleep(0.2)
    assert [(m.sender_id, m.text) for m in rasa.agent.messages] == [(f"wx:{OPENID}", "我同意")]


async def test_with_an_aes_key_plaintext_pushes_are_refused(safe_rasa):
    status, _ = await post(safe_rasa.url, signed_query(), text_message("伪造的明文消息"))
    assert status == 403
    query, body = encrypted_push(text_message("真的"))
    assert await post(safe_rasa.url, query, body) == (200, "success")
    assert [m.text for m in await received(safe_rasa.agent)] == ["真的"]


@pytest.fixture
async def redis_state():
    """Real Redis (127.0.0.1:6379, a database of its own), as replicas share it in production."""
    import redis.asyncio

    url = "redis://127.0.0.1:6379/12"  # a database of its own: flushed before and after
    admin = redis.asyncio.from_url(url)
    try:
        await admin.flushdb()
    except OSError as error:
        pytest.fail(f"Redis at 127.0.0.1:6379 does not answer: {error}")
    states = []

    def make() -> RedisState:
        states.append(RedisState(url, prefix=f"test-{uuid.uuid4().hex[:6]}:" if not states else states[0]._prefix))
        return states[-1]

    yield make
    for state in states:
        await state.close()
    await admin.flushdb()
    await admin.close()


async def test_replicas_sharing_redis_handle_a_message_once_and_refuse_a_nonce_used_on_the_other(
        serve_channels, wechat_api, redis_state):
    replicas = []
    for _ in range(2):
        channel = WeChatInput(token=TOKEN, app_id=APP_ID, app_secret=APP_SECRET, api_base=wechat_api.url,
                              state=redis_state(), clock=lambda: NOW[0])
        replicas.append((channel, await serve_channels(channel)))
    (first, one), (second, two) = replicas
    # WeChat retries a message; the retry reaches the other replica.
    assert await post(one.url, signed_query(), text_message("你好", msg_id="42")) == (200, "success")
    assert await post(two.url, signed_query(), text_message("你好", msg_id="42")) == (200, "success")
    # A replayed query string, at the other replica.
    query = signed_query()
    assert await post(one.url, query, text_message("一", msg_id="43")) == (200, "success")
    assert await post(two.url, query, text_message("二", msg_id="44")) == (200, "success")
    await asyncio.sleep(0.3)
    assert [m.text for m in one.agent.messages + two.agent.messages] == ["你好", "一"]
    for channel, _ in replicas:
        await channel.finish_background_work(0)


async def test_replicas_share_one_access_token(wechat_api, redis_state):
    clients = [WeChatClient(APP_ID, APP_SECRET, wechat_api.url, state=redis_state()) for _ in range(3)]
    assert all(await asyncio.gather(*(c.send_text(OPENID, f"from {n}") for n, c in enumerate(clients))))
    assert len(wechat_api.token_requests) == 1  # one fetch for all: none invalidates another's token
    assert {m["access_token"] for m in wechat_api.sent} == {"token-1"}
    # WeChat revokes it: the first replica to notice fetches a new one, and the others use that one.
    wechat_api._issued += 1  # the fake now accepts only token-2, which nobody holds
    for n, client in enumerate(clients):
        assert await client.send_text(OPENID, f"again {n}")
    assert len(wechat_api.token_requests) == 2
    assert [m["access_token"] for m in wechat_api.sent[-3:]] == ["token-3"] * 3
    for client in clients:
        await client.close()


def test_without_redis_the_state_is_this_processs_memory(monkeypatch):
    monkeypatch.delenv("REDIS_HOST", raising=False)
    assert isinstance(shared_state(), MemoryState)
    monkeypatch.setenv("REDIS_HOST", "127.0.0.1")
    assert isinstance(shared_state(), RedisState)


async def test_the_memory_state_forgets_on_the_test_clock():
    now = [0.0]
    state = MemoryState(clock=lambda: now[0])
    assert await state.add_if_absent("n", 10) and not await state.add_if_absent("n", 10)
    now[0] = 10.5
    assert await state.add_if_absent("n", 10)
    assert [await state.count("c", 5) for _ in range(3)] == [1, 2, 3]
    now[0] = 16
    assert await state.count("c", 5) == 1
