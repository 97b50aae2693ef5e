"""Reading CTDL written by other publishers: the shapes the Credential Registry allows, every
credential class, what is carried and what is reported."""

from __future__ import annotations

import io
import json
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from registry.domain.errors import Problem
from registry.domain.listings import MAX_ITEMS, REQUIRED_TO_PUBLISH, check_changes
from registry.domain.records import CostItem, Occupation, Provider, Skill
from registry.interop import ctdl, ctdl_costs, ctdl_import
from registry.interop.ctdl_report import FOR_PUBLICATION
from registry.interop.ctdl_types import SUPPORTED
from registry.interop.listing_view import ListingView
from tests.support.records import a_listing

SCHEMA = Path(__file__).resolve().parents[2] / "registry" / "interop" / "contexts" / "ctdl-schema.json"
CTID = "ce-5f3c1d2e-8a4b-4c6d-9e0f-1a2b3c4d5e6f"
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
# Only what a draft needs: a name, a page, a CTID.
SPARSE = {
    "@type": "ceterms:MicroCredential",
    "ceterms:ctid": CTID,
    "ceterms:name": {"en": "Forklift safety"},
    "ceterms:subjectWebpage": "https://example.ca/forklift",
}


def _rows(document) -> list:
    unknown, rows = ctdl_import.read(io.StringIO(json.dumps(document)))
    return list(rows)


def _row(**properties):
    (row,) = _rows(SPARSE | properties)
    return row


def _notes(row, code: str | None = None) -> set[str]:
    return {p.field[1] for p in row.notes if code is None or p.code == code}


def _cost(kind: str | None, price, currency="USD", **more) -> dict:
    profile = {"@type": "ceterms:CostProfile", "ceterms:price": price, "ceterms:currency": currency, **more}
    if kind:
        profile["ceterms:directCostType"] = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": kind}
    return profile


def test_a_graph_with_plain_strings_and_bare_concepts_reads_as_a_listing():
    (row,) = _rows({"@context": "https://credreg.net/ctdl/schema/context/json", "@graph": [CREDENTIAL, ASSESSMENT]})
    c = row.changes
    assert not row.problems
    assert (c.external_id, c.credential_type, c.title) == ("ce-1", "CERTIFICATE", {"en": "Welding Safety"})
    assert c.description == {"en-US": "Safe welding.", "fr": "Soudage sécuritaire."}
    assert (c.delivery_mode, c.pace, c.assessment, c.languages) == ("IN_PERSON", "SCHEDULED", "EXAM", ["en"])
    assert (c.workload_hours, c.duration_weeks) == (45.0, 13.0)


def test_values_without_a_registry_equivalent_are_noted_not_dropped():
    (row,) = _rows(CREDENTIAL | {"ceterms:dateEffective": "2024-01-01"})
    noted = {(p.field[1], p.code) for p in row.notes}
    assert ("ceterms:audienceType", "UNMAPPED_VALUE") in noted
    assert ("ceterms:occupationType", "UNMAPPED_VALUE") in noted
    assert ("ceterms:dateEffective", "NOT_CARRIED") in noted
    assert row.changes.audiences is None and row.changes.occupation_codes is None


# Classes


def test_every_ctdl_credential_class_and_the_learning_opportunities_are_read():
    classes = {n["@id"]: n for n in json.loads(SCHEMA.read_text())["@graph"] if n.get("@type") == "rdfs:Class"}

    def reaches_credential(name: str) -> bool:
        parents = classes.get(name, {}).get("rdfs:subClassOf", [])
        return name == "ceterms:Credential" or any(reaches_credential(p) for p in parents)

    credentials = {name for name in classes if reaches_credential(name)}
    learning = {"ceterms:Course", "ceterms:LearningProgram", "ceterms:LearningOpportunityProfile"}
    assert SUPPORTED == credentials | learning


