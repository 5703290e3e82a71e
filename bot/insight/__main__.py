"""`python -m bot.insight`: the same as `python -m bot insight` (bot.insight.consumer)."""
import sys

from bot.insight.consumer import main

sys.exit(main())
