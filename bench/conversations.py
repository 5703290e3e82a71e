"""What the load tools say to the assistant, and how: shared by `make bench` (bench/benchmark.py) and
`make scale-test` (bench/scale.py).

- `enrollment_conversation(index)`: the messages of one whole enrollment, Chinese for even indexes and
  English for odd ones (the end-to-end test's scripts), each with a member of its own;
- `post_message(...)`: one turn through the REST channel with an aiohttp session;
- `percentile_ms(...)`: how both report turn latency (nearest rank, in milliseconds).
"""
from __future__ import annotations

import math
import socket
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Optional

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def member_id_number(index: int, female: bool) -> str:
    """A valid, distinct 18-character ID number (Beijing Xicheng) born 1958-1964, of the given sex."""
    from bot.core.identity import check_character

    born = date(1958, 1, 1) + timedelta(days=(index * 37) % (date(1964, 12, 31) - date(1958, 1, 1)).days)
    sequence = 10 + (index // 2500) % 90      # two digits; the date repeats only after 2,500 members
    sex_digit = (2 * (index % 5)) + (0 if female else 1)
    first17 = f"110102{born:%Y%m%d}{sequence:02d}{sex_digit}"
    return first17 + check_character(first17)


def phone(index: int) -> str:
    return f"139-{4000 + index // 10000:04d}-{index % 10000:04d}"


def enrollment_conversation(index: int) -> tuple[list[str], str]:
    """Messages of one whole enrollment (the e2e test's lists, with a member of its own) and the words
    of its last reply that say it succeeded."""
    from tests.e2e.test_enrollment_rest import EN_CONVERSATION, ZH_CONVERSATION

    chinese = index % 2 == 0
    messages = list(ZH_CONVERSATION if chinese else EN_CONVERSATION)
    messages[3] = member_id_number(index, female=chinese)   # "我妈" / "my dad"
    messages[4] = phone(index)
    return messages, ("报名成功" if chinese else "All done")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def post_message(session, url: str, sender: str, message: str, *, timeout_s: float,
                       headers: Optional[dict] = None) -> tuple[int, Any, dict]:
    """POST one message to a REST channel webhook: (HTTP status, decoded JSON body or None, response
    headers). Transport failures (refused, reset, timed out) raise."""
    import aiohttp

    async with session.post(url, json={"sender": sender, "message": message}, headers=headers,
                            timeout=aiohttp.ClientTimeout(total=timeout_s)) as response:
        try:
            body = await response.json(content_type=None)
        except ValueError:  # an error page from a proxy, not JSON
            body = None
        return response.status, body, dict(response.headers)


def percentile_ms(seconds: list[float], p: float) -> Optional[float]:
    """The p-th percentile (nearest rank) of latencies given in seconds, in milliseconds; None if empty."""
    ordered = sorted(seconds)
    if not ordered:
        return None
    return round(1000 * ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)], 1)
