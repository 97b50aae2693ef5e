"""Listings in CSV: one listing per row, the documented header, both languages.

Multi-valued cells separate values with `|`; a learning outcome's French and English are
in the same position of `learningOutcomes_en` and `learningOutcomes_fr`. Skills are given
by their code in the registry's taxonomy (`MCR`), occupations by NOC 2021 code. With the
`offering…` columns (registry.interop.csv_offerings) a listing takes one row per offering.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from typing import Iterable, Iterator, TextIO

from registry.domain.enums import (
    AssessmentType,
    Audience,
    CredentialType,
    DeliveryMode,
    Pace,
)
from registry.domain.errors import Problem
from registry.domain.listings import ListingChanges
from registry.domain.offerings import OfferingChanges
from registry.interop import csv_offerings

SEPARATOR = "|"
LANGUAGES = ("en", "fr")

# Column -> what it holds, for the template and the README.
COLUMNS: dict[str, str] = {
    "externalId": "Your key for the listing (required; re-importing updates by it).",
    "credentialType": "MICRO_CREDENTIAL, DIGITAL_BADGE, CERTIFICATE or COURSE.",
    "title_en": "Title in English.",
    "title_fr": "Title in French (one of the two titles is required).",
    "description_en": "Description in English.",
    "description_fr": "Description in French.",
    "learningOutcomes_en": "Outcomes in English, separated by |.",
    "learningOutcomes_fr": "Outcomes in French, separated by |, in the same order.",
    "skills": "Skill codes of the MCR taxonomy, separated by |.",
    "occupationCodes": "NOC 2021 codes, separated by |.",
    "levelFramework": "Qualifications framework, e.g. EQF.",
    "levelValue": "Level in it, e.g. 5.",
    "levelReason": "Why no level applies (instead of a level).",
    "workloadHours": "Notional learning hours (required to publish).",
    "ectsCredits": "ECTS credits.",
    "durationWeeks": "Typical duration in weeks.",
    "deliveryMode": "ONLINE, IN_PERSON or HYBRID (required to publish).",
    "pace": "SELF_PACED or SCHEDULED (required to publish).",
    "languages": "Languages of instruction (BCP 47), separated by |.",
    "regions": "Regions offered (ISO 3166-2), separated by |.",
    "costAmount": "Tuition; leave empty when free.",
    "costCurrency": "ISO 4217 code, e.g. CAD.",
    "assessment": "EXAM, PROJECT, PORTFOLIO, PRACTICAL_DEMONSTRATION, OBSERVATION or NONE (required to publish).",
    "qualityAssurance": "The quality-assurance process.",
    "prerequisites_en": "Prerequisites in English.",
    "prerequisites_fr": "Prerequisites in French.",
    "audiences": "Groups it is designed for (Audience values), separated by |.",
    "fundingPrograms": "Public funding it is eligible for, separated by |.",
    "url": "The listing's page (required; https expected).",
    "ctid": "Its Credential Engine CTID (ce-<uuid>), if it has one; otherwise one is minted.",
    "keywords_en": "Keywords in English, separated by |.",
    "keywords_fr": "Keywords in French, separated by |.",
}

ALL_COLUMNS = COLUMNS | csv_offerings.COLUMNS

_ENUMS = {"credentialType": CredentialType, "deliveryMode": DeliveryMode, "pace": Pace, "assessment": AssessmentType}
_NUMBERS = {
    "workloadHours": "workload_hours",
    "ectsCredits": "ects_credits",
    "durationWeeks": "duration_weeks",
    "costAmount": "cost_amount",
}


@dataclass
class Row:
    """One parsed row: where it was, the listing it describes, what was wrong with it."""

    line: int
    changes: ListingChanges
    problems: list[Problem] = field(default_factory=list)
    skill_codes: list[str] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)  # worth saying, not wrong (e.g. a property not imported)
    offerings: list[OfferingChanges] | None = None  # the listing's whole set of offerings, when the file gives it
    offering_lines: list[int] = field(default_factory=list)  # the line each of those offerings is on

    def line_of(self, problem: Problem) -> int:
        """The line a problem is on: its offering's, when it is about one of them."""
        path = problem.field
        if len(path) > 2 and path[1] == "offerings" and path[2].isdigit() and int(path[2]) < len(self.offering_lines):
            return self.offering_lines[int(path[2])]
        return self.line


