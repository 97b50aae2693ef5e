"""Costs from CTDL `ceterms:estimatedCost`: each `CostProfile` by its `ceterms:directCostType`.

The tuition profile (else the aggregate cost, else the one profile without a type) is the
listing's cost; every other priced profile is a cost item. The cost types the export writes
(registry.interop.ctdl.COST_TYPES) read back as the same types; a few other CTDL cost types
have a near registry type, and the rest are OTHER; both with a note naming the concept.
Currencies are ISO 4217 codes, or names mapped to one where the name is unambiguous. A cost
is an amount and its currency: a price without a known currency, or that is not a finite
number, is left out with a note. Prices are kept to the cent, as the registry stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

from registry.domain.enums import CostType
from registry.domain.errors import Problem
from registry.domain.records import CostItem
from registry.interop import ctdl
from registry.interop.ctdl_report import Marks
from registry.interop.ctdl_values import concept, many, number, same_text, text

# The cost types the export writes read back as the same types.
EXACT = {node: kind for kind, node in ctdl.COST_TYPES.items()}
NEAREST = {
    "costType:Meals": CostType.ROOM_AND_BOARD.value,
    "costType:Equipment": CostType.MATERIALS.value,
    "costType:Consumables": CostType.MATERIALS.value,
    "costType:ReexaminationFee": CostType.ASSESSMENT.value,
    "costType:ScoringFee": CostType.ASSESSMENT.value,
}
MAIN = (CostType.TUITION.value, CostType.AGGREGATE.value)
CENT = Decimal("0.01")
EXACT_ENOUGH = Context(prec=400)  # every float's digits, so that quantizing never fails
CostKind = tuple[str | None, str | None]  # (registry cost type, the CTDL concept)
# The export's description of the listing's cost (written by registry.interop.ctdl._cost).
_DOLLAR = {"us": "USD", "u s": "USD", "united states": "USD", "american": "USD", "canadian": "CAD"}
CURRENCY_NAMES = {
    **{f"{country} dollar": code for country, code in _DOLLAR.items()},
    "dollar américain": "USD",
    "dollar canadien": "CAD",
    "us$": "USD",
    "c$": "CAD",
    "ca$": "CAD",
    "cad$": "CAD",
    "euro": "EUR",
    "€": "EUR",
    "pound sterling": "GBP",
    "british pound": "GBP",
    "great british pound": "GBP",
    "£": "GBP",
    "australian dollar": "AUD",
    "new zealand dollar": "NZD",
    "swiss franc": "CHF",
    "japanese yen": "JPY",
    "mexican peso": "MXN",
    "indian rupee": "INR",
}


@dataclass
class Costs:
    amount: float | None = None
    currency: str | None = None
    items: list[CostItem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


def currency_code(value: Any) -> str | None:
    """The ISO 4217 code of a currency given by code (`USD`, `usd`) or by an unambiguous name
    (`US Dollar`, `Canadian dollars`, `Euro`); None for anything else (`$`, `Dollar`)."""
    if not isinstance(value, str):
        return None
    if re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        return value.strip().upper()
    name = re.sub(r"\s+", " ", value.replace(".", " ").strip().lower())
    return CURRENCY_NAMES.get(name) or CURRENCY_NAMES.get(name.removesuffix("s"))


def read_costs(profiles: list[Any], marks: Marks) -> Costs:
    """The listing's cost and cost items from the `CostProfile`s of `ceterms:estimatedCost`.
    A cost is an amount and its currency: a profile without a known currency is left out."""
    costs = Costs()
    priced = _priced(profiles, marks, costs.notes)
    main = _main([(profile, kind) for profile, kind, _ in priced])
    for profile, kind, amount in priced:
        currency = currency_code(profile.get("ceterms:currency"))
        if currency is None:
            costs.notes.append(_no_currency(profile))
            marks.done(profile)
        elif profile is main:
            costs.amount, costs.currency = _cents(profile, amount, costs.notes), currency
            _take(profile, marks)
        else:
            costs.items.append(_item(profile, kind, _cents(profile, amount, costs.notes), currency, marks, costs.notes))
    return costs


def _priced(profiles: list[Any], marks: Marks, notes: list[Problem]) -> list[tuple[dict, CostKind, float]]:
    """(profile, its cost type, its price) of each profile with a price; a price that is not a
    finite number is noted."""
    found: list[tuple[dict, CostKind, float]] = []
    for profile in profiles:
        written = profile.get("ceterms:price") if isinstance(profile, dict) else None
        amount = number(written)
        if amount is not None:
            found.append((profile, _cost_type(profile), amount))
        elif written is not None:
            notes.append(_note("NOT_A_NUMBER", f"The price {written!r} is not a number; the cost was not imported."))
            marks.done(profile)
    return found


def _cents(profile: dict, amount: float, notes: list[Problem]) -> float:
    """The amount to the cent, as the registry keeps it (half a cent up), noted when that
    changes it."""
    cents = float(Decimal(repr(amount)).quantize(CENT, rounding=ROUND_HALF_UP, context=EXACT_ENOUGH))
    if cents != amount:
        notes.append(
            _note("PRICE_ROUNDED", f"The price {profile['ceterms:price']!r} was imported to the cent: {cents:.2f}.")
        )
    return cents


def _cost_type(profile: dict) -> CostKind:
    """(registry cost type, the CTDL concept) of a profile; (None, None) when it has none."""
    node = next((c for c in map(concept, many(profile.get("ceterms:directCostType"))) if c), None)
    if node is None:
        return None, None
    return EXACT.get(node) or NEAREST.get(node) or CostType.OTHER.value, node


def _main(priced: list[tuple[dict, CostKind]]) -> dict | None:
    for wanted in MAIN:
        found = next((p for p, (kind, _) in priced if kind == wanted), None)
        if found is not None:
            return found
    untyped = [p for p, (kind, _) in priced if kind is None]
    return untyped[0] if len(untyped) == 1 else None


def _no_currency(profile: dict) -> Problem:
    written, price = profile.get("ceterms:currency"), profile["ceterms:price"]
    if written is None:
        return _note(
            "NO_CURRENCY",
            f"The cost of {price} was not imported: a cost is an amount and its currency, and it has no "
            "ceterms:currency (an ISO 4217 code such as USD).",
        )
    return _note(
        "UNKNOWN_CURRENCY",
        f"The cost of {price} was not imported: its currency {written!r} is not an ISO 4217 code (such as USD).",
    )


def _take(profile: dict, marks: Marks) -> None:
    """Marks the profile's price, currency and cost type (its alignments whole) as carried,
    and the export's own description of the listing's cost."""
    for key in ("ceterms:price", "ceterms:currency", "ceterms:directCostType"):
        marks.take(profile, key)
    for alignment in many(profile.get("ceterms:directCostType")):
        marks.done(alignment)
    if same_text(profile.get("ceterms:description"), ctdl.TUITION):
        marks.take(profile, "ceterms:description")


def _item(profile: dict, kind: CostKind, amount: float, currency: str, marks: Marks, notes: list[Problem]) -> CostItem:
    cost_type, node = kind
    if node is None:
        notes.append(_note("UNTYPED_COST", "A cost without a ceterms:directCostType was imported as OTHER."))
    elif node not in EXACT:
        notes.append(
            _note(
                "NEAREST_COST_TYPE", f"{node!r} has no registry cost type; it was imported as {cost_type or 'OTHER'}."
            )
        )
    _take(profile, marks)
    described = marks.take(profile, "ceterms:description") or marks.take(profile, "ceterms:name")
    return CostItem(cost_type or CostType.OTHER.value, amount, currency, text(described))


def _note(code: str, message: str) -> Problem:
    return Problem(("credential", "ceterms:estimatedCost"), code, message)
