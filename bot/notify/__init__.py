"""Notices to families after the conversation: when they are due (schedule), what they say (texts), how
they reach the family's channel (delivery), and the sending loop run by `python -m bot notify` (service).
The outbox they are queued in is bot.store.outbox."""
