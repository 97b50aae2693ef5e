"""Offerings in GraphQL: the Offering and Place types, their inputs, and the mutations that add,
change and cancel them (registry.services.offerings owns the rules and the transaction)."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from itertools import chain
from typing import TYPE_CHECKING, Annotated, Optional

import strawberry
from strawberry import Private

from registry.api import permissions
from registry.api.enums import DeliveryMode, OfferingAvailability, OfferingField, ScheduleTiming
from registry.api.listing_inputs import OfferingInput
from registry.api.loaders import now_or_later
from registry.api.payloads import UserError, user_errors
from registry.api.scalars import LanguageTag
from registry.api.types import Money, Node, global_id
from registry.domain import enums as domain_enums
from registry.domain import ids
from registry.domain import offerings as domain
from registry.services import offerings as service

if TYPE_CHECKING:
    from registry.api.types import Credential

WRITE = "credentials:write"


@strawberry.type(description="Where an offering runs.")
class Place:
    name: Optional[str] = strawberry.field(description="The campus or building.")
    street_address: Optional[str] = strawberry.field(description="The street address.")
    municipality: str = strawberry.field(description="The municipality, e.g. `Sudbury`.")
    region: str = strawberry.field(description="The province or territory (ISO 3166-2), e.g. `CA-ON`.")
    postal_code: Optional[str] = strawberry.field(description="The postal code.")
    latitude: Optional[float] = strawberry.field(description="Latitude in decimal degrees (WGS 84).")
    longitude: Optional[float] = strawberry.field(description="Longitude in decimal degrees (WGS 84).")

    @classmethod
    def from_record(cls, p: domain.Place) -> Place:
        return cls(
            name=p.name,
            street_address=p.street_address,
            municipality=p.municipality,
            region=p.region,
            postal_code=p.postal_code,
            latitude=p.latitude,
            longitude=p.longitude,
        )


@strawberry.type(description="One run of a listing: when and where it takes place, and whether seats are left.")
class Offering(Node):
    id: strawberry.ID = strawberry.field(description="The offering's opaque global ID.")
    external_id: Optional[str] = strawberry.field(
        description="The provider's own key for this run, unique per listing."
    )
    start_date: Optional[date] = strawberry.field(
        description="The first day (a calendar date of the offering's place); null for a rolling intake."
    )
    end_date: Optional[date] = strawberry.field(description="The last day; null when open-ended.")
    registration_opens: Optional[date] = strawberry.field(description="The first day registrations are taken.")
    registration_deadline: Optional[date] = strawberry.field(description="The last day registrations are taken.")
    delivery_mode: DeliveryMode = strawberry.field(description="How learners take part in this run.")
    place: Optional[Place] = strawberry.field(description="Where it runs; null when fully online.")
    schedule_timings: list[ScheduleTiming] = strawberry.field(description="When in the day or week sessions are.")
    languages: list[LanguageTag] = strawberry.field(description="Languages of instruction of this run (BCP 47).")
    cost: Optional[Money] = strawberry.field(description="What this run costs; null: the listing's cost applies.")
    seats_total: Optional[int] = strawberry.field(description="How many learners it takes.")
    seats_available: Optional[int] = strawberry.field(description="How many seats are left.")
    availability: OfferingAvailability = strawberry.field(description="Whether it takes registrations.")
    cancelled_at: Optional[datetime] = strawberry.field(description="When it was cancelled; null unless cancelled.")
    version: int = strawberry.field(description="Increases with every change; pass it as `expectedVersion`.")
    distance_km: Optional[float] = strawberry.field(
        description="Kilometres from the place a search asked to be `near`; null otherwise."
    )
    record: Private[domain.Offering]

    @classmethod
    def from_record(cls, o: domain.Offering, distance_km: float | None = None) -> Offering:
        return cls(
            id=global_id("Offering", o.id),
            external_id=o.external_id,
            start_date=o.start_date,
            end_date=o.end_date,
            registration_opens=o.registration_opens,
            registration_deadline=o.registration_deadline,
            delivery_mode=DeliveryMode[o.delivery_mode],
            place=Place.from_record(o.place) if o.place else None,
            schedule_timings=[ScheduleTiming[t] for t in o.schedule_timings],
            languages=[LanguageTag(tag) for tag in o.languages],
            cost=_money(o.cost_amount, o.cost_currency),
            seats_total=o.seats_total,
            seats_available=o.seats_available,
            availability=OfferingAvailability[o.availability],
            cancelled_at=o.cancelled_at,
            version=o.version,
            distance_km=distance_km,
            record=o,
        )

    @strawberry.field(description="The listing this is a run of.")
    def credential(self, info: strawberry.Info) -> Annotated[Credential, strawberry.lazy("registry.api.types")]:
        from registry.api.types import Credential

        return now_or_later(info.context.loaders.credential, self.record.credential_id, Credential.from_record)


def _money(amount: float | None, currency: str | None) -> Money | None:
    return Money(amount=amount, currency=currency) if amount is not None and currency is not None else None


@strawberry.input(description="A new offering of one of your listings.")
class AddOfferingInput:
    credential_id: strawberry.ID = strawberry.field(description="The listing's global ID.")
    offering: OfferingInput = strawberry.field(description="The offering's fields.")


@strawberry.input(description="Changes to an offering.")
class UpdateOfferingInput:
    id: strawberry.ID = strawberry.field(description="The offering's global ID.")
    offering: OfferingInput = strawberry.field(description="The fields to change.")
    expected_version: Optional[int] = strawberry.field(
        default=None, description="The `version` you read; a newer one gives CONFLICT (unchecked when left out)."
    )
    clear: Optional[list[OfferingField]] = strawberry.field(
        default=None,
        description="Fields to empty (a null in `offering` leaves a field as it is, as everywhere in the API):"
        " e.g. `[REGISTRATION_DEADLINE, COST]`. A field both given and cleared is an INVALID_VALUE at `clear`.",
    )

    def to_changes(self) -> domain.OfferingChanges:
        """The domain change: the fields given, and those to empty."""
        named = (domain.FIELDS_NAMED[domain_enums.OfferingField(field.value)] for field in self.clear or [])
        return dataclasses.replace(self.offering.to_changes(), cleared=frozenset(chain.from_iterable(named)))


@strawberry.input(description="Cancel an offering: it stays on record, marked cancelled.")
class CancelOfferingInput:
    id: strawberry.ID = strawberry.field(description="The offering's global ID.")
    reason: str = strawberry.field(description="Why it is cancelled.")


@strawberry.type(description="The result of an offering mutation: the offering, or why nothing changed.")
class OfferingPayload:
    offering: Optional[Offering] = strawberry.field(description="The offering after the change; null when refused.")
    user_errors: list[UserError] = strawberry.field(description="Why the mutation was refused; empty on success.")


def _payload(outcome) -> OfferingPayload:
    made = Offering.from_record(outcome.value) if outcome.ok else None
    return OfferingPayload(offering=made, user_errors=user_errors(list(outcome.problems)))


async def add_offering(
    info: strawberry.Info, input: Annotated[AddOfferingInput, strawberry.argument(description="What to do.")]
) -> OfferingPayload:
    principal = permissions.require(info, WRITE)
    credential_id = ids.decode_as(input.credential_id, "Credential")
    return _payload(await service.add(info.context.primary, principal, credential_id, input.offering.to_changes()))


async def update_offering(
    info: strawberry.Info, input: Annotated[UpdateOfferingInput, strawberry.argument(description="What to do.")]
) -> OfferingPayload:
    principal = permissions.require(info, WRITE)
    offering_id = ids.decode_as(input.id, "Offering")
    changes = input.to_changes()
    return _payload(await service.update(info.context.primary, principal, offering_id, input.expected_version, changes))


async def cancel_offering(
    info: strawberry.Info, input: Annotated[CancelOfferingInput, strawberry.argument(description="What to do.")]
) -> OfferingPayload:
    principal = permissions.require(info, WRITE)
    offering_id = ids.decode_as(input.id, "Offering")
    return _payload(await service.cancel(info.context.primary, principal, offering_id, input.reason))
