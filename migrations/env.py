"""Alembic environment: async, on the asyncpg dialect, migrations written as plain SQL.

The DSN is taken from ``config.attributes["dsn"]`` when the registry calls Alembic
itself (``registry.migrate``), else from the environment like the application does.
"""

import asyncio

import asyncpg
from alembic import context
from sqlalchemy.ext.asyncio import create_async_engine

from registry.config import Settings
from registry.db import resolve_database_url


def _run_sync(connection) -> None:
    context.configure(connection=connection, target_metadata=None, transactional_ddl=True)
    with context.begin_transaction():
        context.run_migrations()


async def _run_online() -> None:
    dsn = context.config.attributes.get("dsn") or await resolve_database_url(Settings.from_env())
    engine = create_async_engine("postgresql+asyncpg://", async_creator=lambda: asyncpg.connect(dsn))
    try:
        async with engine.connect() as connection:
            await connection.run_sync(_run_sync)
            await connection.commit()
    finally:
        await engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) mode is not supported: run migrations against a database.")
asyncio.run(_run_online())
