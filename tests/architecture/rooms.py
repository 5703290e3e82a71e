"""The rooms of the code base and what each may import: the one written statement of the layering that
tests/architecture/test_boundaries.py holds the code to (README "Architecture").

A room is a package (or a top-level module) under the project root. For each room: which of our rooms
it may import, and which third-party packages it must not. The core is the strictest: plain Python with
Babel, YAML and the Chinese text tools, so that every caller shares one copy of the rules.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

RASA_SERVER = ("rasa",)
WEB = ("aiohttp", "sanic", "socketio", "engineio")
DATABASE = ("sqlalchemy", "alembic", "psycopg2", "redis", "cryptography")


@dataclass(frozen=True)
class Room:
    name: str
    may_import: tuple[str, ...]  # our rooms (module prefixes) this room may import besides itself
    forbidden: tuple[str, ...] = ()  # third-party top-level packages it must not import
    only_third_party: tuple[str, ...] | None = None  # if set, the only third-party packages allowed
    exact: bool = False  # the room is these modules only, not a package of them


CORE_LIBRARIES = ("babel", "yaml", "jieba", "opencc", "pydantic", "attr", "attrs")

ROOMS = (
    Room("bot.core", (), only_third_party=CORE_LIBRARIES),
    # The operations metrics (Prometheus) every service counts into: the core's names, nothing else of ours.
    Room("bot.metrics", ("bot.core",), only_third_party=("prometheus_client", "aiohttp")),
    Room("bot.store", ("bot.core", "bot.metrics"), forbidden=RASA_SERVER + ("rasa_sdk",) + WEB),
    Room("bot.rasa", ("bot.core", "bot.store", "bot.metrics")),
    Room("bot.channels", ("bot.core", "bot.store")),
    # HTTP clients of Rasa's API mint their token with bot.rasa.api_token (PyJWT only, no Rasa).
    Room("bot.console", ("bot.core", "bot.store", "bot.metrics", "bot.rasa.api_token"),
         forbidden=RASA_SERVER + ("rasa_sdk",)),
    # The notifier delivers through the channels' own API clients (WeChat, Rasa's HTTP API for the web chat
    # and REST) and keeps the conversation store's retention promise; it imports no other part of them.
    Room("bot.notify", ("bot.core", "bot.store", "bot.metrics", "bot.rasa.api_token", "bot.rasa.conversation_retention",
                        "bot.rasa.tracker_store", "bot.channels.wechat_api", "bot.console.rasa_api"),
         forbidden=("rasa_sdk",)),
    # The insight consumer reads the event broker and keeps its facts in the store; no other adapter.
    Room("bot.insight", ("bot.core", "bot.store"), forbidden=("rasa_sdk",) + WEB),
    Room("bot.ops", ("bot",)),
    Room("bot", ("bot.ops",), exact=True),  # bot/__init__.py
    Room("bot.__main__", ("bot.ops",), exact=True),  # the `python -m bot` shim
    Room("actions", ("bot.core", "bot.store"), forbidden=RASA_SERVER + WEB),
    Room("rasa_sdk_plugins", ("bot.rasa.action_server_auth",)),
)
OURS = ("bot", "actions", "rasa_sdk_plugins", "tests", "bench", "scripts")


def room_of(module: str) -> Room | None:
    """The most specific room that holds `module`."""
    candidates = [room for room in ROOMS
                  if module == room.name or (not room.exact and module.startswith(room.name + "."))]
    return max(candidates, key=lambda room: len(room.name), default=None)


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, module: str) -> Iterator[tuple[int, str]]:
    """(line, imported module) for every import in a file, relative imports resolved."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                # `from bot import store` imports the module bot.store; for our own code the name is kept
                # (prefix rules still match `bot.core.identity.parse_id_number`)
                yield node.lineno, f"{base}.{alias.name}" if base.split(".")[0] in OURS else base


def allowed(room: Room, imported: str) -> bool:
    top = imported.split(".")[0]
    if top in OURS:
        if imported == room.name or imported.startswith(room.name + "."):
            return True
        if room.name == "bot" and imported == "bot":
            return True
        return any(imported == prefix or imported.startswith(prefix + ".") for prefix in room.may_import)
    if top in sys.stdlib_module_names or top == "__future__":
        return True
    if room.only_third_party is not None:
        return top in room.only_third_party
    return top not in room.forbidden


def violations(root: Path) -> list[str]:
    """Every import that breaks the rooms' rules, and every module that belongs to no room."""
    found = []
    for top in ("bot", "actions", "rasa_sdk_plugins"):
        for path in sorted((root / top).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue  # alembic revisions: the store's own history
            module = module_name(root, path)
            room = room_of(module)
            if room is None:
                found.append(f"{path.relative_to(root)}: belongs to no room (tests/architecture/rooms.py)")
                continue
            for line, imported in imports_of(path, module):
                if imported.endswith(".") or not imported:
                    continue
                if not allowed(room, imported):
                    found.append(f"{path.relative_to(root)}:{line}: {room.name} must not import {imported}")
    return found
