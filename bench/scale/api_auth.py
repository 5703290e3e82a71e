"""The HTTP API's authentication as the router serves it: what is refused, and with which status."""
from __future__ import annotations

from bench.scale.tracker_check import rasa_sender


async def api_auth_checks(public: str, base: str, jwt_secret: str, a: str, b: str) -> dict:
    """The HTTP API refuses a request without credentials (401), the old `?token=` (401), a sender's
    JWT for another sender's conversation (403); the public port does not serve it at all (404)."""
    import aiohttp

    from bot.rasa.api_token import sender_token

    a, b = rasa_sender(a), rasa_sender(b)
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/conversations/{a}/tracker") as response:
            anonymous = response.status
        async with session.get(f"{base}/conversations/{a}/tracker", params={"token": jwt_secret}) as response:
            query_token = response.status
        async with session.get(f"{public}/conversations/{a}/tracker",
                               headers={"Authorization": f"Bearer {sender_token(jwt_secret, a)}"}) as response:
            public_api = response.status
        async with session.post(f"{public}/webhooks/rest/webhook", json={"sender": "x", "message": "hi"}
                                ) as response:
            public_rest = response.status
        async with session.get(f"{base}/conversations/{b}/tracker",
                               headers={"Authorization": f"Bearer {sender_token(jwt_secret, a)}"}) as response:
            other = response.status
        async with session.get(f"{base}/conversations/{a}/tracker",
                               headers={"Authorization": f"Bearer {sender_token('wrong-' + jwt_secret, a)}"}
                               ) as response:
            forged = response.status
    return {"no_credentials": anonymous, "query_token": query_token, "jwt_for_another_sender": other,
            "forged_jwt": forged, "public_http_api": public_api, "public_rest": public_rest}
