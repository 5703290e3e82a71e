"""The Rasa command line (`rasa run ...`) with the project's guards around it.

`python -m bot.rasa.server run --enable-api ...` takes the arguments of `rasa run`; the launcher, the
scale test and the Kubernetes manifests start the Rasa server this way, which adds:

- the guard around actions (bot.rasa.outage) and the prepared check of action responses (bot.rasa.action_results);
- the guard on what users type (bot.rasa.typed_payloads): a `/intent{...}` payload cannot set a slot only the
  assistant sets, cannot switch to a language we do not speak, and `/restart` cannot end a staff pause;
- the HTTP API's secret: `--jwt-secret` is taken from RASA_API_TOKEN inside this process, so no secret
  is ever on the command line (`ps` shows it to every user of the machine). `--auth-token` and
  `--jwt-secret` given on the command line are refused, and so is Rasa's `?token=` query parameter
  (there is no auth token): callers send a JWT header (bot.rasa.api_token);
- with the production endpoints, a refusal to start while a secret it needs is empty;
- GET /metrics and the turn latency histogram (bot.rasa.metrics);
- a model warmed before the port opens, so the first family after a start waits no longer than the next
  (bot.rasa.warm_up);
- models loaded for answering, without Rasa's one training step (bot.rasa.serving_models): half the memory;
- the action server's request bodies encoded with ujson (bot.rasa.action_requests).
"""
from __future__ import annotations

import sys
from typing import List, Optional

FORBIDDEN_ARGUMENTS = ("--auth-token", "--jwt-secret", "--jwt-private-key")
PRODUCTION_SECRETS = ("RASA_API_TOKEN", "ACTION_SERVER_SECRET", "WEBCHAT_SESSION_KEY")


class RefusedStart(SystemExit):
    """Why the server does not start, for the person starting it."""

    def __init__(self, message: str) -> None:
        super().__init__(f"error: {message}")


def missing_production_secrets() -> List[str]:
    from bot.core import settings

    if not settings.production():
        return []
    return [name for name in PRODUCTION_SECRETS if not settings.get(name)]


def arguments(argv: List[str], secret: Optional[str] = None) -> List[str]:
    """The `rasa` arguments to run with: `argv` plus the HTTP API's JWT secret when the API is on."""
    for given in argv:
        if given.split("=", 1)[0] in FORBIDDEN_ARGUMENTS:
            raise RefusedStart(f"{given.split('=', 1)[0]} on the command line shows the secret to `ps`; "
                               "set RASA_API_TOKEN instead.")
    if argv[:1] != ["run"] or argv[1:2] == ["actions"]:
        return argv
    missing = missing_production_secrets()
    if missing:
        raise RefusedStart("with the production endpoints these must be set: " + ", ".join(missing))
    if "--enable-api" not in argv:
        return argv
    if secret is None:
        from bot.rasa.api_token import api_token

        secret = api_token()
    from bot.rasa.api_token import ALGORITHM

    # One argument with "=": a secret starting with "-" must not read as an option.
    return [*argv, f"--jwt-secret={secret}", f"--jwt-method={ALGORITHM}"]


def main() -> None:
    from bot.rasa import action_requests, action_results, metrics, outage, serving_models, typed_payloads, warm_up

    # sys.argv is Python's copy: changing it does not change what `ps` shows (/proc/<pid>/cmdline).
    sys.argv = [sys.argv[0], *arguments(sys.argv[1:])]
    outage.install()
    action_results.install()
    typed_payloads.install()
    metrics.install()
    warm_up.install()
    serving_models.install()
    action_requests.install()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    sys.exit(main())
