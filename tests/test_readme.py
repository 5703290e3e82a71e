"""The README stays the front door: short, its two commands, every path it names real, and every setting
the code reads documented in docs/configuration.md, exactly as `python -m bot settings` prints it."""
import re
from pathlib import Path

import pytest

from bot.core import settings
from bot.core.settings import SETTINGS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONFIGURATION = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")


def test_the_two_commands_are_there():
    assert "make run" in README and "make test" in README


def test_the_front_door_is_short():
    assert len(README.splitlines()) <= 150


def test_every_file_and_folder_the_readme_names_exists():
    named = set(re.findall(r"`((?:bot|actions|tests|docs|bench|deploy|web|scripts|data|domain)/[\w./-]*)`", README))
    named |= set(re.findall(r"\b((?:docs|bench)/[\w-]+\.md)\b", README))
    assert named, "the README names no files"
    missing = sorted(path for path in named if not (ROOT / path.rstrip("/")).exists())
    assert missing == []


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in CONFIGURATION, f"{name} is missing from docs/configuration.md"


def test_the_configuration_table_is_the_one_the_code_prints():
    assert settings.describe() in CONFIGURATION, "regenerate the table with `python -m bot settings`"
