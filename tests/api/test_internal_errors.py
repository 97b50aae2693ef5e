"""A fault inside the registry is masked: the client learns nothing of the internals."""

from __future__ import annotations

import asyncpg


async def test_a_database_fault_is_masked_and_tied_to_the_log_by_the_request_id(client, db_dsn, caplog):
    conn = await asyncpg.connect(db_dsn)
    try:
        await conn.execute("alter table skills rename to skills_elsewhere")
    finally:
        await conn.close()
    response = await client.post(
        "/graphql", json={"query": "{ skills { totalCount } }"}, headers={"x-request-id": "support-ticket-42"}
    )
    assert response.json()["errors"] == [
        {
            "message": "Internal server error.",
            "locations": [{"line": 1, "column": 3}],
            "path": ["skills"],
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "support-ticket-42"},
        }
    ]
    assert response.headers["x-request-id"] == "support-ticket-42"
    logged = [r for r in caplog.records if r.levelname == "ERROR" and "support-ticket-42" in r.getMessage()]
    assert logged and "skills_elsewhere" not in response.text and logged[0].exc_info


async def test_health_reports_ok(client):
    response = await client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
