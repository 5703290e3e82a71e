"""Reading back: every conversation's tracker through the router's HTTP API, compared exactly with what
the client sent and got, as the private conversation store keeps it (ID numbers and phones masked, the
member's name blanked once the enrollment ends: bot/rasa/tracker_store.py); and the enrollment store's
rows by enroller."""
from __future__ import annotations

import asyncio
from collections import Counter

from bench.scale.cluster import REST_INTEGRATOR
from bench.scale.enrollers import Conversation


def reply_parts(texts) -> list[str]:
    """Reply texts as the REST channel delivers them: a plain text is split at blank lines."""
    return [part.strip() for text in texts if text for part in str(text).strip().split("\n\n")]


def align(expected: list[str], kept: list[str]) -> list[tuple[int, int]]:
    """The longest common subsequence of two lists of texts, as (expected index, kept index) pairs."""
    n, m = len(expected), len(kept)
    longest = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            longest[i][j] = (longest[i + 1][j + 1] + 1 if expected[i] == kept[j]
                             else max(longest[i + 1][j], longest[i][j + 1]))
    pairs, i, j = [], 0, 0
    while i < n and j < m:
        if expected[i] == kept[j]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif longest[i + 1][j] >= longest[i][j + 1]:
            i += 1
        else:
            j += 1
    return pairs


def forgettable_names(messages: list[str]) -> list[str]:
    """What the conversation store may blank once the enrollment ends (bot/rasa/tracker_store.py): the
    values the member_name slot held. The scripts give the member's name third (bench/conversations.py);
    the slot holds the name read from it ("王秀英"), and first the answer as typed ("她叫王秀英") when the
    form's text mapping filled it, which depends on how the model understood the answer."""
    from bot.core.typed_identity import read_name
    from bot.core.identity import IdentityError

    if len(messages) < 3:
        return []
    names = [messages[2]]
    try:
        names.append(read_name(messages[2]))
    except IdentityError:
        pass
    return list(dict.fromkeys(name for name in names if len(name.strip()) >= 2))


def kept_forms(messages: list[str]) -> list[tuple[frozenset, object]]:
    """Each way the store may keep what was sent: (the names forgotten, text -> text as kept), the most
    forgotten first. Every way masks ID numbers and phones and blanks the forgotten names with the store's
    own functions; none forgotten is how an enrollment that has not ended is kept."""
    from itertools import combinations

    from bot.core.personal_data import mask_everywhere
    from bot.rasa.tracker_store import blank_names

    names = forgettable_names(messages)
    ways = []
    for size in range(len(names), -1, -1):
        for forgotten in combinations(names, size):
            def as_kept(text, forgotten=frozenset(forgotten)):
                return blank_names(mask_everywhere(text), forgotten) if isinstance(text, str) else text
            ways.append((frozenset(forgotten), as_kept))
    return ways


def compare(conversation: Conversation, events: list[dict]) -> dict:
    """What the tracker holds against what the client sent and got, exactly: the tracker's texts as
    stored against the sent and received texts as the store keeps them (kept_forms; the way that
    explains the tracker best is taken, the most forgotten first on a tie). After a finished
    enrollment the member's name must be forgotten ("name_kept" otherwise)."""
    ways = [(forgotten, compare_as_kept(conversation, events, as_kept))
            for forgotten, as_kept in kept_forms(conversation.messages)]
    forgotten, best = min(ways, key=lambda way: way[1]["lost"] + way[1]["duplicates"])
    name = forgettable_names(conversation.messages)[-1:]
    best["name_kept"] = bool(conversation.succeeded() and name and name[0] not in forgotten
                             and any(name[0] in str(e.get("text")) for e in conversation_texts(conversation)))
    return best


def conversation_texts(conversation: Conversation) -> list[dict]:
    """What the client sent and got, as {"text": ...}."""
    texts = [{"text": message} for message in conversation.messages]
    return texts + [r for a in conversation.attempts for r in a.replies]


