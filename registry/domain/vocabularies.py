"""The schemes the registry's reference vocabularies come from."""

from __future__ import annotations

SKILL_SCHEME = "MCR"  # the registry's own skills taxonomy; imports name skills by its codes
OCCUPATION_SCHEME = "NOC2021"  # Canada's National Occupational Classification 2021

# Canada's provinces and territories (ISO 3166-2), the jurisdictions of its portals.
PROVINCES_AND_TERRITORIES = (
    "CA-AB",
    "CA-BC",
    "CA-MB",
    "CA-NB",
    "CA-NL",
    "CA-NS",
    "CA-NT",
    "CA-NU",
    "CA-ON",
    "CA-PE",
    "CA-QC",
    "CA-SK",
    "CA-YT",
)
