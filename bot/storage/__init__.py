"""Storage: feedback, question and volume records, dedupe, rate limits and OAuth stores by URL.

The Slack app opens everything once with `bot.storage.services.open_storage(settings)`.
"""
