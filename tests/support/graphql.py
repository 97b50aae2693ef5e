"""Helpers for talking GraphQL over HTTP in tests."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import httpx

OPERATIONS = Path(__file__).resolve().parents[2] / "graphql" / "operations"


class GraphQLErrors(AssertionError):
    """The response carried errors where none were expected."""


async def post(
    client: httpx.AsyncClient, query: str, variables: dict | None = None, operation: str | None = None
) -> httpx.Response:
    """POST a GraphQL request; returns the raw HTTP response."""
    body: dict[str, Any] = {"query": query, "variables": variables or {}}
    if operation:
        body["operationName"] = operation
    return await client.post("/graphql", json=body)


async def data(
    client: httpx.AsyncClient, query: str, variables: dict | None = None, operation: str | None = None
) -> dict:
    """The ``data`` of a request that must succeed without errors."""
    response = await post(client, query, variables, operation)
    assert response.status_code == 200, response.text
    body = response.json()
    if body.get("errors"):
        raise GraphQLErrors(body["errors"])
    return body["data"]


async def errors(client: httpx.AsyncClient, query: str, variables: dict | None = None) -> list[dict]:
    """The ``errors`` of a request that must fail (never with a 5xx)."""
    response = await post(client, query, variables)
    assert response.status_code < 500, response.text
    body = response.json()
    assert body.get("errors"), f"expected errors, got {body}"
    return body["errors"]


def statements(response: httpx.Response) -> int:
    """How many SQL statements the request cost, from its Server-Timing header."""
    match = re.search(r'desc="(\d+) statements"', response.headers["server-timing"])
    assert match, response.headers["server-timing"]
    return int(match.group(1))


def operation(name: str) -> str:
    """The text of a named operation file in graphql/operations/."""
    return (OPERATIONS / f"{name}.graphql").read_text()


def planned_objects(response: httpx.Response) -> int:
    """How many objects the request completed from plans, from its Server-Timing header."""
    match = re.search(r'desc="(\d+) objects planned"', response.headers["server-timing"])
    assert match, response.headers["server-timing"]
    return int(match.group(1))
