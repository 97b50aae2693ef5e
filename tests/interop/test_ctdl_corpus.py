"""Credential Engine's published ingest examples (fixtures/credential_engine, see SOURCES.md
there), read as an import reads them: what each document gives the listing, and what the
report says of the rest. The import's notes are the contract here: each property not carried
is named (nested ones by their path), each field publication needs and the document lacks
is named, and nothing is dropped in silence."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.domain.listings import ListingChanges
from registry.domain.records import Credential, Provider
from registry.interop import ctdl, ctdl_import
from registry.interop.listing_view import ListingView
from tests.support.records import a_listing

CORPUS = Path(__file__).parent / "fixtures" / "credential_engine"
SUPPORTED = [
    "Credential-1.json",
    "Credential-1-graph.json",
    "LearningProgram-1.json",
    "LearningProgram-1-graph.json",
    "LearningProgram-2.json",
    "Course-1a.json",
    "Course-1b.json",
    "Course-1c.json",
]
# What a learning opportunity of the corpus never states: the registry asks for it to publish.
UNSTATED = {"workloadHours", "pace", "assessment", "learningOutcomes", "level", "qualityAssurance"}
DEGREE_NOT_CARRIED = {
    "ceterms:requires/ceterms:name",
    "ceterms:requires/ceterms:assertedBy",
    "ceterms:requires/ceterms:description",
    "ceterms:requires/ceterms:targetLearningOpportunity",
    "ceterms:audienceLevelType",
}
PROGRAM_1_NOT_CARRIED = {
    "ceterms:requires/ceterms:name",
    "ceterms:requires/ceterms:assertedBy",
    "ceterms:isNonCredit",
    "ceterms:estimatedCost/ceterms:name",
    "ceterms:estimatedCost/ceterms:costDetails",
    "ceterms:estimatedCost/ceterms:description",
    "ceterms:audienceLevelType",
    "ceterms:availableOnlineAt",
    "ceterms:estimatedDuration/ceterms:description",
    "ceterms:deliveryTypeDescription",
}
COURSE_1BC_NOT_CARRIED = {
    "ceterms:estimatedCost/ceterms:name",
    "ceterms:estimatedCost/ceterms:costDetails",
    "ceterms:estimatedCost/ceterms:description",
    "ceterms:entryCondition/ceterms:name",
    "ceterms:entryCondition/ceterms:assertedBy",
    "ceterms:entryCondition/ceterms:subjectWebpage",
    "ceterms:entryCondition/ceterms:targetLearningOpportunity",
    "ceterms:availableOnlineAt",
}


def _read(name: str) -> list:
    with open(CORPUS / name, encoding="utf-8") as source:
        _, rows = ctdl_import.read(source)
        return list(rows)


def _one(name: str):
    (row,) = _read(name)
    assert row.problems == []
    return row


def _reported(row, code: str) -> set[str]:
    return {p.field[1] for p in row.notes if p.code == code}


def _messages(row, code: str) -> list[str]:
    return [p.message for p in row.notes if p.code == code]


def _prose(name: str, length: int) -> str:
    """How the fixtures write the originals' longer prose (SOURCES.md)."""
    return f"[en-US of {name}, rewritten for the tests; about {length} characters in the original]"


# Credential/1: a BachelorDegree, recognised by a QA body, its page on http


def test_credential_1_is_a_draft_certificate_with_its_ctid_and_http_page():
    c = _one("Credential-1.json").changes
    ctid = "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
    assert (c.credential_type, c.ctid, c.external_id) == ("CERTIFICATE", ctid, ctid)
    assert c.title == {"en-US": "Bachelor of Science in Cybersecurity"}
    assert c.description == {"en-US": _prose("Bachelor of Science in Cybersecurity", 414)}
    assert (c.url, c.languages) == ("http://example.com/#bachelordegree", ["en"])
    assert c.prerequisites is None  # its only requirement is the curriculum: the award criteria


def test_credential_1_reports_its_class_recognition_page_and_the_curriculum_not_carried():
    row = _one("Credential-1.json")
    assert any("ceterms:BachelorDegree" in m for m in _messages(row, "NEAREST_TYPE"))
    assert _reported(row, "NOT_IMPORTED") == {"ceterms:recognizedBy"}
    assert _reported(row, "INSECURE_URL") == {"ceterms:subjectWebpage"}
    assert _reported(row, "NOT_CARRIED") == DEGREE_NOT_CARRIED
    assert _reported(row, "MISSING_FOR_PUBLICATION") == UNSTATED | {"deliveryMode"}