def test_a_professional_certificate_is_a_certificate_with_a_note_naming_its_class():
    row = _row(**{"@type": "ceterms:ProfessionalCertificate"})
    assert row.changes.credential_type == "CERTIFICATE" and not row.problems
    assert any("ceterms:ProfessionalCertificate" in p.message for p in row.notes if p.code == "NEAREST_TYPE")


def test_a_bachelor_degree_is_a_certificate_with_a_note():
    row = _row(**{"@type": "ceterms:BachelorDegree"})
    assert row.changes.credential_type == "CERTIFICATE" and "@type" in _notes(row, "NEAREST_TYPE")


def test_an_open_badge_is_a_digital_badge():
    assert _row(**{"@type": "ceterms:OpenBadge"}).changes.credential_type == "DIGITAL_BADGE"


def test_a_learning_program_is_a_course_with_a_note():
    row = _row(**{"@type": "ceterms:LearningProgram"})
    assert row.changes.credential_type == "COURSE" and "@type" in _notes(row, "NEAREST_TYPE")


@pytest.mark.parametrize(
    "ctdl_class, kind",
    [*((node, kind) for kind, node in ctdl.TYPES.items()), ("ceterms:Course", "COURSE")],
)
def test_the_exports_classes_and_a_course_are_read_without_a_note(ctdl_class, kind):
    row = _row(**{"@type": ctdl_class})
    assert row.changes.credential_type == kind and "@type" not in _notes(row)


def test_an_object_of_an_unsupported_class_is_one_failed_row():
    (row,) = _rows({"@type": "ceterms:CredentialOrganization", "ceterms:name": {"en": "Lakeside"}})
    assert [(p.field[1], p.code) for p in row.problems] == [("@type", "UNSUPPORTED_TYPE")]


def test_a_file_that_is_not_json_is_one_failed_object():
    _, rows = ctdl_import.read(io.StringIO("{not json"))
    assert next(rows).problems[0].code == "NOT_JSON"


# Documents of several objects


def test_a_file_of_three_objects_reports_on_all_three():
    participation = SPARSE | {"@type": "ceterms:CertificateOfParticipation", "ceterms:ctid": None}
    organization = {"@type": "ceterms:CredentialOrganization", "ceterms:name": {"en": "Lakeside"}}
    rows = _rows([SPARSE, participation, organization])
    assert [row.line for row in rows] == [1, 2, 3]
    assert [row.changes.credential_type for row in rows] == ["MICRO_CREDENTIAL", "CERTIFICATE", None]
    assert "@type" in _notes(rows[1], "NEAREST_TYPE")
    assert [p.code for p in rows[2].problems] == ["UNSUPPORTED_TYPE"]


def test_graph_nodes_that_are_only_referred_to_never_become_rows():
    degree = {"@id": "_:degree", "@type": "ceterms:BachelorDegree", "ceterms:name": {"en": "BSc"}}
    body = {"@id": "_:qa", "@type": "ceterms:QACredentialOrganization", "ceterms:name": {"en": "Council"}}
    preparing = {"@type": "ceterms:ConditionProfile", "ceterms:targetCredential": ["_:degree"]}
    credential = SPARSE | {"@id": "_:mc", "ceterms:isPreparationFor": [preparing], "ceterms:recognizedBy": ["_:qa"]}
    (row,) = _rows({"@graph": [credential, degree, body]})
    assert row.line == 1 and row.changes.ctid == CTID
    assert any("'BSc'" in p.message for p in row.notes if p.code == "REFERENCED_ONLY")


def test_objects_of_a_list_that_refer_to_each_other_are_each_a_row():
    part = SPARSE | {"@id": "https://example.ca/part", "ceterms:ctid": None}
    whole = SPARSE | {"@id": "https://example.ca/whole", "ceterms:hasPart": ["https://example.ca/part"]}
    rows = _rows([whole, part])
    assert [row.line for row in rows] == [1, 2] and not any(p.code == "REFERENCED_ONLY" for p in rows[0].notes)


def test_a_graph_node_of_an_unsupported_class_that_nothing_refers_to_is_reported():
    organization = {"@id": "_:org", "@type": "ceterms:CredentialOrganization", "ceterms:name": {"en": "Lakeside"}}
    rows = _rows({"@graph": [organization, SPARSE]})
    assert [(row.line, [p.code for p in row.problems]) for row in rows] == [(1, ["UNSUPPORTED_TYPE"]), (2, [])]


def test_a_graph_whose_objects_all_refer_to_each_other_imports_its_first():
    whole = SPARSE | {"@id": "_:whole", "ceterms:hasPart": ["_:part"]}
    part = SPARSE | {"@id": "_:part", "ceterms:isPartOf": ["_:whole"], "ceterms:ctid": None}
    (row,) = _rows({"@graph": [whole, part]})
    assert row.line == 1 and row.changes.ctid == CTID


# Publication


def test_an_object_lacking_what_publication_needs_is_a_row_noting_each_missing_field():
    row = _row()
    assert not row.problems and row.changes.title == {"en": "Forklift safety"}
    assert _notes(row, "MISSING_FOR_PUBLICATION") == set(FOR_PUBLICATION)


def test_what_publication_requires_is_all_noted_when_missing():
    required = {name.split("_")[0] + "".join(p.title() for p in name.split("_")[1:]) for name in REQUIRED_TO_PUBLISH}
    assert required <= set(FOR_PUBLICATION)


# Hours


def test_a_credit_value_of_60_hours_is_the_workload():
    hours = {"@type": "schema:QuantitativeValue", "schema:value": 60, "schema:unitText": "hours"}
    row = _row(**{"ceterms:creditValue": [hours]})
    assert row.changes.workload_hours == 60 and "workloadHours" not in _notes(row)


def test_a_credit_value_in_clock_hours_under_requires_is_the_workload():
    value = {"@type": "ceterms:ValueProfile", "schema:value": 30, "ceterms:creditUnitType": ["creditUnit:ClockHour"]}
    row = _row(**{"ceterms:requires": [{"@type": "ceterms:ConditionProfile", "ceterms:creditValue": [value]}]})
    assert row.changes.workload_hours == 30


def test_a_credit_value_in_semester_hours_is_noted_not_taken_as_hours():
    value = {"@type": "ceterms:ValueProfile", "schema:value": 3, "ceterms:creditUnitType": ["creditUnit:SemesterHour"]}
    row = _row(**{"ceterms:creditValue": [value]})
    assert row.changes.workload_hours is None and "ceterms:creditValue" in _notes(row, "UNMAPPED_VALUE")


def test_an_estimated_duration_in_hours_is_the_workload():
    row = _row(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "PT60H"}]})
    assert row.changes.workload_hours == 60


def test_time_required_is_the_workload():
    assert _row(**{"schema:timeRequired": "PT12H"}).changes.workload_hours == 12
    profile = {"@type": "ceterms:DurationProfile", "ceterms:timeRequired": "PT20H"}
    assert _row(**{"ceterms:estimatedDuration": [profile]}).changes.workload_hours == 20


def test_hours_that_disagree_with_the_estimated_duration_are_noted():
    hours = {"@type": "schema:QuantitativeValue", "schema:value": 60, "schema:unitText": "hours"}
    row = _row(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "PT45H"}], "ceterms:creditValue": [hours]})
    assert row.changes.workload_hours == 45 and "ceterms:creditValue" in _notes(row, "OTHER_WORKLOAD")


def test_ects_credits_are_a_credit_value_described_as_ects():
    value = {"@type": "ceterms:ValueProfile", "schema:value": 2, "schema:description": {"en": "ECTS credits"}}
    row = _row(**{"ceterms:requires": [{"@type": "ceterms:ConditionProfile", "ceterms:creditValue": [value]}]})
    assert row.changes.ects_credits == 2 and row.changes.workload_hours is None


def test_a_bad_duration_is_noted_on_its_property():
    row = _row(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "forty hours"}]})
    assert not row.problems and "ceterms:estimatedDuration/ceterms:exactDuration" in _notes(row, "INVALID_DURATION")


