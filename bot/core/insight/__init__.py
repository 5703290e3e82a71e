"""The insight figures' rules, plain Python: which facts a conversation event holds (facts), how they
tell enrollment attempts and handoffs (journeys), and the figures built from those (figures). The
consumer (bot.insight) and the support console's insight page both use them."""
