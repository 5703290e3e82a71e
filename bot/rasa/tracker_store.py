"""The conversation (tracker) store: Rasa's SQL tracker store that never keeps an ID number or a phone.

Rasa saves every event of every turn: the user's words, the slots, what the assistant said. Before an
event is written (and before it is published to an event broker), this store
- seals the slots that hold a whole ID number or phone (bot.store.sealed_slots: encrypted, readable only by
  the assistant's own processes, which need them to check and submit the enrollment);
- masks every ID number and phone in every other string of the event (the user's message, the NLU
  result, metadata, the assistant's words) with bot.core.personal_data;
- forgets a personal answer everywhere once the conversation clears it (a cancelled enrollment, a
  refused consent, a finished enrollment whose answers now live in the enrollment store, a correction):
  the earlier events' values of that slot are emptied, and a cleared name is blanked in the texts.

What it publishes to the event broker, which cannot forget later, carries no name at all: the name slot,
the message that answered the name prompt and the name wherever it recurs are blanked (`without_names`).

The same class serves the local SQLite file (bot.rasa.conversation_files: pooled connections, a
write-ahead log, fsync at checkpoints) and PostgreSQL in production. Only the events a turn adds are
processed, so the cost of a save does not grow with the conversation; forgetting rewrites the sender's stored events, which happens
only on the turns that clear an answer. Reading a conversation back selects what Rasa's read selects,
with indexed queries (`_stored`), and replays it as Rasa does, each event type resolved once per read
(`deserialised`). A long session is condensed after a turn (bot.rasa.condensed_sessions), so a turn reads
a short one; a read of every session leaves the condensed copies out.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import re
from collections import OrderedDict
from typing import Any, Callable, Iterable, Optional

from rasa.core.brokers.broker import EventBroker
from rasa.core.brokers.sql import SQLEventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import sessionmaker

from bot.core import settings
from bot.core.personal_data import mask_everywhere
from bot.core.session_history import is_condensed
from bot.core.slots import REQUESTED_SLOT
from bot.rasa import condensed_sessions
from bot.rasa.conversation_files import overwrite_forgotten, tuned_sqlite
from bot.store.db import count_errors
from bot.store.sealed_slots import SEALED_SLOTS, is_sealed, seal

log = logging.getLogger(__name__)

NAME_SLOT = "member_name"
PERSONAL_SLOTS = SEALED_SLOTS | {NAME_SLOT}
"""Answers that are forgotten everywhere in the conversation once they are cleared."""
BLANK = "＊"
_MIN_NAME_TO_BLANK = 2  # a one-letter name would blank that letter everywhere
INDEXES = {"ix_events_sender_session_start": "sender_id, type_name, timestamp",
           "ix_events_sender_timestamp": "sender_id, timestamp"}
_STORED = "_private_store_saved"  # on a tracker this store saved: how many of its events are stored


def protected(data: dict[str, Any]) -> dict[str, Any]:
    """An event (as Rasa serialises it) as it may be kept: personal slots sealed, numbers masked."""
    if data.get("event") == "slot" and data.get("name") in SEALED_SLOTS:
        value = data.get("value")
        kept = mask_everywhere({key: item for key, item in data.items() if key != "value"})
        kept["value"] = value if is_sealed(value) else seal(value)
        return kept
    return mask_everywhere(data)


def _slot_values(events: Iterable[dict[str, Any]], name: str) -> list[Any]:
    return [e.get("value") for e in events
            if e.get("event") == "slot" and e.get("name") == name and e.get("value") is not None]


def blank_names(value: Any, names: Iterable[str], any_case: bool = False) -> Any:
    """`value` (a text, or the dicts and lists of an event) with every one of `names` blanked (with
    `any_case`, in upper or lower case too, but not inside a code name or word: "Al" leaves
    "utter_ask_all" alone, which the insight consumer reads). The longest name goes first, so an answer as typed
    ("她叫王秀英") is blanked whole whatever order the names come in, not left as "她叫＊＊＊" after its
    shorter name ("王秀英") was blanked inside it."""
    ordered = sorted(set(names), key=lambda name: (-len(name), name))
    if not ordered:
        return value
    if any_case:
        pattern = re.compile("|".join(map(_word, ordered)), re.IGNORECASE)
    else:
        pattern = re.compile("|".join(map(re.escape, ordered)))
    return _blank_ordered(value, pattern)


def _word(name: str) -> str:
    """`name` as a pattern that does not match inside a longer Latin word or code name."""
    edge = "A-Za-z0-9_"
    before = f"(?<![{edge}])" if re.match(f"[{edge}]", name) else ""
    after = f"(?![{edge}])" if re.match(f".*[{edge}]$", name, re.S) else ""
    return before + re.escape(name) + after


def _blank_ordered(value: Any, pattern: re.Pattern) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda found: BLANK * len(found.group()), value)
    if isinstance(value, dict):
        return {key: _blank_ordered(item, pattern) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank_ordered(item, pattern) for item in value]
    return value


def forgotten_event(data: dict[str, Any], slots: frozenset[str], names: frozenset[str]) -> dict[str, Any]:
    """An event with the values of the forgotten `slots` emptied and the forgotten `names` blanked."""
    if data.get("event") == "slot" and data.get("name") in slots:
        data = {**data, "value": None}
    return blank_names(data, names) if names else data


class Forgetting:
    """What one save must forget: the personal slots the new events clear, and the names they held."""

    def __init__(self, earlier_events: Callable[[], list[dict[str, Any]]], new: list[dict[str, Any]]):
        self.slots: frozenset[str] = frozenset()
        self.names: frozenset[str] = frozenset()
        self.stored_too = False
        self.last_clear: dict[str, int] = {}
        for index, data in enumerate(new):
            if data.get("event") == "slot" and data.get("name") in PERSONAL_SLOTS and data.get("value") is None:
                self.last_clear[data["name"]] = index
        if not self.last_clear:
            return  # most turns: nothing cleared, and the earlier events are not even looked at
        earlier = earlier_events()
        cleared = [name for name, index in self.last_clear.items()
                   if _slot_values(earlier, name) or _slot_values(new[:index], name)]
        self.slots = frozenset(cleared)
        self.stored_too = any(_slot_values(earlier, name) for name in cleared)
        if NAME_SLOT in self.slots:
            index = self.last_clear[NAME_SLOT]
            self.names = frozenset(
                str(name) for name in _slot_values(earlier, NAME_SLOT) + _slot_values(new[:index], NAME_SLOT)
                if isinstance(name, str) and len(name.strip()) >= _MIN_NAME_TO_BLANK)

    def __bool__(self) -> bool:
        return bool(self.slots)

    def apply_to_new(self, new: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The new events, with what comes before each slot's last clearing forgotten."""
        kept = []
        for index, data in enumerate(new):
            slots = frozenset(name for name in self.slots if index < self.last_clear[name])
            kept.append(forgotten_event(data, slots, self.names) if slots or self.names else data)
        return kept


