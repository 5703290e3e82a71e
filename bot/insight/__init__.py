"""Operator insight: where families drop out, why conversations go to staff, from the conversation events.

The Rasa server publishes every conversation event (in the protected form the conversation store keeps)
to its event broker; the consumer (`python -m bot insight`, bot.insight.consumer) reads them, keeps only
the few facts the figures need (bot.core.insight.facts: never a text, a name or a number someone typed) in
the enrollment store, and bot.core.insight.figures builds the funnel, the outcomes, the handoffs and the
misunderstandings from those facts.
"""