# Occupations


def test_noc_72402_in_the_esdc_framework_is_an_occupation():
    noc = {"ceterms:framework": "https://noc.esdc.gc.ca/", "ceterms:codedNotation": "72402"}
    assert _row(**{"ceterms:occupationType": [noc]}).changes.occupation_codes == ["72402"]


def test_a_noc_code_is_an_occupation_by_the_framework_name():
    noc = {"ceterms:frameworkName": {"en": "NOC 2021"}, "ceterms:codedNotation": "21223"}
    assert _row(**{"ceterms:occupationType": [noc]}).changes.occupation_codes == ["21223"]


def test_an_occupation_of_another_classification_is_noted():
    soc = {"ceterms:framework": "https://www.bls.gov/soc/", "ceterms:codedNotation": "15-1251.00"}
    row = _row(**{"ceterms:occupationType": [soc]})
    assert row.changes.occupation_codes is None and "ceterms:occupationType" in _notes(row, "UNMAPPED_VALUE")


# Keywords


def test_keywords_are_kept_by_language():
    row = _row(**{"ceterms:keyword": {"en": ["welding", "safety"], "fr": ["soudage"]}})
    assert row.changes.keywords == {"en": ["welding", "safety"], "fr": ["soudage"]}


def test_plain_string_keywords_are_english():
    assert _row(**{"ceterms:keyword": ["welding", "safety"]}).changes.keywords == {"en": ["welding", "safety"]}


def test_keywords_beyond_what_a_listing_takes_are_left_out_with_a_note():
    row = _row(**{"ceterms:keyword": {"en": [f"word {n}" for n in range(40)]}})
    assert len(row.changes.keywords["en"]) == 30 and "ceterms:keyword" in _notes(row, "KEYWORDS_LEFT_OUT")


# Costs


def test_the_tuition_is_the_cost_and_an_application_fee_a_cost_item():
    costs = [_cost("costType:Application", 100), _cost("costType:Tuition", 12999)]
    c = _row(**{"ceterms:estimatedCost": costs}).changes
    assert (c.cost_amount, c.cost_currency) == (12999, "USD")
    assert c.cost_items == [CostItem("APPLICATION", 100, "USD")]


def test_the_aggregate_cost_is_the_cost_when_there_is_no_tuition():
    costs = [_cost("costType:TechnologyFee", 50), _cost("costType:AggregateCost", 4485)]
    c = _row(**{"ceterms:estimatedCost": costs}).changes
    assert c.cost_amount == 4485 and [i.type for i in c.cost_items] == ["TECHNOLOGY"]


def test_a_single_untyped_cost_is_the_cost():
    c = _row(**{"ceterms:estimatedCost": [_cost(None, 230, "CAD")]}).changes
    assert (c.cost_amount, c.cost_currency, c.cost_items) == (230, "CAD", None)


def test_a_cost_type_without_a_registry_type_is_other_with_a_note_naming_it():
    row = _row(**{"ceterms:estimatedCost": [_cost("costType:Tuition", 900), _cost("costType:ProcessingFee", 25)]})
    assert [i.type for i in row.changes.cost_items] == ["OTHER"]
    assert any("costType:ProcessingFee" in p.message for p in row.notes if p.code == "NEAREST_COST_TYPE")


def test_a_cost_item_keeps_its_description():
    costs = [_cost("costType:Tuition", 900), _cost("costType:Meals", 300, **{"ceterms:description": {"en": "Lunch"}})]
    (item,) = _row(**{"ceterms:estimatedCost": costs}).changes.cost_items
    assert (item.type, item.description) == ("ROOM_AND_BOARD", {"en": "Lunch"})


@pytest.mark.parametrize(
    "written, code",
    [("US Dollar", "USD"), ("U.S. dollars", "USD"), ("Canadian Dollar", "CAD"), ("Euro", "EUR"),
     ("Pound Sterling", "GBP"), ("cad", "CAD"), ("$", None), ("Dollar", None)],
)  # fmt: skip
def test_currencies_are_iso_codes_when_the_name_is_unambiguous(written, code):
    assert ctdl_costs.currency_code(written) == code


def test_a_cost_in_an_unknown_currency_is_left_out_with_a_note():
    row = _row(**{"ceterms:estimatedCost": [_cost("costType:Tuition", 900, "$")]})
    assert row.changes.cost_amount is None and "ceterms:estimatedCost" in _notes(row, "UNKNOWN_CURRENCY")


def test_properties_of_a_cost_profile_not_carried_are_noted_by_their_path():
    costs = [_cost("costType:Tuition", 900, **{"ceterms:costDetails": "https://example.ca/costs"})]
    assert "ceterms:estimatedCost/ceterms:costDetails" in _notes(
        _row(**{"ceterms:estimatedCost": costs}), "NOT_CARRIED"
    )


# Requirements


def test_the_award_criteria_are_never_the_prerequisites():
    curriculum = {"@type": "ceterms:ConditionProfile", "ceterms:name": {"en": "Curriculum"}, "ceterms:description": "x"}
    row = _row(**{"ceterms:requires": [curriculum]})
    assert row.changes.prerequisites is None and "ceterms:requires/ceterms:description" in _notes(row, "NOT_CARRIED")


def test_an_entry_condition_is_the_prerequisites_with_each_condition_on_a_line():
    entry = {
        "@type": "ceterms:ConditionProfile",
        "ceterms:description": {"en": "What you need."},
        "ceterms:condition": {"en": ["High-school mathematics", "A computer"]},
    }
    row = _row(**{"ceterms:entryCondition": [entry]})
    assert row.changes.prerequisites == {"en": "What you need.\nHigh-school mathematics\nA computer"}


def test_a_requirement_named_as_prerequisites_is_the_prerequisites():
    named = {"@type": "ceterms:ConditionProfile", "ceterms:name": "Program Prerequisites", "ceterms:description": "x"}
    assert _row(**{"ceterms:requires": [named]}).changes.prerequisites == {"en": "x"}


def test_properties_nested_in_requires_are_noted_by_their_path():
    profile = {
        "@type": "ceterms:ConditionProfile",
        "ceterms:condition": {"en": ["Pass the exam"]},
        "ceterms:targetLearningOpportunity": ["https://example.ca/course"],
        "ceterms:audienceLevelType": ["audLevel:BeginnerLevel"],
        "ceterms:assertedBy": ["https://example.ca/org"],
    }
    noted = _notes(_row(**{"ceterms:requires": [profile]}), "NOT_CARRIED")
    nested = ("condition", "targetLearningOpportunity", "audienceLevelType", "assertedBy")
    assert {f"ceterms:requires/ceterms:{name}" for name in nested} <= noted


def test_a_competency_of_another_framework_is_a_learning_outcome_and_its_code_is_noted():
    competency = {
        "ceterms:framework": "https://esco.example/",
        "ceterms:codedNotation": "S1.2",
        "ceterms:targetNodeName": "Weld",
    }
    row = _row(**{"ceterms:requires": [{"ceterms:targetCompetency": [competency]}]})
    assert row.changes.learning_outcomes == [{"en": "Weld"}] and row.skill_codes == []
    assert "ceterms:requires/ceterms:targetCompetency/ceterms:codedNotation" in _notes(row, "NOT_CARRIED")


# Identity, languages, page


def test_the_ctid_is_kept_and_is_the_external_id_without_an_identifier():
    row = _row()
    assert (row.changes.ctid, row.changes.external_id) == (CTID, CTID)


def test_the_external_id_is_the_identifier_code():
    identifier = {"@type": "ceterms:IdentifierValue", "ceterms:identifierValueCode": "FORK-1"}
    assert _row(**{"ceterms:identifier": [identifier]}).changes.external_id == "FORK-1"


