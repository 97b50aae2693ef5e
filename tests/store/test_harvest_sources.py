"""A source's lease: one run at a time, and a run that outlived its lease ends nothing of the next one's."""

from __future__ import annotations

from uuid import uuid4

from registry.domain.harvesting import SourceSpec
from registry.store import harvest_sources, providers


async def test_a_lease_taken_over_after_it_expired_belongs_to_the_new_run_alone(db):
    provider = await providers.create(
        db, slug="lakeside", name={"en": "Lakeside College"}, kind="COLLEGE", jurisdiction="CA-MB"
    )
    spec = SourceSpec("CSV", "https://lakeside.example.ca/l.csv", every_minutes=60)
    source = await harvest_sources.create(db, spec, provider.id)
    first, second = uuid4(), uuid4()
    assert await harvest_sources.claim(db, source.id, first, 60, only_if_due=False)
    assert await harvest_sources.claim(db, source.id, second, 60, only_if_due=False) is None  # held
    await db.execute("update harvest_sources set running_until = now() - interval '1 second'")
    assert await harvest_sources.claim(db, source.id, second, 60, only_if_due=False)
    await harvest_sources.release(db, source.id, first, etag='"late"', last_modified=None, content_hash=None)
    async with db.transaction() as tx:
        assert not await harvest_sources.holds(tx, source.id, first)
        assert await harvest_sources.holds(tx, source.id, second)
    found = await harvest_sources.by_id(db, source.id)
    assert found is not None and found.etag is None  # the late run's end changed nothing
