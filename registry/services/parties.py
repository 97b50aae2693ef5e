"""Registering providers and recognition authorities: by an operator, or by a harvest feed that
brought one in (then waiting for an operator to confirm it). One rule set, one audit entry each."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Awaitable, Callable, Generic, TypeVar
from uuid import UUID

import asyncpg

from registry.db import Database, Executor
from registry.domain.errors import Outcome, Problem
from registry.domain.parties import Party, check_party
from registry.domain.records import Authority, Provider
from registry.store import audit, providers, recognitions

P = TypeVar("P", Provider, Authority)


@dataclass(frozen=True)
class PartyKind(Generic[P]):
    """Providers or authorities: what they are called, whether a national one may register,
    and how to find one by slug and store one."""

    noun: str
    national_allowed: bool
    by_slug: Callable[[Executor, str], Awaitable[P | None]]
    create: Callable[..., Awaitable[P]]


PROVIDER: PartyKind[Provider] = PartyKind("provider", False, providers.by_slug, providers.create)
AUTHORITY: PartyKind[Authority] = PartyKind(
    "authority", True, recognitions.authority_by_slug, recognitions.create_authority
)


async def register(
    db: Database,
    kind: PartyKind[P],
    party: Party,
    *,
    actor: str,
    action: str = "created",
    details: dict[str, str] | None = None,
    awaiting_confirmation_from: UUID | None = None,
) -> Outcome[P]:
    """Check ``party`` by the parties' rules and store it with its audit entry
    (``<noun>.<action>`` by ``actor``); a taken slug is DUPLICATE, a value the database refuses
    (e.g. a kind it does not know) INVALID."""
    if problems := check_party(
        slug=party.slug,
        name=party.name,
        jurisdiction=party.jurisdiction,
        website=party.website,
        national_allowed=kind.national_allowed,
    ):
        return Outcome.refused(*problems)
    try:
        async with db.transaction() as tx:
            made = await kind.create(
                tx,
                slug=party.slug,
                name=party.name,
                kind=party.kind,
                jurisdiction=party.jurisdiction,
                website=party.website,
                awaiting_confirmation_from=awaiting_confirmation_from,
            )
            recorded = {"kind": party.kind, "jurisdiction": party.jurisdiction, **(details or {})}
            await audit.record(tx, actor=actor, action=f"{kind.noun}.{action}", target=party.slug, details=recorded)
    except asyncpg.UniqueViolationError:
        return Outcome.refused(Problem(("slug",), "DUPLICATE", f"The slug {party.slug!r} is taken."))
    except (asyncpg.DataError, asyncpg.IntegrityConstraintViolationError) as error:
        return Outcome.refused(
            Problem((), "INVALID", f"This {kind.noun} cannot be registered ({type(error).__name__}).")
        )
    return Outcome(made)
