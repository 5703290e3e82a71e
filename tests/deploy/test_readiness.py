"""bot.ops.readiness, the Rasa pods' readiness probe: ready only when a model is loaded."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.ops import readiness
from tests.conftest import free_port


class NoModel(BaseHTTPRequestHandler):
    """What Rasa's /status says when the model failed to load."""

    def do_GET(self):  # noqa: N802 - http.server's name
        body = json.dumps({"model_id": None, "model_file": None, "num_active_training_jobs": 0}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_a_server_without_a_model_is_not_ready():
    server = ThreadingHTTPServer(("127.0.0.1", 0), NoModel)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        assert readiness.check(f"http://127.0.0.1:{server.server_port}", "token") == (
            False, "the server is up but has no model loaded")
    finally:
        server.shutdown()


def test_a_server_that_does_not_answer_is_not_ready():
    ready, why = readiness.check(f"http://127.0.0.1:{free_port()}", "token", timeout_s=1)
    assert not ready and "no usable answer" in why


@pytest.mark.rasa_server
def test_the_real_server_is_ready_with_its_model_and_refuses_a_wrong_token(running_assistant):
    ready, model = readiness.check(running_assistant.url, running_assistant.token)
    assert ready and model
    assert readiness.check(running_assistant.url, "wrong") == (False, "/status answered 401")
