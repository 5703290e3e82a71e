"""The model warmed before the Rasa server takes its first conversation.

A model's first message pays for loading jieba's dictionary and for TensorFlow tracing DIET's and the
ResponseSelector's prediction graphs: about a second, which fell on the first family to write after a
start or a deploy (and on every new replica). `install()` (called by bot.rasa.server) makes Rasa's
`load_agent_on_start`, a before-server-start listener, also parse one Chinese and one English message
before the server opens its port, so a replica is ready only when it is fast. The parses touch no
conversation, the store or the action server.
"""
from __future__ import annotations

import logging
import time
from typing import Any

log = logging.getLogger(__name__)

WARM_UP_MESSAGES = ("你好，我想给我妈妈报名", "Hello, I would like to enroll my mother")


async def warm(agent: Any) -> None:
    """Parse the warm-up messages with the agent's model; a failure only costs the first turn its speed."""
    if agent is None or not agent.is_ready():
        return
    started = time.perf_counter()
    try:
        for text in WARM_UP_MESSAGES:
            await agent.parse_message(text)
    except Exception as error:  # noqa: BLE001 - the server must start even if the warm-up cannot run
        log.warning("the model could not be warmed up: %s", type(error).__name__)
        return
    log.info("model warmed up in %.0f ms", 1000 * (time.perf_counter() - started))


def install() -> None:
    """Warm the model when the server loads it at start (idempotent)."""
    import rasa.core.run

    if getattr(rasa.core.run.load_agent_on_start, "warms", False):
        return
    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_and_warm(*args: Any, **kwargs: Any) -> Any:
        agent = await load_agent_on_start(*args, **kwargs)
        await warm(agent)
        return agent

    load_and_warm.warms = True  # type: ignore[attr-defined]
    rasa.core.run.load_agent_on_start = load_and_warm
