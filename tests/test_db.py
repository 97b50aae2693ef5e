"""The database pool's sessions."""

import asyncpg
import pytest

from registry.config import Settings
from registry.db import connect, leaves_session_state


@pytest.fixture
async def one_connection(db_dsn):
    """A pool of one connection on the test's database: each statement meets the last one's session."""
    database = await connect(db_dsn, Settings(), min_size=1, max_size=1)
    yield database
    await database.close()


LEAVE_A_SETTING = "select set_config('application_name', 'left behind', false)"


async def test_pool_sessions_plan_each_statement_for_its_values(one_connection):
    """A prepared search kept a generic plan, made without its values, after five runs."""
    assert await one_connection.fetchval("show plan_cache_mode") == "force_custom_plan"


async def _last_statement_of(db_dsn, pid: int) -> str:
    """What the backend ``pid`` ran last, seen from another session."""
    watcher = await asyncpg.connect(db_dsn)
    try:
        return await watcher.fetchval("select query from pg_stat_activity where pid = $1", pid)
    finally:
        await watcher.close()


async def test_a_connection_lent_for_a_transaction_goes_back_to_the_pool_as_new(one_connection):
    async with one_connection.transaction() as tx:
        await tx.execute(LEAVE_A_SETTING)
    assert await one_connection.fetchval("show application_name") == "microcred"


async def test_a_connection_lent_for_a_block_goes_back_to_the_pool_as_new(one_connection):
    async with one_connection.connection() as conn:
        await conn.execute(LEAVE_A_SETTING)
    assert await one_connection.fetchval("show application_name") == "microcred"


async def test_a_single_statement_gives_its_connection_back_without_a_reset(one_connection, db_dsn):
    pid = await one_connection.fetchval("select pg_backend_pid() /* single */")
    assert await _last_statement_of(db_dsn, pid) == "select pg_backend_pid() /* single */"
    async with one_connection.transaction() as tx:
        await tx.fetchval("select 1")
    assert "RESET ALL" in await _last_statement_of(db_dsn, pid)


async def test_a_single_statement_that_could_leave_session_state_has_its_connection_reset(one_connection):
    await one_connection.fetchval(LEAVE_A_SETTING)
    assert await one_connection.fetchval("show application_name") == "microcred"


@pytest.mark.parametrize(
    "sql",
    [
        "/* tag */ set application_name = 'x'",
        "-- a note\nSET statement_timeout = 0",
        "select pg_advisory_lock_shared(1)",
        "select pg_advisory_lock (1)",
        "create local temp table t ()",
        "select 1 into temp t",
        "select 1; set work_mem = '64MB'",
        "do $$ begin execute 'set work_mem = ''64MB'''; end $$",
    ],
)
def test_a_statement_that_could_leave_session_state_is_told_by_its_text(sql):
    assert leaves_session_state(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "select pg_advisory_xact_lock(1)",
        "update offerings set version = 1 where id = $1",
        "select 1;",
        "with x as (select 1) select * from x",
    ],
)
def test_a_statement_that_leaves_nothing_on_its_session_is_not_taken_for_one(sql):
    assert not leaves_session_state(sql)
