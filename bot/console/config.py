"""What the support console needs to know: where the store and Rasa are, and how long logins last.

`ConsoleConfig.from_settings()` reads bot/core/settings.py (the environment, with working local defaults);
tests build one directly.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.core import settings
from bot.console.login_throttle import trusted_networks


@dataclass(frozen=True)
class ConsoleConfig:
    database_url: str
    rasa_url: str  # base URL of Rasa's HTTP API, e.g. http://localhost:5005
    rasa_token: str  # RASA_API_TOKEN: the secret that signs the JWTs of its calls (bot.rasa.api_token)
    session_lifetime: timedelta = timedelta(hours=12)
    secure_cookies: bool = False  # cookies over HTTPS only
    login_failures_allowed: int = 5  # attempts per username ...
    login_attempts_per_address: int = 50  # ... and per client address ...
    login_failure_window: timedelta = timedelta(minutes=15)  # ... in this long
    trusted_proxies: tuple = ()  # networks whose X-Forwarded-For is believed (login_throttle.client_address)
    poll_seconds: int = 3  # how often open pages ask for the queue and the transcript again
    resume_intent: str = "resume_conversation"  # the bot side's intent: "the assistant is back"
    rasa_timeout_seconds: float = 15.0
    metrics_port: int = 0  # GET /metrics on a port of its own (CONSOLE_METRICS_PORT); 0: none
    metrics_host: str = "127.0.0.1"

    @classmethod
    def from_settings(cls) -> "ConsoleConfig":
        from bot.rasa.api_token import api_token  # the secret the Rasa server checks tokens with

        hours = settings.get("CONSOLE_SESSION_HOURS")
        try:
            lifetime = timedelta(hours=float(hours))
        except ValueError:
            raise ValueError(f"CONSOLE_SESSION_HOURS={hours!r} is not a number of hours") from None
        return cls(
            database_url=settings.database_url(),
            rasa_url=settings.rasa_url(),
            rasa_token=api_token(),
            session_lifetime=lifetime,
            secure_cookies=settings.get("CONSOLE_SECURE_COOKIES").lower() in ("1", "true", "yes"),
            trusted_proxies=trusted_networks(settings.get("CONSOLE_TRUSTED_PROXIES")),
            metrics_port=settings.optional_port("CONSOLE_METRICS_PORT"),
            metrics_host=settings.get("METRICS_HOST"),
        )
