"""`python -m bot.console`: serve the support console on CONSOLE_HOST:CONSOLE_PORT (see bot/core/settings.py).

The enrollment store is brought to the newest schema first, as the launcher does, so the console can be
started on its own. It talks to the Rasa server at RASA_URL with the API token of bot.rasa.api_token.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Optional, Sequence

from aiohttp import web

from bot.core import settings
from bot.console import ConsoleConfig, create_app


def main(argv: Optional[Sequence[str]] = None) -> int:
    argparse.ArgumentParser(prog="python -m bot.console", description=__doc__).parse_args(argv)
    logging.basicConfig(level=settings.get("LOG_LEVEL"), format="%(asctime)s %(name)s %(message)s")
    try:
        port = settings.port("CONSOLE_PORT")
    except settings.SettingError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    from bot.store import upgrade_schema

    config = ConsoleConfig.from_settings()
    upgrade_schema(config.database_url)
    host = settings.get("CONSOLE_HOST")
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    banner = f"Support console: http://{shown}:{port}/  (Ctrl-C to stop)"
    web.run_app(create_app(config), host=host, port=port, access_log=None,
                print=lambda _: print(banner, flush=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
