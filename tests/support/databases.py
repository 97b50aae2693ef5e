"""The suite's databases on its one PostgreSQL server: their names, and cloning from a template.

Every test database is a file copy of a template (a migrated empty one, or one a fixture has
filled once), which costs a fraction of a second where migrating or seeding costs seconds."""

from __future__ import annotations

import itertools
import os

import asyncpg

from registry.db import with_database

RUN = f"mc{os.getpid()}"
TEMPLATE = f"{RUN}_template"  # migrated and empty (tests/conftest.py makes it)
_counter = itertools.count()


def next_name() -> str:
    """A database name no other test of this run uses."""
    return f"{RUN}_t{next(_counter)}"


async def admin(dsn: str, sql: str) -> None:
    """Run one statement (CREATE or DROP DATABASE: outside any transaction) on ``dsn``."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def clone(server_dsn: str, name: str, template: str = TEMPLATE) -> str:
    """Create database ``name`` as a copy of ``template``; its DSN."""
    await admin(server_dsn, f'create database "{name}" template "{template}" strategy file_copy')
    return with_database(server_dsn, name)


async def drop(server_dsn: str, name: str) -> None:
    """Drop database ``name``, closing whatever is still connected to it."""
    await admin(server_dsn, f'drop database if exists "{name}" with (force)')
