"""The bot's features: each module is an extension (``async def setup(bot)``) loaded at start.

Adding a feature is adding a module here; ``NewsBot.setup_hook`` finds it by itself.
"""
