"""The core: the plan's rules, identity checks, the enrollment flow, handoff rules, language and
formatting, and the environment settings. Pure Python with Babel and YAML: it imports no Rasa, no
SQLAlchemy, no cryptography, no web framework and nothing of the store (tests/test_boundaries.py)."""
