"""Offerings in CTDL: a learning opportunity's scheduled offerings and a credential's places
read as offerings; a listing's offerings written as the places it is available at."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, date, datetime

from registry.domain.offerings import Offering, Place
from registry.domain.records import Provider
from registry.interop import ctdl, ctdl_import
from registry.interop.listing_view import ListingView
from tests.support import ctdl_vocabulary
from tests.support.records import a_listing

# Shapes of the Credential Registry's published resources: a course referring to its
# scheduled offerings by URI, each a top-level resource of the graph with its own CTID.
COURSE_GRAPH = {
    "@context": "https://credreg.net/ctdl/schema/context/json",
    "@graph": [
        {
            "@id": "https://credentialengineregistry.org/resources/ce-4c2b8f0e-1d7a-4f3e-9a51-2b6c0d9e8f71",
            "@type": "ceterms:Course",
            "ceterms:ctid": "ce-4c2b8f0e-1d7a-4f3e-9a51-2b6c0d9e8f71",
            "ceterms:name": {"en-US": "Blueprint Reading"},
            "ceterms:subjectWebpage": "https://college.example.ca/blueprint",
            "ceterms:hasOffering": [
                "https://credentialengineregistry.org/resources/ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4d",
                "https://credentialengineregistry.org/resources/ce-7e6d5c4b-3a2f-4e1d-8c0b-a9f8e7d6c5b4",
            ],
        },
        {
            "@id": "https://credentialengineregistry.org/resources/ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4d",
            "@type": "ceterms:ScheduledOffering",
            "ceterms:ctid": "ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4d",
            "ceterms:name": {"en-US": "Evening section, Sudbury campus"},
            "ceterms:deliveryType": [
                {
                    "@type": "ceterms:CredentialAlignmentObject",
                    "ceterms:framework": "https://credreg.net/ctdl/terms/Delivery",
                    "ceterms:targetNode": "deliveryType:BlendedDelivery",
                }
            ],
            "ceterms:scheduleTimingType": ["scheduleTiming:Evening", "scheduleTiming:Weekends"],
            "ceterms:availableAt": [
                {
                    "@type": "ceterms:Place",
                    "ceterms:name": {"en-US": "Barrydowne campus"},
                    "ceterms:streetAddress": {"en-US": "1400 Barrydowne Rd"},
                    "ceterms:addressLocality": {"en-US": "Sudbury"},
                    "ceterms:addressRegion": {"en-US": "Ontario"},
                    "ceterms:addressCountry": {"en-US": "Canada"},
                    "ceterms:postalCode": "P3A 3V8",
                    "ceterms:latitude": 46.5225,
                    "ceterms:longitude": -80.9464,
                }
            ],
        },
        {
            "@id": "https://credentialengineregistry.org/resources/ce-7e6d5c4b-3a2f-4e1d-8c0b-a9f8e7d6c5b4",
            "@type": "ceterms:ScheduledOffering",
            "ceterms:ctid": "ce-7e6d5c4b-3a2f-4e1d-8c0b-a9f8e7d6c5b4",
            "ceterms:deliveryType": ["deliveryType:OnlineOnly"],
            "ceterms:availableOnlineAt": ["https://college.example.ca/online"],
        },
    ],
}


def _rows(document) -> list:
    return list(ctdl_import.read(io.StringIO(json.dumps(document)))[1])


def test_a_courses_scheduled_offerings_are_its_offerings():
    (row,) = _rows(COURSE_GRAPH)
    evening, online = row.offerings
    assert (evening.external_id, evening.delivery_mode) == ("ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4d", "HYBRID")
    assert evening.schedule_timings == ["EVENING", "WEEKEND"] and evening.start_date is None
    assert evening.place == Place(
        municipality="Sudbury",
        region="CA-ON",
        name="Barrydowne campus",
        street_address="1400 Barrydowne Rd",
        postal_code="P3A 3V8",
        latitude=46.5225,
        longitude=-80.9464,
    )
    assert (online.delivery_mode, online.place) == ("ONLINE", None)


def test_everything_of_a_scheduled_offering_read_is_not_reported_as_left_out():
    (row,) = _rows(COURSE_GRAPH)
    assert [n for n in row.notes if "hasOffering" in n.field[-1] or "Offering" in n.message] == []


def test_a_credential_s_places_are_noted_and_leave_its_offerings_alone():
    credential = {
        "@type": "ceterms:Certificate",
        "ceterms:name": "Welding",
        "ceterms:subjectWebpage": "https://example.ca/welding",
        "ceterms:availableAt": [{"ceterms:addressLocality": "Trois-Rivières", "ceterms:addressRegion": "QC"}],
    }
    (row,) = _rows(credential)
    assert row.offerings is None
    assert [n.code for n in row.notes if n.field[-1] == "ceterms:availableAt"] == ["PLACES_NOT_IMPORTED"]


def test_a_scheduled_offering_in_person_whose_place_cannot_be_coded_is_left_out_with_a_note():
    course = {
        "@type": "ceterms:Course",
        "ceterms:name": "Welding",
        "ceterms:subjectWebpage": "https://example.ca/welding",
        "ceterms:hasOffering": [
            {
                "@type": "ceterms:ScheduledOffering",
                "ceterms:ctid": "ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4e",
                "ceterms:deliveryType": ["deliveryType:InPerson"],
                "ceterms:availableAt": [{"ceterms:name": "Head office", "ceterms:addressLocality": "Lyon"}],
            },
            {
                "@type": "ceterms:ScheduledOffering",
                "ceterms:ctid": "ce-0b5d1c3a-2e4f-4a6b-8c7d-9e0f1a2b3c4f",
                "ceterms:availableAt": [
                    {
                        "ceterms:addressLocality": "Indianapolis",
                        "ceterms:addressRegion": "IN",
                        "ceterms:addressCountry": "US",
                    }
                ],
            },
        ],
    }
    (row,) = _rows(course)
    (indianapolis,) = row.offerings
    assert (indianapolis.delivery_mode, indianapolis.place.region) == ("IN_PERSON", "US-IN")
    notes = [n.code for n in row.notes if n.field[-1] == "ceterms:hasOffering"]
    assert notes == ["PLACE_LEFT_OUT", "OFFERING_LEFT_OUT"]


def test_a_document_without_offerings_leaves_a_listings_offerings_alone():
    (row,) = _rows({"@type": "ceterms:Certificate", "ceterms:name": "W", "ceterms:subjectWebpage": "https://e.ca/w"})
    assert row.offerings is None


def _offering(place: Place | None, mode: str = "IN_PERSON", cancelled: bool = False) -> Offering:
    now = datetime.now(UTC)
    return Offering(
        uuid.uuid4(), uuid.uuid4(), None, date(2027, 1, 11), None, None, None, mode, place, [], [], None, None,
        None, None, "OPEN", now if cancelled else None, 1, now, now,
    )  # fmt: skip


def test_the_places_of_a_listings_offerings_are_where_it_is_available():
    sudbury = Place("Sudbury", "CA-ON", "Main campus", None, "P3A 2T3", 46.49, -80.99)
    elsewhere = Place("Timmins", "CA-ON")
    offerings = (
        _offering(sudbury),
        _offering(sudbury),
        _offering(None, "ONLINE"),
        _offering(elsewhere, cancelled=True),
    )
    now = datetime.now(UTC)
    provider = Provider(uuid.uuid4(), "c", {"en": "College"}, "COLLEGE", "CA-ON", None, now, now)
    view = ListingView(a_listing(delivery_mode="HYBRID"), provider, [], [], [], [], "http://x", offerings)
    document = ctdl.to_jsonld(view)
    assert ctdl_vocabulary.misuses(document) == []
    (place,) = document["ceterms:availableAt"]
    assert (place["ceterms:addressLocality"], place["ceterms:latitude"]) == ({"und": "Sudbury"}, 46.49)