def template() -> str:
    """A CSV file with the header and one example row."""
    example = {
        "externalId": "DA-101",
        "credentialType": "MICRO_CREDENTIAL",
        "title_en": "Data Analysis Essentials",
        "title_fr": "L'essentiel de l'analyse de données",
        "description_en": "Clean, analyse and present data.",
        "learningOutcomes_en": "Clean a data set|Build a dashboard",
        "learningOutcomes_fr": "Nettoyer un jeu de données|Créer un tableau de bord",
        "skills": "data-analysis|data-visualization",
        "occupationCodes": "21211",
        "levelFramework": "EQF",
        "levelValue": "5",
        "workloadHours": "40",
        "durationWeeks": "8",
        "deliveryMode": "HYBRID",
        "pace": "SCHEDULED",
        "languages": "en|fr",
        "regions": "CA-ON|CA-QC",
        "costAmount": "450",
        "costCurrency": "CAD",
        "assessment": "PROJECT",
        "qualityAssurance": "Program review committee",
        "audiences": "MID_CAREER_WORKERS",
        "fundingPrograms": "Canada Training Credit",
        "url": "https://college.example.ca/data-analysis",
    }
    first_run = {
        "offeringExternalId": "DA-101-2027-01",
        "offeringStartDate": "2027-01-11",
        "offeringEndDate": "2027-03-05",
        "offeringRegistrationDeadline": "2026-12-18",
        "offeringDeliveryMode": "IN_PERSON",
        "offeringPlaceName": "Main campus",
        "offeringMunicipality": "Sudbury",
        "offeringRegion": "CA-ON",
        "offeringPostalCode": "P3A 2T3",
        "offeringLatitude": "46.49",
        "offeringLongitude": "-80.99",
        "offeringScheduleTimings": "EVENING",
        "offeringSeatsTotal": "30",
        "offeringSeatsAvailable": "12",
    }
    second_run = {"externalId": "DA-101", "offeringExternalId": "DA-101-ONLINE", "offeringDeliveryMode": "ONLINE"}
    sink = io.StringIO()
    writer = csv.DictWriter(sink, fieldnames=list(ALL_COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerow(example | first_run)
    writer.writerow(second_run)
    return sink.getvalue()


def read(source: TextIO) -> tuple[list[str], Iterator[Row]]:
    """(unknown columns, parsed rows) of a CSV file: one per listing, its offerings gathered
    from its rows when the file has offering columns."""
    reader = csv.DictReader(source)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in ALL_COLUMNS]
    rows = enumerate(reader, start=2)
    if not any(name in csv_offerings.COLUMNS for name in header):
        return unknown, (parse_row(line, row) for line, row in rows)
    return unknown, _grouped(rows)


def _grouped(rows: Iterable[tuple[int, dict[str, str | None]]]) -> Iterator[Row]:
    """Rows with the same listing `externalId` as one listing with an offering per row (in the
    order of their first row); later rows repeat the listing's cells or leave them empty."""
    groups: dict[str, list[tuple[int, dict[str, str | None]]]] = {}
    alone: list[tuple[int, dict[str, str | None]]] = []  # rows without a key: each fails on its own
    for line, row in rows:
        key = (row.get("externalId") or "").strip()
        if key:
            groups.setdefault(key, []).append((line, row))
        else:
            alone.append((line, row))
    for line, row in alone:
        yield parse_row(line, row)
    for members in groups.values():
        yield _listing_of(members)


def _listing_of(members: list[tuple[int, dict[str, str | None]]]) -> Row:
    first_line, first = members[0]
    listing = parse_row(first_line, first)
    listing.offerings = []
    first_cell = _cells(first)[0]
    for line, row in members:
        cell = _cells(row)[0]
        for column in COLUMNS:
            if line != first_line and cell(column) and cell(column) != first_cell(column):
                listing.problems.append(
                    Problem(
                        ("credential", column),
                        "CONFLICT",
                        f"Line {line} gives {column} another value than line {first_line}; repeat it or leave it empty.",
                    )
                )
        offering, problems = csv_offerings.parse(len(listing.offerings), *_cells(row))
        listing.problems += problems
        if offering is not None:
            listing.offerings.append(offering)
            listing.offering_lines.append(line)
    return listing


def _cells(row: dict[str, str | None]):
    """(one cell's text, one cell's values split on the separator) of a row."""
    cell = lambda name: (row.get(name) or "").strip()  # noqa: E731
    many = lambda name: [v.strip() for v in cell(name).split(SEPARATOR) if v.strip()]  # noqa: E731
    return cell, many


def parse_row(line: int, row: dict[str, str | None]) -> Row:
    """One row as a listing change; cells that do not parse become problems naming their column."""
    problems: list[Problem] = []
    cell, many = _cells(row)

    def problem(column: str, code: str, message: str) -> None:
        problems.append(Problem(("credential", column), code, message))

    def texts(prefix: str) -> dict[str, str] | None:
        found = {lang: cell(f"{prefix}_{lang}") for lang in LANGUAGES if cell(f"{prefix}_{lang}")}
        return found or None

    values: dict = {}
    for column, attribute in _NUMBERS.items():
        if cell(column):
            try:
                values[attribute] = float(cell(column).replace(",", "."))
            except ValueError:
                problem(column, "NOT_A_NUMBER", f"{cell(column)!r} is not a number.")
    enums: dict = {}
    for column, enum in _ENUMS.items():
        if cell(column):
            if cell(column) in enum.__members__:
                enums[column] = cell(column)
            else:
                problem(column, "UNKNOWN_VALUE", f"{cell(column)!r} is not one of {', '.join(enum.__members__)}.")
    audiences = many("audiences")
    for value in audiences:
        if value not in Audience.__members__:
            problem("audiences", "UNKNOWN_VALUE", f"{value!r} is not an Audience.")
    outcomes = _outcomes(many("learningOutcomes_en"), many("learningOutcomes_fr"), problem)
    level = (cell("levelFramework"), cell("levelValue"))
    if bool(level[0]) != bool(level[1]):
        problem("levelValue" if level[0] else "levelFramework", "REQUIRED", "Give both levelFramework and levelValue.")
    changes = ListingChanges(
        external_id=cell("externalId") or None,
        credential_type=enums.get("credentialType"),
        title=texts("title"),
        description=texts("description"),
        learning_outcomes=outcomes,
        occupation_codes=many("occupationCodes") or None,
        level_framework=level[0] or None,
        level_value=level[1] or None,
        level_reason=cell("levelReason") or None,
        delivery_mode=enums.get("deliveryMode"),
        pace=enums.get("pace"),
        languages=many("languages") or None,
        regions=many("regions") or None,
        cost_currency=cell("costCurrency") or None,
        assessment=enums.get("assessment"),
        quality_assurance=cell("qualityAssurance") or None,
        prerequisites=texts("prerequisites"),
        audiences=[a for a in audiences if a in Audience.__members__] or None,
        funding_programs=many("fundingPrograms") or None,
        url=cell("url") or None,
        ctid=cell("ctid") or None,
        keywords={lang: words for lang in LANGUAGES if (words := many(f"keywords_{lang}"))} or None,
        **values,
    )
    return Row(line, changes, problems, many("skills"))


def _outcomes(english: list[str], french: list[str], problem) -> list[dict[str, str]] | None:
    if english and french and len(english) != len(french):
        problem("learningOutcomes_fr", "MISMATCH", "English and French outcomes must pair up one for one.")
    count = max(len(english), len(french))
    outcomes = [
        {lang: texts[n] for lang, texts in (("en", english), ("fr", french)) if n < len(texts)} for n in range(count)
    ]
    return outcomes or None


def column_of(problem: Problem) -> str:
    """The CSV column a problem is about (the listing's field names map to columns)."""
    field_name = problem.field[1] if len(problem.field) > 1 else ""
    if field_name == "offerings" and len(problem.field) > 2:
        return csv_offerings.column_of(problem.field[3:])
    if field_name in COLUMNS:
        return field_name
    for suffix in ("_en", "_fr"):
        if field_name + suffix in COLUMNS:
            return field_name + suffix
    return {"skillIds": "skills", "cost": "costAmount", "level": "levelFramework"}.get(field_name, field_name or "-")


def chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Rows in lists of ``size`` (the last may be shorter)."""
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
