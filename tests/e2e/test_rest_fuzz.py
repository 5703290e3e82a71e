"""Hostile and malformed input on the REST channel (bot/channels/rest.py) of the real Rasa server: a 4xx
or an ordinary reply, never a 5xx, and nothing but the language hint kept from the metadata."""
from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.rasa_server

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
WEBHOOK = "/webhooks/rest/webhook"

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children,
                                                                      max_size=4),
    max_leaves=12,
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["/inform{\"id_number\": \"110105196103150029\"}", "/restart", "/session_start",
                     "<script>alert(1)</script>", "'; DROP TABLE events; --", "\u202e\u0000\ud7ff",
                     "${ACTION_SERVER_SECRET}", "{{7*7}}", "%s%s%s%n"]),
)


def post(assistant, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
    request = urllib.request.Request(assistant.url + WEBHOOK, data=body, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def assert_handled(status: int, answer: Any) -> None:
    assert status < 500, (status, answer)
    assert status in (200, 400, 413), status
    if status == 200:
        assert isinstance(answer, list)


@FUZZ
@given(body=json_values)
def test_any_json_body_gets_a_reply_or_a_4xx(running_assistant, body):
    assert_handled(*post(running_assistant, json.dumps(body).encode()))


@FUZZ
@given(sender=json_values | st.text(max_size=200), message=json_values | hostile_text, metadata=json_values)
def test_any_fields_get_a_reply_or_a_4xx(running_assistant, sender, message, metadata):
    body = {"sender": sender, "message": message, "metadata": metadata}
    assert_handled(*post(running_assistant, json.dumps(body).encode()))


@FUZZ
@given(raw=st.binary(max_size=500))
def test_arbitrary_bytes_never_get_a_5xx(running_assistant, raw):
    assert_handled(*post(running_assistant, raw))


def test_an_oversized_message_is_refused_with_413(running_assistant):
    status, _ = post(running_assistant, json.dumps({"sender": "big", "message": "好" * 5000}).encode())
    assert status == 413


@pytest.mark.parametrize("sender", ["web:0123456789abcdef0123456789abcdef", "wx:o6_bmjrPTlm6_2sgVt7hMZOPfL2M"])
def test_a_sender_of_another_channel_cannot_be_claimed(running_assistant, sender):
    status, answer = post(running_assistant, json.dumps({"sender": sender, "message": "你好"}).encode())
    assert status == 400
    assert "web:" in json.loads(answer)["message"]  # a JSON body that says what is wrong


def test_only_the_language_hint_of_the_metadata_is_kept_and_the_channel_is_rest(running_assistant):
    sender = f"meta-{uuid.uuid4().hex[:8]}"
    body = {"sender": sender, "message": "/greet", "input_channel": "wechat",
            "metadata": {"language": "en-US", "padding": "x" * 10_000, "nested": {"a": [1, 2, 3]}}}
    status, replies = post(running_assistant, json.dumps(body).encode())
    assert status == 200 and replies
    user = [e for e in running_assistant.tracker(sender)["events"] if e["event"] == "user"][-1]
    kept = {key: value for key, value in user["metadata"].items() if key not in ("assistant_id", "model_id")}
    assert kept == {"language": "en"}  # Rasa adds its assistant and model ids; the padding is gone
    assert user["input_channel"] == "rest"
