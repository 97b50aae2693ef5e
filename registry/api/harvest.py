"""Harvest sources and their runs (`registry:admin`), and where a harvested listing came from
(public: the source's kind, address and schedule; its runs are for operators)."""

from __future__ import annotations

from datetime import datetime
from typing import Optional

import strawberry
from strawberry import Private

from registry.api import permissions
from registry.api.enums import HarvestSourceKind
from registry.api.payloads import UserError
from registry.api.scalars import URL
from registry.api.types import AfterArg, Connection, FirstArg, Node, Provider, global_id, paged
from registry.domain import harvesting as domain
from registry.domain.principals import ADMIN_SCOPE
from registry.store import harvest_sources


@strawberry.type(description="One run of a harvest source: what it did, and the problems it met.")
class HarvestRun:
    started_at: datetime = strawberry.field(description="When the run began.")
    finished_at: Optional[datetime] = strawberry.field(description="When it ended; null while it runs.")
    not_modified: bool = strawberry.field(
        description="The source answered 304 Not Modified, or the same content as last time: nothing changed."
    )
    created: int = strawberry.field(description="Listings the run created.")
    updated: int = strawberry.field(description="Listings the run changed.")
    unchanged: int = strawberry.field(description="Listings the source still has as they were.")
    retired: int = strawberry.field(description="Listings retired: missing from two successful runs in a row.")
    failed: int = strawberry.field(description="Listings of the source that could not be written (see `problems`).")
    problems: list[UserError] = strawberry.field(
        description='What went wrong: the source as a whole (`field` ["source"]), or a row\'s field '
        '(`field` [line or object number, "credential", field...]).'
    )

    @classmethod
    def from_record(cls, r: domain.HarvestRun) -> HarvestRun:
        return cls(
            started_at=r.started_at,
            finished_at=r.finished_at,
            not_modified=r.not_modified,
            created=r.created,
            updated=r.updated,
            unchanged=r.unchanged,
            retired=r.retired,
            failed=r.failed,
            problems=[UserError(field=p["field"].split("."), code=p["code"], message=p["message"]) for p in r.problems],
        )


@strawberry.type(description="A place the registry fetches listings from, where they are already published.")
class HarvestSource(Node):
    id: strawberry.ID = strawberry.field(description="The source's opaque global ID.")
    kind: HarvestSourceKind = strawberry.field(description="What the source serves.")
    url: URL = strawberry.field(description="Where the source is published.")
    every_minutes: int = strawberry.field(description="Minutes between scheduled runs.")
    enabled: bool = strawberry.field(description="Whether scheduled runs happen.")
    organization_ctid: Optional[str] = strawberry.field(
        description="For a CREDENTIAL_ENGINE source: the CTID of the organisation there whose resources it reads."
    )
    record: Private[domain.HarvestSource]

    @classmethod
    def from_record(cls, r: domain.HarvestSource) -> HarvestSource:
        return cls(
            id=global_id("HarvestSource", r.id),
            kind=HarvestSourceKind(r.kind),
            url=URL(r.url),
            every_minutes=r.every_minutes,
            enabled=r.enabled,
            organization_ctid=r.organization_ctid,
            record=r,
        )

    @strawberry.field(
        description="The provider the source is for; null for another registry's feed, which carries many providers."
    )
    async def provider(self, info: strawberry.Info) -> Optional[Provider]:
        if self.record.provider_id is None:
            return None
        found = await info.context.loaders.provider.load(self.record.provider_id)
        return Provider.from_record(found) if found else None

    @strawberry.field(description="The latest run; null before the first (`registry:admin`).")
    async def last_run(self, info: strawberry.Info) -> Optional[HarvestRun]:
        permissions.require(info, ADMIN_SCOPE)
        run = await info.context.loaders.last_harvest_run.load(self.record.id)
        return HarvestRun.from_record(run) if run else None

    @strawberry.field(description="The source's runs, newest first (`registry:admin`).")
    async def runs(self, info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None) -> Connection[HarvestRun]:
        permissions.require(info, ADMIN_SCOPE)
        db, source_id = info.context.db, self.record.id
        return await paged(
            "harvest-runs",
            float,
            first,
            after,
            fetch=lambda size, key: harvest_sources.runs_page(db, source_id, first=size, after=key),
            count=lambda: harvest_sources.runs_count(db, source_id),
            to_node=HarvestRun.from_record,
        )


@strawberry.type(description="Where a harvested listing came from.")
class ListingSource:
    harvest_source: HarvestSource = strawberry.field(
        description="The source it is harvested from; its runs are for operators only."
    )
    url: URL = strawberry.field(
        description="The listing's own address at the source: the file it is in, or its page at another registry."
    )
    fetched_at: datetime = strawberry.field(description="When the source last gave the listing.")
    content_hash: str = strawberry.field(
        description="SHA-256 (hex) of the listing as the source last gave it: it changes when the source changes it."
    )

    @classmethod
    def from_record(cls, r: domain.ListingSource) -> ListingSource:
        return cls(
            harvest_source=HarvestSource.from_record(r.source),
            url=URL(r.url),
            fetched_at=r.fetched_at,
            content_hash=r.content_hash,
        )


async def harvest_sources_query(
    info: strawberry.Info, first: FirstArg = 20, after: AfterArg = None
) -> Connection[HarvestSource]:
    """Every harvest source, oldest first (`registry:admin`)."""
    permissions.require(info, ADMIN_SCOPE)
    db = info.context.db
    return await paged(
        "harvest-sources",
        float,
        first,
        after,
        fetch=lambda size, key: harvest_sources.page(db, first=size, after=key),
        count=lambda: harvest_sources.count(db),
        to_node=HarvestSource.from_record,
    )
