"""One JSON line per request in the log: who, what, how it ended, what it cost."""

from __future__ import annotations

import json
import logging

from tests.support.parties import access_token


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "microcred.requests"]


async def test_each_request_is_logged_as_one_json_line(client, caplog):
    caplog.set_level(logging.INFO, logger="microcred.requests")
    response = await client.post("/graphql", json={"query": "query Count { searchCredentials { totalCount } }"})
    (line,) = _lines(caplog)
    assert line["request_id"] == response.headers["x-request-id"] and len(line["request_id"]) == 32
    assert (line["method"], line["path"], line["operation"], line["status"]) == ("POST", "/graphql", "Count", 200)
    assert line["sql_statements"] >= 1 and line["duration_ms"] > 0 and line["client_id"] is None


async def test_the_log_names_the_client_behind_a_token(client, parties, caplog):
    token = await access_token(client, parties.provider)
    caplog.set_level(logging.INFO, logger="microcred.requests")
    await client.post(
        "/graphql", json={"query": "{ viewer { clientId } }"}, headers={"authorization": f"Bearer {token}"}
    )
    assert _lines(caplog)[-1]["client_id"] == parties.provider.client_id


async def test_an_unusable_request_id_is_replaced(client):
    response = await client.get("/healthz", headers={"x-request-id": "bad id; drop table"})
    assert response.headers["x-request-id"] != "bad id; drop table" and len(response.headers["x-request-id"]) == 32
