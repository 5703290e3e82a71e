"""The name rasa-sdk looks for: it imports a top-level `rasa_sdk_plugins` package and calls its
`init_hooks(manager)`. The plugin itself (the action server's shared-secret check) lives with the other
Rasa plugins in bot/rasa/action_server_auth.py."""
from bot.rasa.action_server_auth import init_hooks

__all__ = ["init_hooks"]
