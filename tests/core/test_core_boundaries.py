"""The core stays plain Python: importing it never loads Rasa, so every caller shares one copy of the
rules without the framework."""
from __future__ import annotations

import subprocess
import sys

from bot.settings import PROJECT_ROOT

CORE_MODULES = [
    "bot.plan", "bot.plan.config", "bot.plan.eligibility", "bot.plan.screening", "bot.plan.cover",
    "bot.plan.contributions", "bot.plan.clock", "bot.plan.facts", "bot.identity", "bot.i18n",
    "bot.language", "bot.enrollment", "bot.handoff",
]


def test_the_core_never_imports_rasa():
    imports = "; ".join(f"import {module}" for module in CORE_MODULES)
    check = "import sys; bad = sorted(m for m in sys.modules if m.split('.')[0] in ('rasa', 'rasa_sdk')); " \
            "print(bad); sys.exit(1 if bad else 0)"
    result = subprocess.run([sys.executable, "-c", f"{imports}; {check}"], capture_output=True, text=True,
                            cwd=PROJECT_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr

