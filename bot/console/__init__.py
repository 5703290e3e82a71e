"""The support console: where support staff take over conversations the assistant hands to a person.

Staff log in (accounts from `python -m bot staff create`), see the queue of waiting conversations, take
one, read its whole transcript, reply to the user through the Rasa HTTP API, and hand the conversation
back to the assistant or close it. Everything they do is in the enrollment store's audit trail. The UI
speaks Chinese and English (Babel catalogs in locale/).

Start it with `python -m bot.console`; `create_app(ConsoleConfig...)` builds it for tests and embedding.
Routes: see app.py.
"""
from bot.console.app import create_app
from bot.console.config import ConsoleConfig

__all__ = ["create_app", "ConsoleConfig"]
