"""Is this Rasa server ready for users: answering, and with a model loaded.

Rasa answers `GET /` with 200 even when its model failed to load, and then replies to nothing (the scale
test met such a replica). The Kubernetes readiness probe of the Rasa pods runs `python -m bot.ops.readiness`
instead, which asks the protected `/status` which model is loaded (a JWT header signed with
RASA_API_TOKEN: bot.rasa.api_token; no secret in the URL or on the probe's command line). Exit code 0: ready; 1: not,
with the reason on stderr (never the token).
"""
from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

from bot.core import settings
from bot.rasa.api_token import authorization


def check(base_url: str, token: str, timeout_s: float = 3.0) -> tuple[bool, str]:
    """(ready, why): the loaded model's id when ready, else what is wrong."""
    request = urllib.request.Request(f"{base_url.rstrip('/')}/status",
                                     headers=authorization(token, "readiness"))
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            status = json.load(response)
    except urllib.error.HTTPError as error:
        return False, f"/status answered {error.code}"
    except (OSError, ValueError) as error:
        return False, f"no usable answer from {base_url}: {type(error).__name__}"
    model = status.get("model_id") if isinstance(status, dict) else None
    return (True, str(model)) if model else (False, "the server is up but has no model loaded")


def main(argv: list[str] | None = None) -> int:
    """`python -m bot.ops.readiness [URL]`: URL is the server to ask (default RASA_URL); a pod's probe names
    its own replica (http://127.0.0.1:5005), not the load balancer in RASA_URL."""
    args = sys.argv[1:] if argv is None else argv
    ready, why = check(args[0] if args else settings.rasa_url(), settings.get("RASA_API_TOKEN"))
    print(("ready: model " if ready else "not ready: ") + why, file=sys.stderr)
    return 0 if ready else 1


if __name__ == "__main__":
    sys.exit(main())
