"""How complete a listing is, against the EU Council Recommendation's mandatory listing
elements and the CTDL minimum data for a credential."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from registry.domain.records import Credential

# Element (as the API names it) -> whether a listing has it. Title, awarding body, a page and
# status are required of every listing, so they are always present; the rest may be missing
# from a draft (an http page counts as missing until it is https).
ELEMENTS: dict[str, Callable[[Credential], bool]] = {
    "title": lambda c: bool(c.title),
    "provider": lambda c: True,
    "description": lambda c: bool(c.description),
    "learningOutcomes": lambda c: bool(c.learning_outcomes),
    "workloadHours": lambda c: c.workload_hours is not None,
    "level": lambda c: c.level_framework is not None or bool((c.level_reason or "").strip()),
    "assessment": lambda c: c.assessment is not None,
    "deliveryMode": lambda c: c.delivery_mode is not None,
    "qualityAssurance": lambda c: bool((c.quality_assurance or "").strip()),
    "languages": lambda c: bool(c.languages),
    "url": lambda c: c.url.startswith("https://"),
    "status": lambda c: c.status is not None,
}


@dataclass(frozen=True)
class Completeness:
    """The share of elements present (0 to 1) and the names of the missing ones."""

    score: float
    missing: list[str]


def completeness(listing: Credential) -> Completeness:
    """How complete ``listing`` is. The database's `completeness` column follows the same rule."""
    missing = [name for name, present in ELEMENTS.items() if not present(listing)]
    return Completeness(round((len(ELEMENTS) - len(missing)) / len(ELEMENTS), 4), missing)
