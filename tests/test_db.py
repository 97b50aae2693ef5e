"""The database pool's sessions."""

from registry.config import Settings
from registry.db import connect


async def test_pool_sessions_plan_each_statement_for_its_values(db_dsn):
    """A prepared search kept a generic plan, made without its values, after five runs."""
    database = await connect(db_dsn, Settings(), min_size=1, max_size=1)
    try:
        assert await database.fetchval("show plan_cache_mode") == "force_custom_plan"
    finally:
        await database.close()
