"""Reading CTDL written by other publishers: the shapes the Credential Registry allows."""

from __future__ import annotations

import io
import json

from registry.interop import ctdl_import

ASSESSMENT = {
    "@id": "_:exam",
    "@type": "ceterms:AssessmentProfile",
    "ceterms:assessmentMethodType": ["assessMethod:Exam"],
}
CREDENTIAL = {
    "@id": "https://example.ca/resources/ce-1",
    "@type": "ceterms:Certificate",
    "ceterms:ctid": "ce-1",
    "ceterms:name": "Welding Safety",
    "ceterms:description": {"en-US": "Safe welding.", "fr": "Soudage sécuritaire."},
    "ceterms:subjectWebpage": "https://example.ca/welding",
    "ceterms:inLanguage": "en",
    "ceterms:learningDeliveryType": ["deliveryType:InPerson"],
    "ceterms:learningMethodType": ["learnMethod:CohortBased"],
    "ceterms:estimatedDuration": [{"ceterms:exactDuration": "PT45H"}, {"ceterms:exactDuration": "P3M"}],
    "ceterms:requires": [{"@type": "ceterms:ConditionProfile", "ceterms:targetAssessment": [{"@id": "_:exam"}]}],
    "ceterms:audienceType": ["audience:CurrentMilitary"],
    "ceterms:occupationType": [
        {"ceterms:framework": "https://www.onetonline.org/", "ceterms:codedNotation": "51-4121"}
    ],
}


def _rows(document) -> list:
    unknown, rows = ctdl_import.read(io.StringIO(json.dumps(document)))
    return list(rows)


def test_a_graph_with_plain_strings_and_bare_concepts_reads_as_a_listing():
    (row,) = _rows({"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [CREDENTIAL, ASSESSMENT]})
    c = row.changes
    assert not row.problems
    assert (c.external_id, c.credential_type, c.title) == ("ce-1", "CERTIFICATE", {"en": "Welding Safety"})
    assert c.description == {"en-US": "Safe welding.", "fr": "Soudage sécuritaire."}
    assert (c.delivery_mode, c.pace, c.assessment, c.languages) == ("IN_PERSON", "SCHEDULED", "EXAM", ["en"])
    assert (c.workload_hours, c.duration_weeks) == (45.0, 13.0)


def test_values_without_a_registry_equivalent_are_noted_not_dropped():
    (row,) = _rows(CREDENTIAL | {"ceterms:keyword": ["welding"]})
    noted = {(p.field[1], p.code) for p in row.notes}
    assert ("ceterms:audienceType", "UNMAPPED_VALUE") in noted
    assert ("ceterms:occupationType", "UNMAPPED_VALUE") in noted
    assert ("ceterms:keyword", "UNKNOWN_PROPERTY") in noted
    assert row.changes.audiences is None and row.changes.occupation_codes is None


def test_a_credential_type_the_registry_does_not_list_is_refused():
    (row,) = _rows(CREDENTIAL | {"@type": "ceterms:BachelorDegree"})
    assert [(p.field[1], p.code) for p in row.problems] == [("@type", "UNSUPPORTED_TYPE")]


def test_a_bad_duration_is_reported_on_its_property():
    (row,) = _rows(CREDENTIAL | {"ceterms:estimatedDuration": [{"ceterms:exactDuration": "forty hours"}]})
    assert [(p.field[1], p.code) for p in row.problems] == [("ceterms:estimatedDuration", "INVALID_DURATION")]


def test_a_document_without_credentials_or_not_json_is_one_failed_object():
    (row,) = _rows({"@graph": [ASSESSMENT]})
    assert row.problems[0].code == "NO_CREDENTIAL"
    _, rows = ctdl_import.read(io.StringIO("{not json"))
    assert next(rows).problems[0].code == "NOT_JSON"
