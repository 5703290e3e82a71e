"""The enrollment assistant's own code: plan rules, identity checks, language, store, channels and console.

The core modules (plan, identity, i18n, language) never import Rasa, so the assistant, the action server,
the support console and the operator command all share one copy of every business rule.
"""
