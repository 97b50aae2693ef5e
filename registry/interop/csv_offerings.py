"""Offerings in the CSV template: one offering per row, rows of one listing grouped by its
`externalId`.

When a file has any `offering…` column it states each listing's whole set of offerings (as
`CredentialInput.offerings` does): rows with the same listing `externalId` are one listing
with one offering each; a listing whose rows leave the offering cells empty has none, so the
offerings it had are cancelled. A file without offering columns leaves offerings alone.
"""

from __future__ import annotations

from datetime import date
from typing import Callable

from registry.domain.enums import DeliveryMode, OfferingAvailability, ScheduleTiming
from registry.domain.errors import Problem
from registry.domain.offerings import OfferingChanges, Place

# Column -> what it holds, for the template and the README. An empty cell leaves a stored
# offering's field as it is (an import updates, it does not clear: updateOffering's `clear` does).
COLUMNS: dict[str, str] = {
    "offeringExternalId": "Your key for the offering (per listing; required when the row has an offering).",
    "offeringStartDate": "First day, YYYY-MM-DD (empty on a new offering: rolling intake).",
    "offeringEndDate": "Last day, YYYY-MM-DD.",
    "offeringRegistrationOpens": "When registration opens, YYYY-MM-DD.",
    "offeringRegistrationDeadline": "When registration closes, YYYY-MM-DD.",
    "offeringDeliveryMode": "ONLINE, IN_PERSON or HYBRID (required when the row has an offering).",
    "offeringPlaceName": "Campus or building.",
    "offeringStreetAddress": "Street address.",
    "offeringMunicipality": "Municipality (required for IN_PERSON and HYBRID).",
    "offeringRegion": "Region (ISO 3166-2, e.g. CA-ON; required with a municipality).",
    "offeringPostalCode": "Postal code.",
    "offeringLatitude": "Latitude in decimal degrees (with the longitude; lets `near` searches find it).",
    "offeringLongitude": "Longitude in decimal degrees.",
    "offeringScheduleTimings": f"{', '.join(ScheduleTiming)}, separated by |.",
    "offeringLanguages": "Languages of instruction (BCP 47), separated by |.",
    "offeringCostAmount": "Its cost when it is not the listing's.",
    "offeringCostCurrency": "ISO 4217 code of that cost.",
    "offeringSeatsTotal": "How many learners it takes.",
    "offeringSeatsAvailable": "How many seats are left.",
    "offeringAvailability": f"{', '.join(OfferingAvailability)} (a new offering is OPEN when empty).",
}

_DATES = {
    "offeringStartDate": "start_date",
    "offeringEndDate": "end_date",
    "offeringRegistrationOpens": "registration_opens",
    "offeringRegistrationDeadline": "registration_deadline",
}
_ENUMS = {
    "offeringDeliveryMode": ("delivery_mode", DeliveryMode),
    "offeringAvailability": ("availability", OfferingAvailability),
}
_WHOLE = {"offeringSeatsTotal": "seats_total", "offeringSeatsAvailable": "seats_available"}
_DECIMAL = {"offeringCostAmount": "cost_amount", "offeringLatitude": "latitude", "offeringLongitude": "longitude"}
_PLACE = {
    "offeringMunicipality": "municipality",
    "offeringRegion": "region",
    "offeringPlaceName": "name",
    "offeringStreetAddress": "street_address",
    "offeringPostalCode": "postal_code",
}

# A problem's path within an offering (as domain.offerings.check_offering names it) -> its column.
_PATHS = {
    ("place",): "offeringMunicipality",
    ("place", "name"): "offeringPlaceName",
    ("cost",): "offeringCostAmount",
    ("cost", "amount"): "offeringCostAmount",
    ("cost", "currency"): "offeringCostCurrency",
}


def parse(
    position: int,
    cell: Callable[[str], str],
    many: Callable[[str], list[str]],
) -> tuple[OfferingChanges | None, list[Problem]]:
    """The offering a row's cells describe (None when they are all empty) and what is wrong
    with them, at ("credential", "offerings", position, field) like the listing's own rules."""
    if not any(cell(column) for column in COLUMNS):
        return None, []
    problems: list[Problem] = []

    def problem(column: str, code: str, message: str) -> None:
        field = column.removeprefix("offering")
        problems.append(
            Problem(("credential", "offerings", str(position), field[0].lower() + field[1:]), code, message)
        )

    values: dict = {}
    for column, attribute in _DATES.items():
        if cell(column):
            try:
                values[attribute] = date.fromisoformat(cell(column))
            except ValueError:
                problem(column, "NOT_A_DATE", f"{cell(column)!r} is not a date (YYYY-MM-DD).")
    for column, (attribute, enum) in _ENUMS.items():
        if cell(column) in enum.__members__:
            values[attribute] = cell(column)
        elif cell(column):
            problem(column, "UNKNOWN_VALUE", f"{cell(column)!r} is not one of {', '.join(enum.__members__)}.")
    numbers = {**_WHOLE, **_DECIMAL}
    for column, attribute in numbers.items():
        if cell(column):
            try:
                number = float(cell(column).replace(",", "."))
                values[attribute] = int(number) if column in _WHOLE and number.is_integer() else number
                if column in _WHOLE and not number.is_integer():
                    problem(column, "NOT_A_NUMBER", f"{cell(column)!r} is not a whole number.")
            except ValueError:
                problem(column, "NOT_A_NUMBER", f"{cell(column)!r} is not a number.")
    timings = many("offeringScheduleTimings")
    for value in timings:
        if value not in ScheduleTiming.__members__:
            problem("offeringScheduleTimings", "UNKNOWN_VALUE", f"{value!r} is not a schedule timing.")
    place = {attribute: cell(column) for column, attribute in _PLACE.items() if cell(column)}
    changes = OfferingChanges(
        external_id=cell("offeringExternalId") or None,
        start_date=values.get("start_date"),
        end_date=values.get("end_date"),
        registration_opens=values.get("registration_opens"),
        registration_deadline=values.get("registration_deadline"),
        delivery_mode=values.get("delivery_mode"),
        place=Place(
            municipality=place.get("municipality", ""),
            region=place.get("region", ""),
            name=place.get("name"),
            street_address=place.get("street_address"),
            postal_code=place.get("postal_code"),
            latitude=values.get("latitude"),
            longitude=values.get("longitude"),
        )
        if place or "latitude" in values or "longitude" in values
        else None,
        schedule_timings=[t for t in timings if t in ScheduleTiming.__members__] or None,
        languages=many("offeringLanguages") or None,
        cost_amount=values.get("cost_amount"),
        cost_currency=cell("offeringCostCurrency") or None,
        seats_total=values.get("seats_total"),
        seats_available=values.get("seats_available"),
        availability=values.get("availability"),
    )
    return changes, problems


def column_of(path: tuple[str, ...]) -> str:
    """The column a problem's path within an offering (e.g. ("place", "region")) is about."""
    if path in _PATHS:
        return _PATHS[path]
    name = path[-1] if path else "externalId"
    return "offering" + name[0].upper() + name[1:]
