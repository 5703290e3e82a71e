"""Hostile and malformed requests to the WeChat webhook: a 4xx (or WeChat's "success" for a well-signed
but meaningless push), never a 5xx, and nothing unsigned ever reaches the assistant."""
from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings, strategies as st

from tests.channels.test_wechat import channel, post, rasa, signed_query  # noqa: F401 (fixtures)

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])
QUERY_VALUE = st.text(alphabet=string.printable, max_size=60)
BODY = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(str.encode),
    st.sampled_from([b"<xml>", b"<xml><MsgType>text</MsgType></xml>", b"<xml><Encrypt>%%%</Encrypt></xml>",
                     b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]><xml>&a;</xml>", b"\xff\xfe\x00"]),
)


@FUZZ
@given(signature=QUERY_VALUE, timestamp=QUERY_VALUE, nonce=QUERY_VALUE, body=BODY)
async def test_unsigned_or_garbled_requests_are_refused_without_reaching_the_assistant(
        rasa, signature, timestamp, nonce, body):
    status, _ = await post(rasa.url, {"signature": signature, "timestamp": timestamp, "nonce": nonce}, body)
    assert 400 <= status < 500
    assert rasa.agent.messages == []


@FUZZ
@given(body=BODY)
async def test_signed_but_garbled_bodies_never_fail_with_a_server_error(rasa, body):
    status, _ = await post(rasa.url, signed_query(), body)
    assert status < 500
    assert all(m.text for m in rasa.agent.messages)  # nothing empty or half-parsed reached the assistant
