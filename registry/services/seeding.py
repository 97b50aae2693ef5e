"""Seeding: load the demo data set (reference data, then generated listings), each part in
one transaction."""

from __future__ import annotations

from registry.db import Database
from registry.demo.generator import generate
from registry.demo.reference import reference
from registry.store import bulk

ACTOR = "seed"


async def seed(db: Database, count: int, seed: int = 1) -> int:
    """Load ``count`` generated listings from ``seed`` (plus the reference data they need);
    returns how many listings were new. Loading the same seed twice adds nothing."""
    ref = reference()
    async with db.transaction() as tx:
        await bulk.load_reference(tx, ref.providers, ref.authorities, ref.skills, ref.occupations)
    listings = generate(count, seed)
    async with db.transaction() as tx:
        loaded = await bulk.load_listings(
            tx,
            ACTOR,
            listings.credentials,
            listings.skills,
            listings.occupations,
            listings.links,
            listings.recognitions,
            listings.offerings,
            listings.partners,
        )
    if loaded:
        await bulk.settle(db)
    return loaded