def test_an_invalid_ctid_is_noted_and_not_kept():
    row = _row(**{"ceterms:ctid": "ce-NOT-A-UUID"})
    assert row.changes.ctid is None and "ceterms:ctid" in _notes(row, "INVALID_CTID")


def test_language_names_are_tags_and_tags_are_kept():
    row = _row(**{"ceterms:inLanguage": ["English", "Français", "en-US"]})
    assert row.changes.languages == ["en", "fr", "en-US"]


def test_a_language_that_is_neither_a_tag_nor_a_known_name_is_noted():
    row = _row(**{"ceterms:inLanguage": ["Klingon language"]})
    assert row.changes.languages is None and "ceterms:inLanguage" in _notes(row, "UNKNOWN_LANGUAGE")


def test_an_http_page_is_kept_with_a_note_that_https_is_expected():
    row = _row(**{"ceterms:subjectWebpage": "http://example.ca/forklift"})
    assert row.changes.url == "http://example.ca/forklift" and "ceterms:subjectWebpage" in _notes(row, "INSECURE_URL")


def test_without_a_page_the_ctids_credential_registry_page_is_the_page():
    row = _row(**{"ceterms:subjectWebpage": None})
    assert row.changes.url == f"https://credentialengineregistry.org/resources/{CTID}"
    assert "ceterms:subjectWebpage" in _notes(row, "PAGE_FROM_CTID")


def test_without_a_page_or_a_ctid_the_object_fails():
    row = _row(**{"ceterms:subjectWebpage": None, "ceterms:ctid": None})
    assert [(p.field[1], p.code) for p in row.problems] == [("ceterms:subjectWebpage", "NO_PAGE")]


def test_a_status_other_than_active_is_noted():
    status = {"@type": "ceterms:CredentialAlignmentObject", "ceterms:targetNode": "credentialStat:Deprecated"}
    assert "ceterms:credentialStatusType" in _notes(_row(**{"ceterms:credentialStatusType": status}))


def test_problems_on_listing_fields_name_the_ctdl_property():
    named = {name: ctdl_import.property_of(Problem(("credential", name), "X", "")) for name in ("ctid", "keywords")}
    assert named == {"ctid": "ceterms:ctid", "keywords": "ceterms:keyword"}


# The export read back


def test_a_listing_exported_as_ctdl_reads_back_field_for_field_with_nothing_left_over():
    listing = a_listing(
        status="PUBLISHED",
        learning_outcomes=[{"en": "Build a dashboard.", "fr": "Construire un tableau de bord."}],
        ects_credits=2.0,
        duration_weeks=6.0,
        cost_amount=1299.0,
        cost_currency="CAD",
        cost_items=[
            CostItem("APPLICATION", 100.0, "CAD", {"en": "Application fee"}),
            CostItem("MATERIALS", 40.0, "CAD"),
        ],
        prerequisites={"en": "Spreadsheets", "fr": "Tableurs"},
        audiences=["NEWCOMERS"],
        funding_programs=["Better Jobs"],
        keywords={"en": ["data", "dashboards"], "fr": ["données"]},
    )
    now = datetime.now(UTC)
    provider = Provider(uuid.uuid4(), "lakeside", {"en": "Lakeside"}, "COLLEGE", "CA-ON", None, now, now)
    skill = Skill(uuid.uuid4(), "MCR", "data-viz", {"en": "Data visualisation"})
    occupation = Occupation(uuid.uuid4(), "NOC", "21223", {"en": "Database analysts"})
    view = ListingView(listing, provider, [skill], [occupation], [], [], "http://127.0.0.1:8000")

    (row,) = _rows(ctdl.to_jsonld(view))
    assert (row.problems, row.notes, row.skill_codes) == ([], [], ["data-viz"])
    read_back = row.changes.given()
    assert read_back.pop("occupation_codes") == ["21223"]
    assert read_back == {name: getattr(listing, name) for name in read_back}


# What a hostile or careless document must not do: each object imports as far as it can, and
# what the registry would refuse is left out (or trimmed) with a note, never passed on.

