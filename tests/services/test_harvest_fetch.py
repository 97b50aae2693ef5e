"""Fetching from a harvest source: a source that asks the harvester to slow down is asked
again after the time it names, a few times, and only then is the run a failure."""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from registry.domain.harvesting import Limits
from registry.services.harvest_fetch import RETRIES_WHEN_LIMITED, RateLimited, SourceFailed, ask_graphql
from tests.support.apps import SETTINGS
from tests.support.file_server import file_server

LOOPBACK = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True)


async def test_a_source_that_answers_429_is_asked_again_after_its_retry_after():
    with file_server() as site:
        site.files["/graphql"] = b'{"data": {"changes": null}}'
        site.statuses["/graphql"] = [429, 429]
        async with httpx.AsyncClient() as http:
            data = await ask_graphql(site.url("/graphql"), LOOPBACK, http, Limits(), "{ changes { endCursor } }", {})
    assert data == {"changes": None} and site.answers == [429, 429, 200]


async def test_a_source_that_keeps_answering_429_fails_after_a_few_tries():
    with file_server() as site:
        site.files["/graphql"] = b'{"data": {}}'
        site.statuses["/graphql"] = 429
        async with httpx.AsyncClient() as http:
            with pytest.raises(RateLimited):
                await ask_graphql(site.url("/graphql"), LOOPBACK, http, Limits(), "{ changes { endCursor } }", {})
    assert site.answers == [429] * (RETRIES_WHEN_LIMITED + 1)


async def test_a_graphql_error_from_the_source_is_a_failure_naming_it():
    with file_server() as site:
        site.files["/graphql"] = b'{"errors": [{"message": "Unknown cursor."}], "data": null}'
        async with httpx.AsyncClient() as http:
            with pytest.raises(SourceFailed, match="Unknown cursor"):
                await ask_graphql(site.url("/graphql"), LOOPBACK, http, Limits(), "{ changes { endCursor } }", {})