def _asked_before(tracker: DialogueStateTracker, new_count: int) -> Optional[str]:
    """The form's pending question before the last `new_count` events (walked back from the end)."""
    for index, happened in enumerate(reversed(tracker.events)):
        if index >= new_count and getattr(happened, "key", None) == REQUESTED_SLOT:
            return happened.value
    return None


def _blank_typed(data: dict[str, Any]) -> dict[str, Any]:
    """A user message that answered the name prompt, with what was typed (and what NLU took from it)
    blanked; its intent stays."""
    text = data.get("text")
    typed = {text} if isinstance(text, str) and text else set()
    typed |= {e["value"] for e in (data.get("parse_data") or {}).get("entities") or []
              if isinstance(e, dict) and isinstance(e.get("value"), str) and e["value"]}
    if not typed:
        return data
    kept = {**data, "text": BLANK * len(text) if isinstance(text, str) else text}
    if isinstance(data.get("parse_data"), dict):
        kept["parse_data"] = {**blank_names(data["parse_data"], typed),
                              "intent": data["parse_data"].get("intent")}
    return kept


def without_names(rows: list[dict[str, Any]], names: set[str], asked: Optional[str]) -> list[dict[str, Any]]:
    """Events as they leave through the event broker, which cannot take them back later as the store
    does (Forgetting): the name slot's value is blanked, the message that answered the name prompt
    blanked whole, and the parent's name blanked wherever else it appears (any case: "wang xiuying" as
    typed, "Wang Xiuying" as kept). The insight consumer needs none of them (bot.core.insight.facts)."""
    names = {name for name in names if len(name.strip()) >= _MIN_NAME_TO_BLANK}
    published = []
    for data in rows:
        if data.get("event") == "user" and asked == NAME_SLOT:
            data = _blank_typed(data)
        if data.get("event") == "slot":
            if data.get("name") == REQUESTED_SLOT:
                asked = data.get("value")
            elif data.get("name") == NAME_SLOT and data.get("value"):
                data = {**data, "value": BLANK}
        published.append(blank_names(data, names, any_case=True) if names else data)
    return published


