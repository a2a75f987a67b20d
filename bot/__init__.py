"""Newsdesk's Discord bot: answers questions about the news articles by quoting them.

Run it with ``python -m bot``; without a token it answers in the terminal instead.
"""
