"""A listing bundle brings exactly what the loaders would have fetched one statement at a time."""

from __future__ import annotations

import pytest

from registry.config import Settings
from registry.db import connect
from registry.domain.search import PUBLIC, Visibility
from registry.store import credentials, providers, recognitions
from registry.store.listing_bundles import Part, Wanted, bundles

EVERYTHING = Wanted(frozenset(Part), frozenset({2, 20}))


@pytest.fixture
async def demo_db(demo_dsn):
    database = await connect(demo_dsn, Settings(), min_size=1, max_size=2)
    yield database
    await database.close()


async def viewers(db) -> dict[str, Visibility]:
    provider_id = await db.fetchval("select provider_id from credentials where status = 'DRAFT' limit 1")
    return {
        "public": PUBLIC,
        "a provider": Visibility.of(provider_id),
        "operators": Visibility(admin=True),
    }


@pytest.mark.parametrize("viewer_name", ["public", "a provider", "operators"])
async def test_a_bundle_holds_what_each_loader_fetches(demo_db, viewer_name):
    viewer = (await viewers(demo_db))[viewer_name]
    ids = [row["id"] for row in await demo_db.fetch("select id from credentials order by id")]
    found = await bundles(demo_db, ids, viewer, EVERYTHING)

    assert found.keys() == (await credentials.by_ids(demo_db, ids, viewer)).keys()
    listed = list(found)
    skills, occupations, links, held = (
        await credentials.skills_of(demo_db, listed),
        await credentials.occupations_of(demo_db, listed),
        await credentials.links_of(demo_db, listed),
        await recognitions.for_credentials(demo_db, listed),
    )
    targets = await credentials.by_ids(demo_db, [link.to_id for all_ in links.values() for link in all_], viewer)
    history_2 = await credentials.history_pages(demo_db, listed, viewer, 2, None)
    history_20 = await credentials.history_pages(demo_db, listed, viewer, 20, None)
    counts = await credentials.history_counts(demo_db, listed, viewer)
    for listing_id, bundle in found.items():
        assert bundle.listing == (await credentials.by_ids(demo_db, [listing_id], viewer))[listing_id]
        assert bundle.provider == (await providers.by_ids(demo_db, [bundle.listing.provider_id]))[bundle.provider.id]
        assert (bundle.skills, bundle.occupations, bundle.links) == (
            skills[listing_id],
            occupations[listing_id],
            links[listing_id],
        )
        assert bundle.link_targets == {
            link.to_id: targets[link.to_id] for link in links[listing_id] if link.to_id in targets
        }
        assert bundle.recognitions == held[listing_id]
        authority_ids = {r.authority_id for r in held[listing_id]}
        assert {a.id: a for a in bundle.authorities} == await recognitions.authorities_by_ids(
            demo_db, list(authority_ids)
        )
        assert bundle.history == {2: history_2[listing_id], 20: history_20[listing_id]}
        assert bundle.history_count == counts[listing_id]


async def test_the_demo_exercises_every_relation(demo_db):
    ids = [row["id"] for row in await demo_db.fetch("select id from credentials")]
    found = (await bundles(demo_db, ids, Visibility(admin=True), EVERYTHING)).values()
    assert all(any(getattr(b, name) for b in found) for name in ("skills", "occupations", "links", "recognitions"))
    assert any(b.link_targets for b in found) and any(b.history[2].has_next for b in found)


async def test_a_bundle_brings_only_what_is_wanted(demo_db):
    listing_id = await demo_db.fetchval("select id from credentials where status = 'PUBLISHED' limit 1")
    (bundle,) = (await bundles(demo_db, [listing_id], PUBLIC, Wanted(frozenset({Part.SKILLS})))).values()
    assert bundle.skills is not None
    assert (bundle.provider, bundle.recognitions, bundle.links, bundle.history, bundle.history_count) == (
        None,
        None,
        None,
        {},
        None,
    )


async def test_a_draft_is_no_ones_but_its_providers(demo_db):
    draft = await demo_db.fetchrow("select id, provider_id from credentials where status = 'DRAFT' limit 1")
    assert await bundles(demo_db, [draft["id"]], PUBLIC, EVERYTHING) == {}
    assert draft["id"] in await bundles(demo_db, [draft["id"]], Visibility.of(draft["provider_id"]), EVERYTHING)


async def test_a_bundle_can_leave_out_the_listing_its_caller_has_read(demo_db):
    listing_id = await demo_db.fetchval("select id from credentials where status = 'PUBLISHED' limit 1")
    wanted = Wanted(frozenset({Part.PROVIDER, Part.SKILLS}))
    whole = (await bundles(demo_db, [listing_id], PUBLIC, wanted))[listing_id]
    relations = (await bundles(demo_db, [listing_id], PUBLIC, wanted, listings=False))[listing_id]
    assert relations.listing is None and whole.listing is not None
    assert (relations.provider, relations.skills) == (whole.provider, whole.skills)
