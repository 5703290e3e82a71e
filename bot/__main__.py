"""`python -m bot …`: the operator's command line, which lives in bot/ops/cli.py."""
import sys

from bot.ops.cli import main

sys.exit(main())
