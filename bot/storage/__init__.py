"""Storage: records, dedupe, rate limits, conversation memory and OAuth stores, by URL.

The Slack app opens everything once with `bot.storage.services.open_storage(settings)`.
"""
