"""Offerings of listings: written with their version and change-feed entry, never deleted."""

from __future__ import annotations

from typing import Any, Mapping, Sequence
from uuid import UUID

from registry.db import Executor
from registry.domain.offerings import Offering, OfferingChanges, Place
from registry.store.nesting import Nested, per_owner
from registry.store.sql import fetch_one
from registry.store.visibility import PUBLIC_LISTING

COLUMNS = (
    "o.id, o.credential_id, o.external_id, o.start_date, o.end_date, o.registration_opens,"
    " o.registration_deadline, o.delivery_mode::text as delivery_mode, o.place_name, o.street_address,"
    " o.municipality, o.region, o.postal_code, o.latitude, o.longitude, o.schedule_timings::text[] as timings,"
    " o.languages, o.cost_amount::float8 as cost_amount, o.cost_currency, o.seats_total, o.seats_available,"
    " o.availability::text as availability, o.cancelled_at, o.version, o.created_at, o.updated_at"
)


def snapshot(row: str) -> str:
    """SQL: an offering's row ``row`` as its version's snapshot (JSON), without the columns
    kept for searching (its point on the sphere, its listing's ordinal)."""
    return f"to_jsonb({row}) - 'place_point' - 'credential_ordinal'"


# Column of each settable field but the place (written as its own columns).
_FIELDS = {
    "external_id": "external_id",
    "start_date": "start_date",
    "end_date": "end_date",
    "registration_opens": "registration_opens",
    "registration_deadline": "registration_deadline",
    "delivery_mode": "delivery_mode",
    "schedule_timings": "schedule_timings",
    "languages": "languages",
    "cost_amount": "cost_amount",
    "cost_currency": "cost_currency",
    "seats_total": "seats_total",
    "seats_available": "seats_available",
    "availability": "availability",
}
_PLACE_COLUMNS = ["place_name", "street_address", "municipality", "region", "postal_code", "latitude", "longitude"]
_CASTS = {
    "delivery_mode": "::delivery_mode",
    "schedule_timings": "::schedule_timing[]",
    "availability": "::offering_availability",
}


def build(row: Mapping[str, Any]) -> Offering:
    """An offering from a row of COLUMNS."""
    place = (
        Place(
            municipality=row["municipality"],
            region=row["region"],
            name=row["place_name"],
            street_address=row["street_address"],
            postal_code=row["postal_code"],
            latitude=row["latitude"],
            longitude=row["longitude"],
        )
        if row["municipality"] is not None
        else None
    )
    return Offering(
        id=row["id"],
        credential_id=row["credential_id"],
        external_id=row["external_id"],
        start_date=row["start_date"],
        end_date=row["end_date"],
        registration_opens=row["registration_opens"],
        registration_deadline=row["registration_deadline"],
        delivery_mode=row["delivery_mode"],
        place=place,
        schedule_timings=list(row["timings"]),
        languages=list(row["languages"]),
        cost_amount=row["cost_amount"],
        cost_currency=row["cost_currency"],
        seats_total=row["seats_total"],
        seats_available=row["seats_available"],
        availability=row["availability"],
        cancelled_at=row["cancelled_at"],
        version=row["version"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )


def _assignments(changes: OfferingChanges, first: int, whole: bool = False) -> tuple[list[str], list[str], list[Any]]:
    """(columns, placeholders, values) of the fields ``changes`` sets (every field when
    ``whole``: those it does not set become null), numbered from ``first``."""
    given = changes.given()
    written = [name for name in _FIELDS if whole or name in given]
    columns, values = [_FIELDS[name] for name in written], [given.get(name) for name in written]
    if place := changes.place:
        columns += _PLACE_COLUMNS
        values += [place.name, place.street_address, place.municipality, place.region, place.postal_code]
        values += [place.latitude, place.longitude]
    elif whole:
        columns += _PLACE_COLUMNS
        values += [None] * len(_PLACE_COLUMNS)
    placeholders = [f"${first + i}{_CASTS.get(column, '')}" for i, column in enumerate(columns)]
    return columns, placeholders, values


# A listing's offerings, soonest first (rolling intakes first): for a loader, or a listing bundle.
OF_CREDENTIAL: Nested[Offering] = Nested(
    COLUMNS, "from offerings o where o.credential_id = {owner} order by o.start_date nulls first, o.id", build
)


async def create(db: Executor, credential_id: UUID, changes: OfferingChanges, actor: str) -> Offering:
    """A new offering of a (locked) listing, its first version and its change-feed entry."""
    columns, placeholders, values = _assignments(changes, 2)
    row = await fetch_one(
        db,
        f"insert into offerings as o (credential_id, {', '.join(columns)}) values ($1, {', '.join(placeholders)})"
        f" returning {COLUMNS}",
        credential_id,
        *values,
    )
    return await _recorded(db, build(row), "OFFERING_ADDED", actor)


async def update(db: Executor, offering: Offering, changes: OfferingChanges, actor: str) -> Offering:
    """Change a (locked) offering as ``changes`` say (``Offering.applied``: given fields set,
    cleared ones emptied): its version goes up, the change is recorded."""
    columns, placeholders, values = _assignments(offering.applied(changes), 2, whole=True)
    sets = [f"{column} = {placeholder}" for column, placeholder in zip(columns, placeholders)]
    row = await fetch_one(
        db,
        f"update offerings as o set {', '.join([*sets, 'version = version + 1', 'updated_at = now()'])}"
        f" where o.id = $1 returning {COLUMNS}",
        offering.id,
        *values,
    )
    return await _recorded(db, build(row), "OFFERING_UPDATED", actor)


async def cancel(db: Executor, offering_id: UUID, reason: str, actor: str) -> Offering:
    """Cancel a (locked) offering: it stays on record, marked cancelled."""
    row = await fetch_one(
        db,
        f"update offerings as o set cancelled_at = now(), cancelled_reason = $2, availability = 'CLOSED',"
        f" version = version + 1, updated_at = now() where o.id = $1 returning {COLUMNS}",
        offering_id,
        reason,
    )
    return await _recorded(db, build(row), "OFFERING_CANCELLED", actor)


async def lock(db: Executor, offering_id: UUID) -> Offering | None:
    """An offering, locked until the transaction ends."""
    row = await db.fetchrow(f"select {COLUMNS} from offerings o where o.id = $1 for update", offering_id)
    return build(row) if row else None


async def by_ids(db: Executor, offering_ids: Sequence[UUID]) -> dict[UUID, Offering]:
    rows = await db.fetch(f"select {COLUMNS} from offerings o where o.id = any($1::uuid[])", list(offering_ids))
    return {row["id"]: build(row) for row in rows}


async def of_listings(db: Executor, credential_ids: Sequence[UUID]) -> dict[UUID, list[Offering]]:
    """Every offering of each listing, soonest first (rolling intakes first)."""
    return await per_owner(db, credential_ids, OF_CREDENTIAL)


async def _recorded(db: Executor, offering: Offering, kind: str, actor: str) -> Offering:
    """Record the offering's new version and its change-feed entry (at the listing's version)."""
    await db.execute(
        "insert into offering_versions (offering_id, version, kind, actor, snapshot)"
        f" select o.id, o.version, $2, $3, {snapshot('o')} from offerings o where o.id = $1",
        offering.id,
        kind,
        actor,
    )
    await db.execute(
        "insert into changes (credential_id, version, kind, offering_id, listed)"
        f" select c.id, c.version, $2::change_kind, $1, {PUBLIC_LISTING} from credentials c"
        " where c.id = $3",
        offering.id,
        kind,
        offering.credential_id,
    )
    return offering
