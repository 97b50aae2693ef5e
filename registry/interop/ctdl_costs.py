"""Costs from CTDL `ceterms:estimatedCost`: each `CostProfile` by its `ceterms:directCostType`.

The tuition profile (else the aggregate cost, else the one profile without a type) is the
listing's cost; every other priced profile is a cost item. The cost types the export writes
(registry.interop.ctdl.COST_TYPES) read back as the same types; a few other CTDL cost types
have a near registry type, and the rest are OTHER; both with a note naming the concept.
Currencies are ISO 4217 codes, or names mapped to one where the name is unambiguous.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    """The listing's cost and cost items from the `CostProfile`s of `ceterms:estimatedCost`."""
    costs = Costs()
    priced = [
        (p, _cost_type(p)) for p in profiles if isinstance(p, dict) and number(p.get("ceterms:price")) is not None
    ]
    main = _main(priced)
    for profile, kind in priced:
        currency = currency_code(profile.get("ceterms:currency"))
        if profile is main:
            _main_cost(costs, profile, currency, marks)
        elif currency is None:
            costs.notes.append(_no_currency(profile))
            marks.done(profile)
        else:
            costs.items.append(_item(profile, kind, currency, marks, costs.notes))
    return costs


def _main_cost(costs: Costs, profile: dict, currency: str | None, marks: Marks) -> None:
    """The listing's cost: without a currency when the profile names none, not at all when it
    names one that is not known."""
    if currency is None and profile.get("ceterms:currency") is not None:
        costs.notes.append(_no_currency(profile))
        marks.done(profile)
        return
    if currency is None:
        costs.notes.append(_note("NO_CURRENCY", "The listing's cost has no ceterms:currency."))
    costs.amount, costs.currency = number(profile["ceterms:price"]), currency
    _take(profile, marks)
    if same_text(profile.get("ceterms:description"), ctdl.TUITION):
        marks.take(profile, "ceterms:description")


def _cost_type(profile: dict) -> tuple[str | None, str | None]:
    """(registry cost type, the CTDL concept) of a profile; (None, None) when it has none."""
    node = next((c for c in map(concept, many(profile.get("ceterms:directCostType"))) if c), None)
    if node is None:
        return None, None
    return EXACT.get(node) or NEAREST.get(node) or CostType.OTHER.value, node


def _main(priced: list[tuple[dict, tuple[str | None, str | None]]]) -> dict | None:
    for wanted in MAIN:
        found = next((p for p, (kind, _) in priced if kind == wanted), None)
        if found is not None:
            return found
    untyped = [p for p, (kind, _) in priced if kind is None]
    return untyped[0] if len(untyped) == 1 else None


def _no_currency(profile: dict) -> Problem:
    written = profile.get("ceterms:currency")
    reason = f"its currency {written!r} is not an ISO 4217 code" if written else "it has no ceterms:currency"
    return _note(
        "UNKNOWN_CURRENCY", f"The cost of {profile['ceterms:price']} was not imported: {reason} (such as USD)."
    )


def _take(profile: dict, marks: Marks) -> None:
    """Marks the profile's price, currency and cost type (its alignments whole) as carried."""
    for key in ("ceterms:price", "ceterms:currency", "ceterms:directCostType"):
        marks.take(profile, key)
    for alignment in many(profile.get("ceterms:directCostType")):
        marks.done(alignment)


def _item(
    profile: dict, kind: tuple[str | None, str | None], currency: str, marks: Marks, notes: list[Problem]
) -> CostItem:
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
    amount = number(profile["ceterms:price"])
    return CostItem(cost_type or CostType.OTHER.value, amount or 0.0, currency, text(described))


def _note(code: str, message: str) -> Problem:
    return Problem(("credential", "ceterms:estimatedCost"), code, message)