def test_credential_1_graph_imports_the_degree_and_not_the_qa_body_it_refers_to():
    (row,) = _read("Credential-1-graph.json")
    assert (row.line, row.problems) == (1, [])
    assert (row.changes.ctid, row.changes.url) == (
        "ce-8669d5c6-566b-4409-9fff-f09753605d13",
        "https://example.com/#bachelordegree",
    )


def test_credential_1_graph_reports_what_the_single_document_does_but_the_http_page():
    row = _one("Credential-1-graph.json")
    assert _reported(row, "NOT_IMPORTED") == {"ceterms:recognizedBy"}
    assert _reported(row, "NOT_CARRIED") == DEGREE_NOT_CARRIED and not _reported(row, "INSECURE_URL")


# LearningProgram/1: a program of three courses, an aggregate cost, nine months


def test_learning_program_1_is_a_course_with_its_aggregate_cost_length_delivery_and_prerequisites():
    c = _one("LearningProgram-1.json").changes
    assert (c.credential_type, c.ctid) == ("COURSE", "ce-23b0e606-545c-4383-8630-f97ec3b190fa")
    assert (c.cost_amount, c.cost_currency, c.cost_items) == (4485, "USD", None)
    assert (c.duration_weeks, c.workload_hours, c.delivery_mode) == (39.0, None, "HYBRID")
    assert c.prerequisites == {"en-US": _prose("Program Prerequisite Conditions", 74)}
    assert (c.languages, c.url) == (["en-US"], "https://example.com")


def test_learning_program_1_reports_its_parts_occupations_without_codes_and_what_is_not_carried():
    row = _one("LearningProgram-1.json")
    assert _reported(row, "NEAREST_TYPE") == {"@type"} and _reported(row, "NOT_IMPORTED") == {"ceterms:hasPart"}
    assert len(_messages(row, "UNMAPPED_VALUE")) == 4 and _reported(row, "UNMAPPED_VALUE") == {"ceterms:occupationType"}
    assert _reported(row, "NOT_CARRIED") == PROGRAM_1_NOT_CARRIED
    assert _reported(row, "MISSING_FOR_PUBLICATION") == UNSTATED


def test_learning_program_1_graph_imports_the_program_and_names_the_courses_it_has_as_parts():
    row = _one("LearningProgram-1-graph.json")
    assert row.changes == _one("LearningProgram-1.json").changes
    referred = " ".join(_messages(row, "REFERENCED_ONLY"))
    ctids = (
        "ce-7160aae4-5185-4564-95ab-428419974643",
        "ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1",
        "ce-991d72b1-c0fd-4d98-8294-6c47bc3a2122",
    )
    assert len(_messages(row, "REFERENCED_ONLY")) == 3 and all(ctid in referred for ctid in ctids)


# LearningProgram/2: admission requirements, a delivery concept CTDL does not have


def test_learning_program_2_is_a_course_with_its_cost_and_admission_requirements():
    c = _one("LearningProgram-2.json").changes
    assert (c.credential_type, c.ctid) == ("COURSE", "ce-602de2f0-3593-4b46-8386-85554cd582cd")
    assert (c.cost_amount, c.cost_currency, c.delivery_mode, c.duration_weeks) == (25000, "USD", None, None)
    assert c.prerequisites == {"en-US": _prose("Admission Requirements", 125)}


def test_learning_program_2_reports_the_unknown_delivery_concept_and_the_duration_with_no_length():
    row = _one("LearningProgram-2.json")
    assert any("deliveryType:OnlineDelivery" in m for m in _messages(row, "UNMAPPED_VALUE"))
    assert {"ceterms:isCreditBased", "ceterms:estimatedDuration/ceterms:description"} <= _reported(row, "NOT_CARRIED")
    assert _reported(row, "MISSING_FOR_PUBLICATION") == UNSTATED | {"deliveryMode"}


# The courses of LearningProgram/1: entry conditions, an enrollment fee, SOC occupations


def test_course_1a_keeps_its_enrollment_fee_as_a_cost_item_and_its_entry_condition():
    c = _one("Course-1a.json").changes
    assert (c.credential_type, c.ctid, c.delivery_mode) == (
        "COURSE",
        "ce-7160aae4-5185-4564-95ab-428419974643",
        "ONLINE",
    )
    assert c.cost_amount is None and [(i.type, i.amount, i.currency) for i in c.cost_items] == [
        ("ENROLLMENT", 995, "USD")
    ]
    assert c.prerequisites == {
        "en-US": _prose("Personal Growth Mastery prerequisite knowledge", 74)
        + "\nHigh-school level of mathematics knowledge"
    }


