"""Modules and functions stay small enough to read: no module over ~400 lines of code and no function over
~60 lines outside the tests (issue 15). Alembic revisions are history and count like any other module."""
from __future__ import annotations

import ast
from pathlib import Path

from bot.core.settings import PROJECT_ROOT

MODULE_LINES = 400
FUNCTION_LINES = 60
ROOMS = ("bot", "actions", "rasa_sdk_plugins", "bench", "scripts")


def code_lines(source: str) -> int:
    return sum(1 for line in source.splitlines() if line.strip() and not line.strip().startswith("#"))


def sources() -> list[Path]:
    return sorted(p for room in ROOMS for p in (PROJECT_ROOT / room).rglob("*.py"))


def test_no_module_is_longer_than_it_can_be_read():
    long = {str(p.relative_to(PROJECT_ROOT)): n for p in sources()
            if (n := code_lines(p.read_text(encoding="utf-8"))) > MODULE_LINES}
    assert long == {}


def test_no_function_is_longer_than_a_screen():
    long = {}
    for path in sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > FUNCTION_LINES:
                    long[f"{path.relative_to(PROJECT_ROOT)}:{node.lineno} {node.name}"] = lines
    assert long == {}
