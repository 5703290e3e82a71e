"""WeChat voice, pictures, stickers and locations (issue 21), against the fake WeChat API at the edge.

A recognised voice message is handled like typed text and said back first; one without recognition, a
picture (stickers arrive as pictures), a location or a video gets a short friendly answer in the user's
language, never silence.
"""
from __future__ import annotations

import asyncio
from typing import List

from rasa.core.channels.channel import UserMessage

from .test_wechat import OPENID, channel, post, rasa, received, signed_query, text_message  # noqa: F401

HEADER = (f"<xml><ToUserName><![CDATA[gh_7f083739789a]]></ToUserName>"
          f"<FromUserName><![CDATA[{OPENID}]]></FromUserName><CreateTime>1700000000</CreateTime>")


def voice(recognition: str | None, msg_id: str) -> str:
    said = f"<Recognition><![CDATA[{recognition}]]></Recognition>" if recognition is not None else ""
    return (HEADER + "<MsgType><![CDATA[voice]]></MsgType><MediaId><![CDATA[m1]]></MediaId>"
            f"<Format><![CDATA[amr]]></Format>{said}<MsgId>{msg_id}</MsgId></xml>")


def push_of(msg_type: str, msg_id: str, extra: str = "") -> str:
    return HEADER + f"<MsgType><![CDATA[{msg_type}]]></MsgType>{extra}<MsgId>{msg_id}</MsgId></xml>"


async def sent_texts(wechat_api, count: int) -> List[str]:
    for _ in range(150):
        if len(wechat_api.sent) >= count:
            break
        await asyncio.sleep(0.02)
    return [message["text"]["content"] for message in wechat_api.sent]


async def test_a_recognised_voice_message_is_said_back_then_handled_like_typed_text(rasa, wechat_api):
    async def answer(message: UserMessage) -> None:
        await message.output_channel.send_text_message(message.sender_id, "好的，请输入手机号。")

    rasa.agent.reply = answer
    assert await post(rasa.url, signed_query(), voice("身份证号110105196103150029", "801")) == (200, "success")
    [message] = await received(rasa.agent)
    assert message.text == "身份证号110105196103150029"
    assert await sent_texts(wechat_api, 2) == ["我听到的是：“身份证号110105196103150029”", "好的，请输入手机号。"]


async def test_an_english_speaker_hears_it_back_in_english(rasa, wechat_api):
    await post(rasa.url, signed_query(), text_message("hello, I want to enroll my father", msg_id="802"))
    await post(rasa.url, signed_query(), voice("his name is Li Wei", "803"))
    await received(rasa.agent, 2)
    assert (await sent_texts(wechat_api, 1))[0] == "I heard: \"his name is Li Wei\""


async def test_voice_without_recognition_pictures_locations_and_videos_get_a_friendly_answer(rasa, wechat_api):
    pushes = [
        voice(None, "811"), voice("   ", "812"),
        push_of("image", "813", "<PicUrl><![CDATA[http://example.invalid/sticker.gif]]></PicUrl>"),
        push_of("location", "814", "<Location_X>39.9</Location_X><Location_Y>116.4</Location_Y>"),
        push_of("video", "815", "<MediaId><![CDATA[v1]]></MediaId>"),
    ]
    for push in pushes:
        assert await post(rasa.url, signed_query(), push) == (200, "success")
    texts = await sent_texts(wechat_api, len(pushes))
    assert texts[:2] == ["这条语音我没听清。请再说一遍，或者打字告诉我。"] * 2
    assert "看不了图片" in texts[2] and "位置" in texts[3] and "打不开" in texts[4]
    assert rasa.agent.messages == []  # nothing for the assistant to misunderstand


async def test_the_friendly_answer_follows_the_language_the_user_last_wrote(rasa, wechat_api):
    await post(rasa.url, signed_query(), text_message("How much does it cost?", msg_id="821"))
    await received(rasa.agent)
    await post(rasa.url, signed_query(), push_of("image", "822", "<PicUrl><![CDATA[x]]></PicUrl>"))
    assert (await sent_texts(wechat_api, 1)) == ["Thank you! I can't see pictures or stickers, though. "
                                                 "Please type or say what you'd like to ask."]