def deserialised(serialised: Iterable[dict[str, Any]]) -> list[Event]:
    """Rasa's `deserialise_events` (DialogueStateTracker.from_dict), with each event type looked up once
    per call: Rasa's `Event.resolve_by_type` walks every subclass of Event for every event, 85 % of
    rebuilding a tracker of 2,000 events. Same classes, same events, same skipped ones."""
    classes: dict[str, Optional[type[Event]]] = {}
    events = []
    for data in serialised:
        name = data.get("event")
        if name is None:
            continue  # Rasa skips these too (no "event", or an empty one)
        if name not in classes:
            classes[name] = Event.resolve_by_type(name)
        kind = classes[name]
        event = kind._from_parameters(data) if kind else None
        if event:
            events.append(event)
        else:
            log.warning("a stored %r event could not be read back and is skipped", name)
    return events


class ProtectedBroker(EventBroker):
    """An event broker that publishes every event in its protected form, whoever publishes it.

    The store publishes what it kept; but Rasa's fail-safe wrapper, when a save fails, saves to an
    in-memory store that publishes the turn's events as they are (the whole conversation, in order),
    through the same broker. Wrapping the broker makes that path (and any other) send the protected form
    too, names included: it follows each sender's pending question and name in the events it passes on
    (for the last MAX_FOLLOWED senders).
    """

    MAX_FOLLOWED = 2000

    def __init__(self, inner: EventBroker) -> None:
        self.inner = inner
        self._followed: OrderedDict[str, tuple[Optional[str], frozenset[str]]] = OrderedDict()
        engine = getattr(inner, "engine", None)  # Rasa's SQL broker: on SQLite, tuned like the store
        if engine is not None and engine.dialect.name == "sqlite":
            inner.engine = tuned_sqlite(engine)
            inner.sessionmaker = sessionmaker(bind=inner.engine)

    def publish_all(self, events: list[dict[str, Any]]) -> None:
        """`publish` for each of a save's events; into Rasa's SQL broker in one transaction, not one
        commit per event (a sixth of a turn with the local SQLite broker)."""
        if not isinstance(self.inner, SQLEventBroker):
            for data in events:
                self.publish(data)
            return
        kept = [self._protected(data) for data in events]
        with self.inner.session_scope() as session:
            session.add_all(self.inner.SQLBrokerEvent(sender_id=data.get("sender_id"), data=json.dumps(data))
                            for data in kept)
            session.commit()

    def publish(self, event: dict[str, Any]) -> None:
        self.inner.publish(self._protected(event))

    def _protected(self, event: dict[str, Any]) -> dict[str, Any]:
        sender = str(event.get("sender_id"))
        asked, names = self._followed.pop(sender, (None, frozenset()))
        if event.get("event") == "slot" and event.get("name") == NAME_SLOT and isinstance(event.get("value"), str):
            names |= {event["value"]}
        [kept] = without_names([event], set(names), asked)
        if event.get("event") == "slot" and event.get("name") == REQUESTED_SLOT:
            asked = event.get("value")
        self._followed[sender] = (asked, names)
        while len(self._followed) > self.MAX_FOLLOWED:
            self._followed.popitem(last=False)
        return protected(kept)

    def is_ready(self) -> bool:
        return self.inner.is_ready()

    async def close(self) -> None:
        await self.inner.close()


