"""Canadian places by name or postal code, for searches `near` a place.

The gazetteer is bundled (registry/data/gazetteer-ca.csv, its sources in
registry/data/SOURCES.md): every Canadian populated place of GeoNames with 500 inhabitants or
more, with its English and French names, and the centre of every forward sortation area (the
first three characters of a postal code). `resolve` reads "Sudbury, ON", "Grand Sudbury (Ontario)",
"Trois-Rivieres, QC", "Montréal", "P3E" or "P3E 2C6"; accents, case and punctuation are ignored.
`point_of` gives an offering's place without coordinates those of its postal area or
municipality. registry/places_build.py makes the file from GeoNames data (`microcred places
build`).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from registry.domain.offerings import Place

GAZETTEER = Path(__file__).resolve().parents[1] / "data" / "gazetteer-ca.csv"

# GeoNames' first-level codes of Canada's provinces and territories -> ISO 3166-2.
ADMIN1 = {
    "01": "CA-AB", "02": "CA-BC", "03": "CA-MB", "04": "CA-NB", "05": "CA-NL", "07": "CA-NS", "08": "CA-ON",
    "09": "CA-PE", "10": "CA-QC", "11": "CA-SK", "12": "CA-YT", "13": "CA-NT", "14": "CA-NU",
}  # fmt: skip
# How people name a province or territory after a place, in English and French -> ISO 3166-2.
PROVINCE_NAMES = {
    "ab": "CA-AB", "alberta": "CA-AB", "alta": "CA-AB",
    "bc": "CA-BC", "cb": "CA-BC", "british columbia": "CA-BC", "colombie britannique": "CA-BC",
    "mb": "CA-MB", "manitoba": "CA-MB", "man": "CA-MB",
    "nb": "CA-NB", "new brunswick": "CA-NB", "nouveau brunswick": "CA-NB",
    "nl": "CA-NL", "tnl": "CA-NL", "newfoundland and labrador": "CA-NL", "terre neuve et labrador": "CA-NL",
    "newfoundland": "CA-NL",
    "ns": "CA-NS", "ne": "CA-NS", "nova scotia": "CA-NS", "nouvelle ecosse": "CA-NS",
    "on": "CA-ON", "ont": "CA-ON", "ontario": "CA-ON",
    "pe": "CA-PE", "pei": "CA-PE", "ipe": "CA-PE", "prince edward island": "CA-PE", "ile du prince edouard": "CA-PE",
    "qc": "CA-QC", "que": "CA-QC", "pq": "CA-QC", "quebec": "CA-QC",
    "sk": "CA-SK", "sask": "CA-SK", "saskatchewan": "CA-SK",
    "yt": "CA-YT", "yukon": "CA-YT",
    "nt": "CA-NT", "tno": "CA-NT", "northwest territories": "CA-NT", "territoires du nord ouest": "CA-NT",
    "northwest territory": "CA-NT",
    "nu": "CA-NU", "nunavut": "CA-NU", "nunavut territory": "CA-NU",
}  # fmt: skip
_FSA = re.compile(r"^([A-Z]\d[A-Z])(?:\s?\d[A-Z]\d)?$")


@dataclass(frozen=True)
class Located:
    """A place found: what it is called, its province or territory, and its centre."""

    name: str
    region: str
    latitude: float
    longitude: float


def fold(text: str) -> str:
    """A name as compared: lower case, no accents, words separated by single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


def resolve(text: str) -> Located | None:
    """The place ``text`` names, or None. A name with its province (after a comma or in
    brackets) is that province's place of the name; a name alone is the most populous one."""
    wanted = text.strip()
    postal = _FSA.fullmatch(wanted.upper())
    if postal:
        return _index().fsas.get(postal.group(1))
    name, region = _split(wanted)
    found = [p for p in _index().places.get(fold(name), []) if region is None or p[0].region == region]
    return max(found, key=lambda pair: pair[1])[0] if found else None


def point_of(place: Place) -> Place:
    """``place`` with coordinates: its own, else its municipality's in its province, else its
    postal area's centre (a rural postal area spans a region: the municipality is nearer the
    truth); neither known: as it is."""
    if place.latitude is not None or not place.region.startswith("CA-"):
        return place
    postal = _FSA.fullmatch((place.postal_code or "").strip().upper())
    area = _index().fsas.get(postal.group(1)) if postal else None
    named = [p for p, _ in sorted(_index().places.get(fold(place.municipality), []), key=lambda pair: -pair[1])]
    found = next((p for p in named if p.region == place.region), None)
    found = found or (area if area is not None and area.region == place.region else None)
    if found is None:
        return place
    return replace(place, latitude=found.latitude, longitude=found.longitude)


def _split(text: str) -> tuple[str, str | None]:
    """(place name, ISO region or None) of "Name, ON", "Name (Ontario)" or "Name"."""
    bracketed = re.fullmatch(r"(.+?)\s*\((.+)\)\s*", text)
    head, _, tail = text.rpartition(",") if not bracketed else (bracketed.group(1), "", bracketed.group(2))
    if head and fold(tail) in PROVINCE_NAMES:
        return head, PROVINCE_NAMES[fold(tail)]
    return text, None


def largest_places(region: str, count: int) -> list[Located]:
    """The ``count`` most populous places of a province or territory, most populous first."""
    return [place for place, _ in _index().by_region.get(region, [])[:count]]


@dataclass
class _Index:
    places: dict[str, list[tuple[Located, int]]]  # folded name -> (place, population)
    fsas: dict[str, Located]
    by_region: dict[str, list[tuple[Located, int]]]  # region -> (place, population), most populous first


@cache
def _index() -> _Index:
    index = _Index({}, {}, {})
    with GAZETTEER.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            located = Located(row["name"], row["region"], float(row["latitude"]), float(row["longitude"]))
            if row["kind"] == "fsa":
                index.fsas[row["name"]] = located
                continue
            for name in {row["name"], *filter(None, row["other_names"].split("|"))}:
                index.places.setdefault(fold(name), []).append((located, int(row["population"])))
            index.by_region.setdefault(located.region, []).append((located, int(row["population"])))
    for places in index.by_region.values():
        places.sort(key=lambda pair: (-pair[1], pair[0].name))
    return index
