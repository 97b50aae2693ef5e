"""A fault inside the registry is masked: the client learns nothing of the internals."""

from __future__ import annotations

import asyncpg

from tests.graphql_client import errors


async def test_a_database_fault_is_masked_as_an_internal_error(client, db_dsn):
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("alter table skills rename to skills_elsewhere")
    finally:
        await conn.close()
    found = await errors(client, "{ skills { totalCount } }")
    assert found == [{"message": "Internal server error.", "locations": [{"line": 1, "column": 3}],
                      "path": ["skills"], "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]


async def test_health_reports_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