BASE = {
    "@type": "ceterms:MicroCredential",
    "ceterms:ctid": "ce-11111111-1111-4111-8111-111111111111",
    "ceterms:name": {"en": "T"},
    "ceterms:subjectWebpage": "https://x.example/a",
}


def _base(**properties):
    (row,) = _rows(BASE | properties)
    assert not row.problems and check_changes(row.changes, creating=True) == []
    return row


def _messages(row, code: str) -> str:
    return " ".join(p.message for p in row.notes if p.code == code)


def test_a_cost_without_a_currency_is_no_cost_and_the_note_says_why():
    row = _base(**{"ceterms:estimatedCost": [{"ceterms:price": 100}]})
    assert (row.changes.cost_amount, row.changes.cost_currency) == (None, None)
    assert "ceterms:estimatedCost" in _notes(row, "NO_CURRENCY") and "currency" in _messages(row, "NO_CURRENCY")
    item = {"ceterms:price": 50, "ceterms:directCostType": "costType:Application"}
    row = _base(**{"ceterms:estimatedCost": [_cost("costType:Tuition", 900), item]})
    assert (row.changes.cost_amount, row.changes.cost_items) == (900, None) and "50" in _messages(row, "NO_CURRENCY")


def test_a_document_nested_too_deep_is_one_failed_row():
    _, rows = ctdl_import.read(io.StringIO("[" * 100_000 + "]" * 100_000))
    assert [[p.code for p in row.problems] for row in rows] == [["TOO_DEEP"]]
    deep = json.dumps({"@graph": [BASE | {"ceterms:keyword": "X"}]}).replace('"X"', "[" * 990 + "]" * 990)
    _, rows = ctdl_import.read(io.StringIO(deep))
    assert [[p.code for p in row.problems] for row in rows] == [["TOO_DEEP"]]


def test_a_graph_of_20000_courses_reads_each_as_its_own_listing():
    courses = [
        BASE | {"@id": f"_:c{n}", "@type": "ceterms:Course", "ceterms:ctid": f"ce-{uuid.UUID(int=n)}"}
        for n in range(20_000)
    ]
    rows = _rows({"@graph": courses})
    assert [row.line for row in rows] == list(range(1, 20_001))
    assert len({row.changes.ctid for row in rows}) == 20_000 and not any(row.problems for row in rows)


def test_an_upper_case_ctid_is_the_lower_case_ctid_with_a_note():
    upper = _base(**{"ceterms:ctid": "CE-ABCDEF01-1111-4111-8111-11111111111A"})
    lower = _base(**{"ceterms:ctid": "ce-abcdef01-1111-4111-8111-11111111111a"})
    assert (upper.changes.ctid, upper.changes.external_id) == ("ce-abcdef01-1111-4111-8111-11111111111a",) * 2
    assert upper.changes == lower.changes and "ceterms:ctid" in _notes(upper, "CTID_LOWER_CASED")


def test_null_is_no_text():
    row = _base(**{"ceterms:name": {"en": None, "fr": "F"}, "ceterms:keyword": ["a", None]})
    assert (row.changes.title, row.changes.keywords) == ({"fr": "F"}, {"en": ["a"]})
    (row,) = _rows(BASE | {"ceterms:name": {"en": None}, "ceterms:keyword": {"en": [None]}})
    assert (row.changes.title, row.changes.keywords) == (None, None) and not row.problems
    assert {"ceterms:name", "ceterms:keyword"} <= _notes(row, "NO_TEXT")


def test_a_malformed_duration_is_a_note_and_a_mixed_one_is_a_calendar_length_with_a_note():
    row = _base(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "PT1.2.3H"}]})
    assert "ceterms:estimatedDuration/ceterms:exactDuration" in _notes(row, "INVALID_DURATION")
    row = _base(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "P1Y2MT3H"}]})
    assert (row.changes.duration_weeks, row.changes.workload_hours) == (60.7, None)
    assert "3 hours" in _messages(row, "MIXED_DURATION")


