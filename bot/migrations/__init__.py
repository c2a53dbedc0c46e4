"""Alembic migrations of the Qualibot schema (run via `bot.storage.migrate`)."""
