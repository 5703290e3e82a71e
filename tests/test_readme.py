"""The README stays the front door: its two commands, and every setting the code reads."""
from pathlib import Path

import pytest

from bot.core.settings import SETTINGS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def test_the_two_commands_are_there():
    assert "make run" in README and "make test" in README


@pytest.mark.parametrize("name", sorted(SETTINGS))
def test_every_setting_is_documented(name):
    assert f"`{name}`" in README, f"{name} is missing from the README's configuration table"
