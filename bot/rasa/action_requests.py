"""The body of the Rasa server's calls to the action server, encoded with ujson and the domain once.

Every custom action is one POST carrying the whole conversation state and the whole domain
(`RemoteAction`: every event of the session, and 130 kB of domain with every response in both languages).
Rasa hands the body to aiohttp as `json=`, which encodes it with the standard library's `json.dumps`:
8 % of the Rasa server's CPU through whole enrollments (py-spy, bench/README.md). `install()` (called by
bot.rasa.server) encodes it with ujson, which Rasa already depends on, and the domain only once: Rasa
hands every call the same domain dictionary (`Domain.as_dict` is cached), so its JSON is kept with it and
put in its place. The JSON is the same (the same values, keys in the same order, non-ASCII escaped as
before). A body ujson cannot encode goes as Rasa sent it.
"""
from __future__ import annotations

from typing import Any, Optional, Text

import ujson
from rasa.utils.endpoints import EndpointConfig

RASA_REQUEST: Any = None


_domain: list[Any] = [None, ""]  # the domain dictionary last sent, and its JSON


def _json(value: Any) -> str:
    return ujson.dumps(value, ensure_ascii=True, escape_forward_slashes=False)


def encoded(body: Any) -> Optional[bytes]:
    """`body` as JSON bytes, or None if ujson cannot encode it."""
    try:
        if not (isinstance(body, dict) and isinstance(body.get("domain"), dict) and list(body)[-1] == "domain"):
            return _json(body).encode("ascii")
        domain = body["domain"]
        if _domain[0] is not domain:
            _domain[:] = [domain, _json(domain)]
        rest = _json({key: value for key, value in body.items() if key != "domain"})
        return (rest[:-1] + ("," if rest != "{}" else "") + '"domain":' + _domain[1] + "}").encode("ascii")
    except (TypeError, ValueError, OverflowError):
        return None


async def request(self: EndpointConfig, method: Text = "post", subpath: Optional[Text] = None,
                  content_type: Optional[Text] = "application/json", compress: bool = False,
                  **kwargs: Any) -> Optional[Any]:
    """EndpointConfig.request, with a `json=` body encoded by ujson (sent as JSON, as before)."""
    if "json" in kwargs and "data" not in kwargs and content_type == "application/json":
        data = encoded(kwargs["json"])
        if data is not None:
            del kwargs["json"]
            kwargs["data"] = data
    return await RASA_REQUEST(self, method, subpath, content_type, compress, **kwargs)


def install() -> None:
    """Encode every `json=` request body of this process's endpoints with ujson (idempotent)."""
    global RASA_REQUEST
    if RASA_REQUEST is None:
        RASA_REQUEST = EndpointConfig.request
        EndpointConfig.request = request  # type: ignore[method-assign]
