"""The Rasa command line (`rasa run ...`) with the project's guard around actions (bot.outage) and its
prepared check of action responses (bot.action_results).

`python -m bot.rasa_server run --enable-api ...` takes exactly the arguments of `rasa run`; the launcher,
the scale test and the Kubernetes manifests start the Rasa server this way, so that a failing or slow
action server makes the assistant apologise and offer a person instead of going quiet.
"""
from __future__ import annotations

import sys


def main() -> None:
    from bot import action_results, outage

    outage.install()
    action_results.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
