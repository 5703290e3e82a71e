"""The layering holds: each room imports only what tests/architecture/rooms.py lets it, and the check
itself notices a forbidden import the moment one is added."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.settings import PROJECT_ROOT
from tests.architecture.rooms import ROOMS, room_of, violations


def test_every_module_keeps_to_its_room():
    assert violations(PROJECT_ROOT) == []


def test_importing_the_whole_core_loads_no_framework_database_or_store():
    core = sorted(p for p in (PROJECT_ROOT / "bot" / "core").rglob("*.py"))
    modules = [".".join(p.relative_to(PROJECT_ROOT).with_suffix("").parts).removesuffix(".__init__")
               for p in core]
    forbidden = ("rasa", "rasa_sdk", "sqlalchemy", "cryptography", "aiohttp", "sanic", "redis", "bot.store",
                 "bot.rasa", "bot.channels", "bot.console", "bot.notify", "bot.ops")
    check = ("import sys; bad = sorted(m for m in sys.modules if any(m == f or m.startswith(f + '.') "
             f"for f in {forbidden!r})); print(bad); sys.exit(1 if bad else 0)")
    imports = "; ".join(f"import {module}" for module in modules)
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"], capture_output=True, text=True,
                            cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture
def tree(tmp_path) -> Path:
    """A copy of the code's rooms, to add a forbidden import to."""
    for top in ("bot", "actions", "rasa_sdk_plugins"):
        shutil.copytree(PROJECT_ROOT / top, tmp_path / top, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


@pytest.mark.parametrize("module, line, complaint", [
    ("bot/core/enrollment.py", "from bot.store.enrollments import submit_enrollment",
     "bot.core must not import bot.store.enrollments"),
    ("bot/core/identity.py", "import sqlalchemy", "bot.core must not import sqlalchemy"),
    ("bot/core/plan/facts.py", "from rasa.shared.core.events import SlotSet",
     "bot.core must not import rasa.shared.core.events"),
    ("bot/core/i18n.py", "from cryptography.fernet import Fernet", "bot.core must not import cryptography.fernet"),
    ("bot/console/queue.py", "from bot.channels import webchat", "bot.console must not import bot.channels.webchat"),
    ("bot/channels/rest.py", "from bot.console.app import create_app",
     "bot.channels must not import bot.console.app"),
    ("bot/store/audit.py", "from rasa_sdk import Tracker", "bot.store must not import rasa_sdk"),
    ("actions/handoff.py", "from bot.rasa.outage import apologise", "actions must not import bot.rasa.outage"),
    ("bot/core/handoff.py", "from ..store import handoffs", "bot.core must not import bot.store.handoffs"),
])
def test_a_forbidden_import_is_found(tree, module, line, complaint):
    path = tree / module
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}\n", encoding="utf-8")
    found = violations(tree)
    assert len(found) == 1 and complaint in found[0] and found[0].startswith(module), found


def test_a_module_outside_every_room_is_found(tree):
    (tree / "bot" / "insight").mkdir()
    (tree / "bot" / "insight" / "__init__.py").write_text('"""Figures."""\n', encoding="utf-8")
    assert room_of("bot.insight") is None
    assert violations(tree) == ["bot/insight/__init__.py: belongs to no room (tests/architecture/rooms.py)"]


def test_the_rooms_are_the_folders_the_readme_shows():
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    for room in ROOMS:
        if room.name.startswith("bot.") and not room.exact:
            assert f"{room.name.replace('.', '/')}/" in readme, room.name
