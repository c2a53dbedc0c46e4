"""Storage: sqlmodel tables, engines, Alembic migrations and the repository functions.

Import the pieces from their modules: `bot.storage.tables` (models),
`bot.storage.database` (engines, sessions), `bot.storage.migrate` (schema) and
`bot.storage.repository` (sync functions over a `Session`).
"""