class PrivateTrackerStore(SQLTrackerStore):
    """SQLTrackerStore (same arguments and tables) that keeps no ID number or phone; see the module."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            self.engine = tuned_sqlite(self.engine)
            self.sessionmaker = sessionmaker(bind=self.engine)
        if self.event_broker is not None and not isinstance(self.event_broker, ProtectedBroker):
            self.event_broker = ProtectedBroker(self.event_broker)
        if self.engine.dialect.name != "sqlite" and not settings.get("CONVERSATION_SEAL_KEY"):
            # Replicas that generated keys of their own could not read each other's sealed answers.
            raise RuntimeError("CONVERSATION_SEAL_KEY must be set when the conversation store is shared "
                               "(PostgreSQL): the Rasa servers and action servers need the same key")
        self.engine.hide_parameters = True  # a failed write never logs a conversation's values
        count_errors(self.engine, "conversation")
        self.condense_after = settings.conversation_condense_after()
        self._add_indexes()

    async def _retrieve(self, sender_id: str, fetch_events_from_all_sessions: bool) -> Optional[DialogueStateTracker]:
        """Rasa's read (the same events, in the same order, the same replay), made cheaper: indexed
        queries that select only the events' JSON (`_stored`), each event type resolved once per read
        (`deserialised`). The tracker remembers how many events it was handed (`_additional_events`)."""
        with self.session_scope() as session:
            events = self._stored(session, sender_id, every_session=fetch_events_from_all_sessions)
        if fetch_events_from_all_sessions:
            # The whole conversation as it happened: a condensed start only repeats it (condensed_sessions).
            events = [data for data in events if not is_condensed(data)]
        if self.domain and events:
            tracker = DialogueStateTracker.from_events(sender_id, deserialised(events), self.domain.slots)
            setattr(tracker, _STORED, len(tracker.events))
            return tracker
        return None

    def _stored(self, session: Any, sender_id: str, every_session: bool = False) -> list[dict[str, Any]]:
        """The stored events of a sender's latest session (or of every session), as Rasa's `_event_query`
        selects them: from the latest `session_started` event's time on, in the order stored. Two
        indexed queries instead of Rasa's one, whose `OR ... IS NULL` makes the database read every
        event the sender ever had on every turn."""
        event = self.SQLEvent
        query = select(event.data).where(event.sender_id == sender_id)
        if not every_session:
            started = session.execute(select(func.max(event.timestamp)).where(
                event.sender_id == sender_id, event.type_name == SessionStarted.type_name)).scalar()
            if started is not None:
                query = query.where(event.timestamp >= started)
        return [json.loads(data) for data in session.execute(query.order_by(event.id)).scalars()]

    def _add_indexes(self) -> None:
        """The indexes the latest-session read needs (`_stored`); Rasa's table has one on the sender only.
        Created once, by whichever process starts first; IF NOT EXISTS on SQLite and PostgreSQL."""
        table = self.SQLEvent.__tablename__
        try:
            with self.engine.begin() as connection:
                for name, columns in INDEXES.items():
                    connection.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})"))
        except SQLAlchemyError as problem:  # another replica creating it at the same moment
            log.warning("the conversation store's indexes were not created here: %s", type(problem).__name__)

    async def save(self, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            new_events = list(self._additional_events(session, tracker))
            new = [e.as_dict() for e in new_events]
            earlier_count = len(tracker.events) - len(new_events)
            forgetting = Forgetting(
                lambda: [e.as_dict() for e in itertools.islice(tracker.events, earlier_count)], new)
            rows = [protected(data) for data in (forgetting.apply_to_new(new) if forgetting else new)]
            if forgetting and forgetting.stored_too:
                self._forget_stored(session, tracker.sender_id, forgetting)
            self._add(session, tracker.sender_id, rows)
            session.commit()
            setattr(tracker, _STORED, len(tracker.events))
            self._condense(session, tracker)
        if forgetting and forgetting.stored_too:
            overwrite_forgotten(self.engine)
        self._publish(tracker, rows, forgetting.names)

    def _add(self, session: Any, sender_id: str, rows: list[dict[str, Any]]) -> None:
        for data in rows:
            session.add(self.SQLEvent(
                sender_id=sender_id,
                type_name=data["event"],
                timestamp=data.get("timestamp"),
                intent_name=(data.get("parse_data") or {}).get("intent", {}).get(INTENT_NAME_KEY),
                action_name=data.get("name"),
                data=json.dumps(data),
            ))

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterable[Event]:
        """The tracker's events after those it had when this store read or last saved it (the turn runs
        under the conversation's lock, so nothing else adds events meanwhile); Rasa's count of the stored
        events for any other tracker. Rasa counts with a query on every save (a tenth of a turn), and a
        tracker saved again after its session was condensed no longer matches the stored count."""
        stored = getattr(tracker, _STORED, None)
        if stored is not None and stored <= len(tracker.events):
            return itertools.islice(tracker.events, stored, len(tracker.events))
        return super()._additional_events(session, tracker)

    def _condense(self, session: Any, tracker: DialogueStateTracker) -> None:
        """Start a long session again with the state it has (bot.rasa.condensed_sessions), after the
        turn just saved. Only a cost: when it cannot be done, the turn is kept as it is."""
        if self.domain is None or not condensed_sessions.due(tracker, self.condense_after):
            return
        try:
            stored = self._stored(session, tracker.sender_id)
            start = condensed_sessions.condensed_start(tracker.sender_id, stored, self.domain.slots, deserialised)
            if start is None:
                return
            self._add(session, tracker.sender_id, [protected(data) for data in start])
            session.commit()
        except Exception as problem:  # noqa: BLE001 - the turn is saved; the next one tries again
            session.rollback()
            log.warning("a long conversation session could not be condensed: %s", type(problem).__name__)

    def _forget_stored(self, session: Any, sender_id: str, forgetting: Forgetting) -> None:
        stored = session.execute(
            select(self.SQLEvent).where(self.SQLEvent.sender_id == sender_id)).scalars()
        changed = 0
        for row in stored:
            data = json.loads(row.data)
            forgotten = forgotten_event(data, forgetting.slots, forgetting.names)
            if forgotten != data:
                row.data = json.dumps(forgotten)
                changed += 1
        log.debug("forgot %s in %d stored events", sorted(forgetting.slots), changed)

    def _publish(self, tracker: DialogueStateTracker, rows: list[dict[str, Any]], forgotten: frozenset[str]
                 ) -> None:
        """The new events, as kept and with no name, to the event broker (Rasa's own save publishes them
        unprotected)."""
        if self.event_broker is None:
            return
        names = {tracker.get_slot(NAME_SLOT), *_slot_values(rows, NAME_SLOT), *forgotten}
        asked = _asked_before(tracker, len(rows))
        published = [{"sender_id": tracker.sender_id, **data}
                     for data in without_names(rows, {n for n in names if isinstance(n, str)}, asked)]
        if isinstance(self.event_broker, ProtectedBroker):
            self.event_broker.publish_all(published)
        else:
            for data in published:
                self.event_broker.publish(data)


def stored_events(store: SQLTrackerStore, sender_id: Optional[str] = None) -> list[dict[str, Any]]:
    """Every stored event (of one sender, or of all), as kept: for operators and tests."""
    with store.session_scope() as session:
        query = select(store.SQLEvent)
        if sender_id is not None:
            query = query.where(store.SQLEvent.sender_id == sender_id)
        return [json.loads(row.data) for row in session.execute(query.order_by(store.SQLEvent.id)).scalars()]


def scrub_stored_events(store: SQLTrackerStore, batch: int = 500) -> tuple[int, int]:
    """Protect every event already stored (conversations kept before this store protected them):
    the operator command `python -m bot conversations scrub`. Returns (events examined, events changed).
    Safe to run again, and while the assistant runs (each batch is one short transaction)."""
    examined = changed = 0
    last_id = 0
    while True:
        with store.session_scope() as session:
            rows = session.execute(select(store.SQLEvent).where(store.SQLEvent.id > last_id)
                                   .order_by(store.SQLEvent.id).limit(batch)).scalars().all()
            if not rows:
                break
            for row in rows:
                data = json.loads(row.data)
                kept = protected(data)
                if kept != data:
                    row.data = json.dumps(kept)
                    changed += 1
            examined += len(rows)
            last_id = rows[-1].id
            session.commit()
    overwrite_forgotten(store.engine)
    return examined, changed


def open_configured_store(endpoints_file: str) -> SQLTrackerStore:
    """The conversation store an endpoints file names, opened as this store (whatever type it names)."""
    from rasa.utils.endpoints import read_endpoint_config

    # Rasa expands every variable of the file; the event broker's has a local default like the store's.
    os.environ.setdefault("INSIGHT_EVENTS_DB", settings.insight_events_db())
    config = read_endpoint_config(endpoints_file, "tracker_store")
    if config is None:
        raise SystemExit(f"{endpoints_file} names no tracker_store")
    return PrivateTrackerStore(host=config.url, **{k: v for k, v in config.kwargs.items() if k != "type"})
