"""Harvesting what an organisation owns in Credential Engine's registry, from a local server
that answers like its CTDL query endpoint with Credential Engine's own example resources."""

from __future__ import annotations

import copy
import dataclasses

import httpx
import pytest

from registry.domain.principals import operator
from registry.services import harvesting
from registry.services.seeding import seed
from registry.store import providers
from tests.support.apps import SETTINGS
from tests.support.credential_engine import credential_engine, example

LOOPBACK = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True)
OPERATOR = operator("test")
UNIVERSITY = example("Organization-1.json")["ceterms:ctid"]
OWNED = {example(n)["ceterms:ctid"] for n in ("Credential-1.json", "LearningProgram-1.json", "LearningProgram-2.json")}
OWNED.add(example("Course-1a.json")["ceterms:ctid"])


@pytest.fixture
async def registry(db):
    await seed(db, 0)
    await providers.create(
        db, slug="example-university", name={"en": "Example University"}, kind="UNIVERSITY", jurisdiction="CA-ON"
    )
    with credential_engine() as served:
        yield served


async def _source(db, registry, settings=LOOPBACK):
    added = await harvesting.add(
        db,
        OPERATOR,
        settings,
        kind="CREDENTIAL_ENGINE",
        url=registry.url,
        provider_slug="example-university",
        organization_ctid=UNIVERSITY,
    )
    assert added.ok, added.problems
    return added.value


async def _run(db, source, settings=LOOPBACK):
    async with httpx.AsyncClient() as http:
        return await harvesting.run(db, settings, source.id, http)


async def _ctids(db, status="PUBLISHED") -> set[str]:
    rows = await db.fetch("select ce_ctid from credentials where status = $1::credential_status", status)
    return {row["ce_ctid"] for row in rows}


async def test_what_an_organisation_owns_there_is_harvested_for_its_provider_here(db, registry):
    run = await _run(db, await _source(db, registry))
    assert (run.succeeded, run.created, run.failed) == (True, 4, 0), run.problems
    owners = await db.fetch("select distinct p.slug from credentials c join providers p on p.id = c.provider_id")
    assert [row["slug"] for row in owners] == ["example-university"]
    assert await _ctids(db) | await _ctids(db, "DRAFT") == OWNED


async def test_an_unchanged_organisation_costs_one_query(db, registry):
    source = await _source(db, registry)
    await _run(db, source)
    asked = len(registry.queries)
    again = await _run(db, source)
    assert (again.succeeded, again.not_modified) == (True, True)
    assert len(registry.queries) == asked + 1


async def test_an_updated_resource_is_updated_and_a_deleted_one_retired_after_two_runs(db, registry):
    source = await _source(db, registry)
    await _run(db, source)
    program = copy.deepcopy(example("LearningProgram-2.json"))
    program["ceterms:name"] = {"en-US": "Renamed Program"}
    registry.publish(program)
    registry.delete(example("Course-1a.json")["ceterms:ctid"])
    first = await _run(db, source)
    assert (first.updated, first.retired) == (1, 0), first.problems
    title = await db.fetchval("select title from credentials where ce_ctid = $1", program["ceterms:ctid"])
    assert title == {"en-US": "Renamed Program"}
    registry.publish(program | {"ceterms:name": {"en-US": "Renamed Again"}})  # a change: the next run reads it
    second = await _run(db, source)
    assert second.retired == 1
    assert example("Course-1a.json")["ceterms:ctid"] in await _ctids(db, "RETIRED")


async def test_resources_of_other_organisations_are_left_out(db, registry):
    other = copy.deepcopy(example("LearningProgram-2.json"))
    other["ceterms:ctid"] = "ce-00000000-0000-4000-8000-000000000001"
    other["ceterms:ownedBy"] = ["https://elsewhere.example/org"]
    registry.publish(other)
    run = await _run(db, await _source(db, registry))
    assert run.created == 4 and other["ceterms:ctid"] not in await _ctids(db) | await _ctids(db, "DRAFT")


async def test_the_api_key_is_sent_as_a_bearer_token(db, registry):
    registry.api_key = "test-key"
    source = await _source(db, registry)
    refused = await _run(db, source)
    assert refused.succeeded is False and "HTTP 401" in refused.problems[0]["message"]
    keyed = dataclasses.replace(LOOPBACK, credential_engine_api_key="test-key")
    assert (await _run(db, source, keyed)).created == 4


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"provider_slug": "example-university"}, "ORGANIZATION_REQUIRED"),
        ({"provider_slug": "example-university", "organization_ctid": "example-university"}, "ORGANIZATION_REQUIRED"),
        ({"organization_ctid": UNIVERSITY}, "PROVIDER_REQUIRED"),
    ],
)
async def test_a_credential_engine_source_names_an_organisation_there_and_a_provider_here(db, registry, options, code):
    added = await harvesting.add(db, OPERATOR, LOOPBACK, kind="CREDENTIAL_ENGINE", url=registry.url, **options)
    assert [p.code for p in added.problems] == [code]
