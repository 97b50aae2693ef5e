"""What harvesting tests serve: a provider's CSV file, and settings that allow loopback sources."""

from __future__ import annotations

import csv
import dataclasses
import io

from registry.interop import csv_listings
from tests.support.apps import SETTINGS

LOOPBACK = dataclasses.replace(SETTINGS, webhooks_allow_loopback=True)


def listings_csv(*external_ids: str, title: str = "Data Analysis Essentials") -> bytes:
    """A provider's CSV file (the import template's columns, no offerings) of these listings."""
    template = next(csv.DictReader(io.StringIO(csv_listings.template())))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=csv_listings.COLUMNS, extrasaction="ignore")  # no offerings
    writer.writeheader()
    for key in external_ids:
        writer.writerow({**template, "externalId": key, "title_en": f"{title} {key}"})
    return out.getvalue().encode()
