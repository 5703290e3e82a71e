"""The action server's actions: thin adapters that read the tracker, call the core and the store, and
answer with domain responses. No business rule lives here."""