def test_prices_are_rounded_to_cents_with_a_note():
    costs = [_cost("costType:Tuition", 12.345), _cost("costType:Application", "19.999"), _cost("costType:Meals", 5)]
    row = _base(**{"ceterms:estimatedCost": costs})
    assert row.changes.cost_amount == 12.35
    assert [i.amount for i in row.changes.cost_items] == [20.0, 5.0]
    assert "12.345" in _messages(row, "PRICE_ROUNDED") and "19.999" in _messages(row, "PRICE_ROUNDED")


def test_numbers_that_are_not_finite_are_noted_and_left_out():
    hours = {"@type": "schema:QuantitativeValue", "schema:value": float("nan"), "schema:unitText": "hours"}
    ects = {"@type": "schema:QuantitativeValue", "schema:value": float("inf"), "schema:description": "ECTS"}
    costs = [_cost("costType:Tuition", float("nan")), _cost("costType:Application", float("-inf"))]
    row = _base(**{"ceterms:estimatedCost": costs, "ceterms:creditValue": [hours, ects]})
    c = row.changes
    assert (c.cost_amount, c.cost_items, c.workload_hours, c.ects_credits) == (None, None, None, None)
    assert {"ceterms:estimatedCost", "ceterms:creditValue"} <= _notes(row, "NOT_A_NUMBER")


def test_more_competencies_and_costs_than_a_listing_holds_are_trimmed_with_a_note():
    competencies = [{"ceterms:targetNodeName": f"Outcome {n}"} for n in range(35)]
    costs = [_cost("costType:Application", n + 1) for n in range(25)]
    row = _base(**{"ceterms:requires": [{"ceterms:targetCompetency": competencies}], "ceterms:estimatedCost": costs})
    assert len(row.changes.learning_outcomes) == MAX_ITEMS["learning_outcomes"]
    assert len(row.changes.cost_items) == MAX_ITEMS["cost_items"]
    assert row.changes.learning_outcomes[-1] == {"en": f"Outcome {MAX_ITEMS['learning_outcomes'] - 1}"}
    left_out = _messages(row, "ITEMS_LEFT_OUT")
    assert "5 were left out" in left_out and "5 were left out" in left_out.split("cost")[-1]


def test_language_keys_written_the_ways_publishers_write_them_are_tags():
    row = _base(**{"ceterms:name": {"en_US": "T", "fr": "F"}, "ceterms:description": {"@none": "D"}})
    assert (row.changes.title, row.changes.description) == ({"en-US": "T", "fr": "F"}, {"en": "D"})
    assert _base(**{"ceterms:keyword": {"fr_CA": ["mot"]}}).changes.keywords == {"fr-CA": ["mot"]}


def test_a_zero_duration_is_no_duration_with_a_note():
    row = _base(**{"ceterms:estimatedDuration": [{"ceterms:exactDuration": "PT0H"}, {"ceterms:exactDuration": "P0W"}]})
    assert (row.changes.workload_hours, row.changes.duration_weeks) == (None, None)
    assert "ceterms:estimatedDuration/ceterms:exactDuration" in _notes(row, "ZERO_DURATION")


# Owners and deliverers


def test_organisations_offering_it_besides_its_owner_are_noted_as_partners_not_imported():
    owner = "https://example.ca/resources/ce-org-1"
    row = _row(**{"ceterms:ownedBy": [owner], "ceterms:offeredBy": [owner, {"@id": "https://example.ca/org-2"}]})
    assert _notes(row, "PARTNERS_NOT_IMPORTED") == {"ceterms:offeredBy"}
    assert row.changes.offered_by_provider_ids is None


def test_an_owner_that_also_offers_it_is_no_partner():
    owner = "https://example.ca/resources/ce-org-1"
    row = _row(**{"ceterms:ownedBy": [owner], "ceterms:offeredBy": [{"@id": owner}]})
    assert not _notes(row, "PARTNERS_NOT_IMPORTED") and not _notes(row, "NOT_CARRIED")
