"""The in-process alternation measures the code as built and a variant under the same noise,
and says whether the variant still gives the same answer."""

from __future__ import annotations

from types import SimpleNamespace

from bench.alternate import SEARCH_PAGE, alternate
from bench.sql_alone import REQUESTS
from registry.store import search
from registry.store.paging import Page

NEAR = {"query": SEARCH_PAGE, "variables": REQUESTS["near and starting soon (facets)"]}
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


async def test_each_side_measures_every_request_of_its_batches(demo_client):
    found = await alternate(demo_client, NEAR, UNCHANGED, rounds=2, batch=3)
    assert {side: len(seconds) for side, seconds in found.seconds.items()} == {"A": 6, "B": 6}
    assert all(seconds > 0 for side in found.seconds.values() for seconds in side)


async def test_a_variant_that_changes_nothing_answers_the_same_data(demo_client):
    found = await alternate(demo_client, NEAR, UNCHANGED, rounds=1, batch=1)
    assert found.data["A"]["searchCredentials"]["nodes"] and "same data: True" in found.report()


async def test_a_variant_that_changes_the_answer_is_told_and_put_back(demo_client):
    found = await alternate(demo_client, NEAR, reversing_pages(), rounds=1, batch=1)
    assert "same data: False" in found.report()
    assert search.page.__name__ == "page"  # reverted, whatever happened
