"""Run the Alembic migrations from inside the registry (CLI, app start-up, tests)."""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parent.parent


def alembic_config(dsn: str) -> Config:
    """An Alembic config for the repository's migrations, aimed at ``dsn``."""
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.attributes["dsn"] = dsn
    return config


@functools.cache
def head_revision() -> str:
    """The newest migration this code knows."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    if head is None:
        raise RuntimeError(f"no migrations in {ROOT / 'migrations'}")
    return head


async def upgrade(dsn: str, revision: str = "head") -> None:
    """Migrate the database at ``dsn`` up to ``revision``."""
    # Alembic's async env runs its own event loop, so it gets a thread of its own.
    await asyncio.to_thread(command.upgrade, alembic_config(dsn), revision)


async def downgrade(dsn: str, revision: str) -> None:
    """Migrate the database at ``dsn`` down to ``revision`` (``base`` removes everything)."""
    await asyncio.to_thread(command.downgrade, alembic_config(dsn), revision)


def execute_script(sql: str) -> None:
    """Run a multi-statement SQL script inside a migration.

    SQLAlchemy's asyncpg adapter prepares every statement, and PostgreSQL refuses to
    prepare several at once; asyncpg's own ``execute`` without arguments uses the simple
    query protocol, which takes a whole script. Call only from a migration's
    ``upgrade``/``downgrade`` (it runs in Alembic's transaction, on its connection).
    """
    from alembic import op
    from sqlalchemy.util.concurrency import await_

    driver = op.get_bind().connection.driver_connection
    if driver is None:  # only a closed or invalidated connection has none
        raise RuntimeError("execute_script runs only inside a migration, on its open connection")
    await_(driver.execute(sql))
