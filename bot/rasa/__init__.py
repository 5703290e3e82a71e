"""What plugs into Rasa: the server's start-up (server.py), NLU components (nlu/), the response
generator (nlg.py), the private conversation store (tracker_store.py), the guards around actions and
typed payloads, and the action server's shared-secret plugin. Imports the core and the store, never the
other adapters (channels, console, notify)."""