def test_course_1a_reports_its_soc_occupations_and_what_is_not_carried():
    row = _one("Course-1a.json")
    assert any("15-1131.00" in m for m in _messages(row, "UNMAPPED_VALUE"))
    assert _reported(row, "NOT_CARRIED") == {
        "ceterms:dateEffective",
        "ceterms:estimatedCost/ceterms:name",
        "ceterms:estimatedCost/ceterms:costDetails",
        "ceterms:entryCondition/ceterms:name",
        "ceterms:entryCondition/ceterms:assertedBy",
        "ceterms:entryCondition/ceterms:subjectWebpage",
        "ceterms:audienceLevelType",
        "ceterms:availableOnlineAt",
        "ceterms:deliveryTypeDescription",
    }
    assert _reported(row, "MISSING_FOR_PUBLICATION") == UNSTATED


@pytest.mark.parametrize(
    "name, ctid, tuition",
    [
        ("Course-1b.json", "ce-3c5e4bbc-40c3-44eb-90c2-3f27d98d88f1", 1495),
        ("Course-1c.json", "ce-991d72b1-c0fd-4d98-8294-6c47bc3a2122", 1995),
    ],
)
def test_courses_1b_and_1c_keep_their_tuition_and_both_entry_conditions(name, ctid, tuition):
    c = _one(name).changes
    assert (c.ctid, c.cost_amount, c.cost_currency, c.cost_items) == (ctid, tuition, "USD", None)
    assert c.prerequisites["en-US"].endswith(
        "\nHigh-school level of mathematics knowledge\nBasic familiarity with computers and the internet"
    )


@pytest.mark.parametrize("name", ["Course-1b.json", "Course-1c.json"])
def test_courses_1b_and_1c_report_the_courses_they_require_and_what_else_is_not_carried(name):
    row = _one(name)
    assert _reported(row, "NOT_CARRIED") == COURSE_1BC_NOT_CARRIED
    assert _reported(row, "MISSING_FOR_PUBLICATION") == UNSTATED | {"deliveryMode"}


# Organization/1, and a file of several


def test_organization_1_is_one_failed_row_saying_it_is_not_a_credential():
    (row,) = _read("Organization-1.json")
    assert [(p.field[1], p.code) for p in row.problems] == [("@type", "UNSUPPORTED_TYPE")]
    assert "ceterms:Organization" in row.problems[0].message


def test_a_file_of_three_corpus_objects_reports_on_all_three(tmp_path):
    objects = [
        json.loads((CORPUS / name).read_text())
        for name in ("Credential-1.json", "Organization-1.json", "Course-1a.json")
    ]
    path = tmp_path / "three.json"
    path.write_text(json.dumps(objects))
    with open(path, encoding="utf-8") as source:
        rows = list(ctdl_import.read(source)[1])
    assert [(row.line, row.changes.credential_type, [p.code for p in row.problems]) for row in rows] == [
        (1, "CERTIFICATE", []),
        (2, None, ["UNSUPPORTED_TYPE"]),
        (3, "COURSE", []),
    ]


# Re-exported


def _as_listing(changes: ListingChanges) -> Credential:
    """The listing an import of ``changes`` makes, as the store would return it."""
    unset = dict.fromkeys(
        ("level_framework", "level_value", "level_reason", "workload_hours", "ects_credits", "duration_weeks")
        + ("delivery_mode", "pace", "cost_amount", "cost_currency", "assessment", "quality_assurance", "prerequisites")
    )
    empty = {"description": {}, "keywords": {}} | {
        name: []
        for name in ("learning_outcomes", "languages", "regions", "audiences", "funding_programs", "cost_items")
    }
    given = {k: v for k, v in changes.given().items() if k not in ("skill_ids", "occupation_codes")}
    return a_listing(**(unset | empty | given))


@pytest.mark.parametrize("name", SUPPORTED)
def test_a_corpus_document_re_exported_reads_back_as_the_same_listing_with_its_ctid(name):
    changes = _one(name).changes
    now = datetime.now(UTC)
    provider = Provider(uuid.uuid4(), "example", {"en": "Example University"}, "UNIVERSITY", "CA-ON", None, now, now)
    view = ListingView(_as_listing(changes), provider, [], [], [], [], "http://127.0.0.1:8000")
    exported = ctdl.to_jsonld(view)
    assert exported["ceterms:ctid"] == changes.ctid
    (again,) = ctdl_import.read(io.StringIO(json.dumps(exported)))[1]
    assert again.changes == changes