def compare_as_kept(conversation: Conversation, events: list[dict], as_kept) -> dict:
    """The comparison for one way of keeping (see compare).

    The REST channel keeps no client metadata (bot/channels/rest.py keeps only a language hint), so the
    tracker's user messages are aligned with the answered turns by their text, in order: a turn missing
    from the alignment is a lost message, a user message left over is a duplicate (a message stored
    twice, e.g. a retried turn whose first attempt was processed after all). For each aligned turn, the
    replies the client got must be the tracker's bot messages up to the next user message."""
    answered = conversation.answered()
    turns = sorted(answered)
    expected = [as_kept(conversation.messages[t]) for t in turns]
    users = [(position, e) for position, e in enumerate(events) if e.get("event") == "user"]
    kept = [e.get("text") for _, e in users]
    pairs = align(expected, kept)
    lost_user, dup_user = len(expected) - len(pairs), len(kept) - len(pairs)
    lost_bot = extra_bot = 0
    matched = dict(pairs)
    for k, turn in enumerate(turns):
        got = Counter(reply_parts(as_kept(r.get("text")) for r in answered[turn].replies))
        if k not in matched:
            lost_bot += sum(got.values())
            continue
        position = users[matched[k]][0]
        following = []
        for event in events[position + 1:]:
            if event.get("event") == "user":
                break
            if event.get("event") == "bot":
                following.append(event.get("text"))
        stored = Counter(reply_parts(following))
        lost_bot += sum((got - stored).values())
        extra_bot += sum((stored - got).values())
    return {"lost": lost_user + lost_bot, "duplicates": dup_user + extra_bot,
            "lost_user_messages": lost_user, "lost_replies": lost_bot,
            "duplicate_user_messages": dup_user, "replies_not_received": extra_bot,
            "exact": kept == expected}


def rasa_sender(sender: str) -> str:
    """The conversation id Rasa keeps for an integrator's sender (bot/channels/rest.py)."""
    return f"rest:{REST_INTEGRATOR}:{sender}"


def sender_jwt(secret: str, sender: str) -> str:
    from bot.rasa.api_token import sender_token

    return sender_token(secret, rasa_sender(sender), lifetime_s=3600)


async def read_trackers(base: str, jwt_secret: str, conversations: list[Conversation]) -> dict[str, dict]:
    """Every conversation's tracker through the router's HTTP API: an admin JWT (what the console sends)
    for even indexes, a JWT that allows only that sender's conversation for odd ones."""
    from bot.rasa.api_token import authorization

    import aiohttp

    results: dict[str, dict] = {}
    limit = asyncio.Semaphore(8)

    async def one(session, conversation: Conversation) -> None:
        url = f"{base}/conversations/{rasa_sender(conversation.sender)}/tracker"
        params: dict = {}
        if conversation.index % 2 == 0:
            headers = authorization(jwt_secret, "scale-test")
        else:
            headers = {"Authorization": f"Bearer {sender_jwt(jwt_secret, conversation.sender)}"}
        async with limit:
            for attempt in range(3):
                try:
                    async with session.get(url, params=params, headers=headers,
                                           timeout=aiohttp.ClientTimeout(total=60)) as response:
                        if response.status == 200:
                            results[conversation.sender] = await response.json()
                            return
                        problem = f"HTTP {response.status}"
                except Exception as error:  # noqa: BLE001
                    problem = f"{type(error).__name__}: {error}"
                await asyncio.sleep(1 + attempt)
            results[conversation.sender] = {"error": problem}

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(one(session, c) for c in conversations))
    return results


def stored_enrollments(database_url: str) -> dict[str, list[str]]:
    """Enrollment statuses by enroller (sender id), from the store's own query."""
    from bot.store import engine_for, list_enrollments

    by_sender: dict[str, list[str]] = {}
    for enrollment in list_enrollments(engine_for(database_url)):
        by_sender.setdefault(enrollment.enroller, []).append(enrollment.status)
    return by_sender
