"""The in-process alternation measures the code as built and a variant under the same noise,
and says whether the variant still gives the same answer."""

from __future__ import annotations

from types import SimpleNamespace

import asyncpg
import pytest

from bench.alternate import PostgresCPU, alternate
from bench.run import OPERATIONS
from bench.sql_alone import REQUESTS
from registry.store import search
from registry.store.paging import Page

NEAR = {
    "query": (OPERATIONS / "SearchPage.graphql").read_text(),
    "variables": REQUESTS["near and starting soon (facets)"],
}
UNCHANGED = SimpleNamespace(apply=lambda: None, revert=lambda: None)


def reversing_pages() -> SimpleNamespace:
    """A variant whose search pages come in reverse order."""
    original = search.page

    async def reversed_page(*args, **kwargs):
        found = await original(*args, **kwargs)
        return Page(found.items[::-1], found.keys[::-1], found.has_next)

    def apply() -> None:
        search.page = reversed_page

    def revert() -> None:
        search.page = original

    return SimpleNamespace(apply=apply, revert=revert)


@pytest.fixture
async def postgres(demo_dsn) -> PostgresCPU:
    connection = await asyncpg.connect(demo_dsn)
    try:
        return PostgresCPU(await connection.fetchval("show data_directory"))
    finally:
        await connection.close()


async def test_each_side_measures_every_request_of_its_batches(demo_client, postgres):
    found = await alternate(demo_client, NEAR, UNCHANGED, postgres, rounds=2, batch=5)
    assert {side: len(seconds) for side, seconds in found.seconds.items()} == {"A": 10, "B": 10}
    assert all(seconds > 0 for side in found.seconds.values() for seconds in side)
    # PostgreSQL's share, per batch: the requests' statements run in its processes (a process's
    # CPU time counts in ticks of 10 ms, so one short batch may show none).
    assert {side: len(batches) for side, batches in found.postgres.items()} == {"A": 2, "B": 2}
    assert sum(mean for side in found.postgres.values() for mean in side) > 0


async def test_a_variant_that_changes_nothing_answers_the_same_data(demo_client, postgres):
    found = await alternate(demo_client, NEAR, UNCHANGED, postgres, rounds=1, batch=1)
    assert found.data["A"]["searchCredentials"]["nodes"] and "same data: True" in found.report()


async def test_a_variant_that_changes_the_answer_is_told_and_put_back(demo_client, postgres):
    found = await alternate(demo_client, NEAR, reversing_pages(), postgres, rounds=1, batch=1)
    assert "same data: False" in found.report()
    assert search.page.__name__ == "page"  # reverted, whatever happened
