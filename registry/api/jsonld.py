"""JSON-LD descriptions of a listing: which vocabularies, and gathering what they need."""

from __future__ import annotations

import asyncio
from enum import Enum
from typing import Any, Callable

import strawberry

from registry.domain import records
from registry.domain.offerings import listing_region
from registry.interop import ctdl, elm, open_badges, schema_org
from registry.interop.listing_view import ListingView


@strawberry.enum(description="The vocabularies a listing can be described in.")
class JsonLdFormat(Enum):
    CTDL = strawberry.enum_value("CTDL", description="CTDL, the Credential Engine registry's vocabulary.")
    OPEN_BADGES_3 = strawberry.enum_value("OPEN_BADGES_3", description="An Open Badges 3.0 `Achievement`.")
    ELM = strawberry.enum_value(
        "ELM", description="A European Learning Model (ELM 3) learning achievement specification."
    )
    SCHEMA_ORG = strawberry.enum_value("SCHEMA_ORG", description="A schema.org `EducationalOccupationalCredential`.")


JSON_LD_MAPPERS: dict[JsonLdFormat, Callable[[ListingView], dict[str, Any]]] = {
    JsonLdFormat.CTDL: ctdl.to_jsonld,
    JsonLdFormat.OPEN_BADGES_3: open_badges.to_jsonld,
    JsonLdFormat.ELM: elm.to_jsonld,
    JsonLdFormat.SCHEMA_ORG: schema_org.to_jsonld,
}


async def listing_view(info: strawberry.Info, listing: records.Credential) -> ListingView:
    """Everything the standards' mappings need, through the request's loaders."""
    loaders = info.context.loaders
    provider, skills, occupations, recognitions, links, offerings, partners, backlinks = await asyncio.gather(
        loaders.provider.load(listing.provider_id),
        loaders.skills_of.load(listing.id),
        loaders.occupations_of.load(listing.id),
        loaders.recognitions_of.load(listing.id),
        loaders.links_of.load(listing.id),
        loaders.offerings_of.load(listing.id),
        loaders.partners_of.load(listing.id),
        loaders.backlinks_of.load(listing.id),
    )
    active = [r for r in recognitions if r.is_active(info.context.today)]
    authorities = await loaders.authority.load_many([r.authority_id for r in active])
    targets = await loaders.credential.load_many([link.to_id for link in links])
    return ListingView(
        listing=listing,
        provider=provider,
        skills=skills,
        occupations=occupations,
        recognitions=list(zip(active, authorities)),
        links=[(link.kind, link.to_id) for link, target in zip(links, targets) if target is not None],
        base_url=info.context.settings.issuer,
        offerings=tuple(o for o in offerings if not o.has_ended(info.context.now, listing_region(listing.regions))),
        partners=tuple(partners),
        backlinks=tuple((kind, source.id) for kind, source in backlinks),
    )
