"""Alembic migrations, run by `bot.storage.db.upgrade` (no alembic.ini needed)."""
