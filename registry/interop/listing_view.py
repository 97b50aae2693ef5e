"""Everything a standard's description of one listing draws on, gathered once."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from registry.domain import ids
from registry.domain.language import pick
from registry.domain.offerings import Offering
from registry.domain.records import (
    Authority,
    Credential,
    Occupation,
    Provider,
    Recognition,
    Skill,
)


def plain_number(value: float) -> str:
    """A number as ISO 8601 durations write one: every digit it has, no exponent, no trailing
    zeros (1234.567, 0.00001, 40); ``:g`` would round to six digits and write 1e-05."""
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


@dataclass(frozen=True)
class ListingView:
    """A listing with its provider, taxonomy, recognitions in force and links, and the
    registry's public base URL (for the URIs the standards want)."""

    listing: Credential
    provider: Provider
    skills: list[Skill]
    occupations: list[Occupation]
    recognitions: list[tuple[Recognition, Authority]]
    links: list[tuple[str, object]]  # (link kind, target listing id)
    base_url: str
    offerings: tuple[Offering, ...] = ()  # those not over, soonest first
    partners: tuple[Provider, ...] = ()  # delivery partners besides the owner, in the owner's order
    backlinks: tuple[tuple[str, object], ...] = ()  # (link kind, source listing id) of links pointing here

    def uri(self, type_name: str, uuid) -> str:
        """The registry's URI for a node: where `/credentials/{id}` and friends answer."""
        paths = {
            "Credential": "credentials",
            "Provider": "providers",
            "RecognitionAuthority": "authorities",
            "Skill": "skills",
            "Occupation": "occupations",
        }
        return f"{self.base_url.rstrip('/')}/{paths[type_name]}/{ids.encode(type_name, uuid)}"

    @property
    def id(self) -> str:
        return self.uri("Credential", self.listing.id)

    def text(self, value: dict | None) -> str | None:
        """A single string where a standard takes one: English, else any language."""
        return pick(value, "en")

    @property
    def hours(self) -> str | None:
        """The workload as an ISO 8601 duration, e.g. PT40H; None when a draft has none yet."""
        hours = self.listing.workload_hours
        return None if hours is None else f"PT{plain_number(hours)}H"
