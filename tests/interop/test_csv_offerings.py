"""The CSV template's offering columns: rows of one listing become its set of offerings."""

from __future__ import annotations

import csv
import io
from datetime import date

from registry.interop import csv_listings


def _read(rows: list[dict], columns=csv_listings.ALL_COLUMNS) -> list[csv_listings.Row]:
    sink = io.StringIO()
    writer = csv.DictWriter(sink, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    unknown, parsed = csv_listings.read(io.StringIO(sink.getvalue()))
    assert unknown == []
    return list(parsed)


def _listing(key: str, **cells) -> dict:
    return {"externalId": key, "title_en": f"Listing {key}", **cells}


def test_rows_with_the_same_listing_key_are_one_listing_with_an_offering_each():
    rows = _read(
        [
            _listing("A", offeringExternalId="A-1", offeringDeliveryMode="ONLINE"),
            _listing("B"),
            {"externalId": "A", "offeringExternalId": "A-2", "offeringDeliveryMode": "ONLINE"},
        ]
    )
    assert [(r.changes.external_id, r.line) for r in rows] == [("A", 2), ("B", 3)]
    assert [o.external_id for o in rows[0].offerings or []] == ["A-1", "A-2"]
    assert rows[0].offering_lines == [2, 4]
    assert rows[1].offerings == []  # the file says B has none


def test_a_file_without_offering_columns_says_nothing_of_offerings():
    rows = _read([_listing("A")], columns=csv_listings.COLUMNS)
    assert rows[0].offerings is None


def test_offering_cells_are_read_as_dates_numbers_places_and_lists():
    cells = {
        "offeringExternalId": "A-1",
        "offeringStartDate": "2027-01-11",
        "offeringDeliveryMode": "HYBRID",
        "offeringMunicipality": "Sudbury",
        "offeringRegion": "CA-ON",
        "offeringLatitude": "46,49",
        "offeringLongitude": "-80.99",
        "offeringScheduleTimings": "EVENING|WEEKEND",
        "offeringSeatsTotal": "30",
    }
    (row,) = _read([_listing("A", **cells)])
    (offering,) = row.offerings or []
    assert offering.start_date == date(2027, 1, 11) and offering.seats_total == 30
    assert offering.place is not None and (offering.place.municipality, offering.place.latitude) == ("Sudbury", 46.49)
    assert offering.schedule_timings == ["EVENING", "WEEKEND"] and row.problems == []


def test_a_bad_offering_cell_is_a_problem_on_its_line_and_column():
    rows = _read(
        [
            _listing("A", offeringExternalId="A-1", offeringDeliveryMode="ONLINE"),
            {"externalId": "A", "offeringExternalId": "A-2", "offeringStartDate": "11/01/2027"},
        ]
    )
    (problem,) = rows[0].problems
    assert problem.code == "NOT_A_DATE" and csv_listings.column_of(problem) == "offeringStartDate"
    assert rows[0].line_of(problem) == 3


def test_rows_of_one_listing_that_disagree_on_a_listing_cell_are_refused():
    rows = _read([_listing("A", workloadHours="40"), _listing("A", workloadHours="45")])
    (problem,) = rows[0].problems
    assert (problem.code, csv_listings.column_of(problem)) == ("CONFLICT", "workloadHours")


def test_the_template_reads_back_without_problems():
    (row,) = list(csv_listings.read(io.StringIO(csv_listings.template()))[1])
    assert row.problems == [] and len(row.offerings or []) == 2
