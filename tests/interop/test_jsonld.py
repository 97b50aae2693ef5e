"""One listing in four vocabularies: CTDL, Open Badges 3.0, ELM and schema.org."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from registry.interop import schema_org
from tests.support import ctdl_vocabulary
from tests.support import demo_oracle as oracle
from tests.support.graphql import data

CONTEXTS = Path(__file__).resolve().parents[2] / "registry" / "interop" / "contexts"
QUERY = "query($id: ID!, $format: JsonLdFormat!) { credential(id: $id) { jsonLd(format: $format) } }"


def _rich():
    listings = oracle.listings()
    linked = {link.from_id for link in listings.links}
    recognized = {r.credential_id for r in listings.recognitions if r.is_active(date.today())}
    return next(
        c
        for c in oracle.published()
        if c.id in linked
        and c.credential_type != "COURSE"  # a schema.org Course, not a credential: see _course
        and c.id in recognized
        and c.level_framework == "EQF"
        and c.cost_amount
        and c.ects_credits
        and oracle.occupation_codes_of(c.id)
    )


async def jsonld(client, listing, format_name: str) -> dict:
    result = await data(client, QUERY, {"id": oracle.gid("Credential", listing.id), "format": format_name})
    return json.loads(result["credential"]["jsonLd"])


async def test_ctdl_has_the_minimum_data_and_the_listings_relations(demo_client):
    c = _rich()
    doc = await jsonld(demo_client, c, "CTDL")
    assert doc["@context"] == "https://credreg.net/ctdl/schema/context/json"
    assert doc["@type"].startswith("ceterms:") and doc["ceterms:ctid"] == f"ce-{c.id}"
    assert re.fullmatch(r"ce-[0-9a-f-]{36}", doc["ceterms:ctid"])
    assert doc["ceterms:name"] == c.title and doc["ceterms:subjectWebpage"] == c.url
    assert doc["ceterms:inLanguage"] == c.languages and doc["ceterms:ownedBy"]
    assert doc["ceterms:credentialStatusType"]["ceterms:targetNode"] == "credentialStat:Active"
    assert doc["ceterms:estimatedCost"][0]["ceterms:price"] == c.cost_amount
    assert {o["ceterms:codedNotation"] for o in doc["ceterms:occupationType"]} == oracle.occupation_codes_of(c.id)
    assert doc.get("ceterms:recognizedBy") or doc.get("ceterms:accreditedBy")
    assert any(key in doc for key in ("ceterms:isPartOf", "ceterms:isPreparationFor", "ceterms:supersedes"))


async def test_ctdl_carries_every_field_of_the_listing(demo_client):
    c = _rich()
    doc = await jsonld(demo_client, c, "CTDL")
    earning = doc["ceterms:requires"][0]
    assessment = earning["ceterms:targetAssessment"][0]["ceterms:assessmentMethodType"][0]
    competencies = earning["ceterms:targetCompetency"]
    assert doc["ceterms:learningMethodType"][0]["ceterms:codedNotation"] == c.pace
    assert assessment["ceterms:codedNotation"] == c.assessment
    assert assessment.get("ceterms:targetNode", "assessMethod:").startswith("assessMethod:")
    assert doc["ceterms:atLevel"][0]["ceterms:codedNotation"] == c.level_value
    assert [
        x["ceterms:targetNodeName"] for x in competencies if "ceterms:codedNotation" not in x
    ] == c.learning_outcomes
    codes = {skill.id: skill.code for skill in oracle.ref().skills}
    assert {x["ceterms:codedNotation"] for x in competencies if "ceterms:codedNotation" in x} == {
        codes[skill] for skill in oracle.skill_ids_of(c.id)
    }
    assert earning["ceterms:creditValue"][0]["schema:value"] == c.ects_credits
    assert [
        p["ceterms:mainJurisdiction"][0]["ceterms:addressRegion"]["en"] for p in doc["ceterms:offeredIn"]
    ] == c.regions
    assert [a["ceterms:codedNotation"] for a in doc.get("ceterms:audienceType", [])] == c.audiences
    assert [
        next(iter(f["ceterms:name"].values())) for f in doc.get("ceterms:financialAssistance", [])
    ] == c.funding_programs
    assert doc["ceterms:identifier"][0]["ceterms:identifierValueCode"] == c.external_id
    assert doc["ceterms:estimatedDuration"][0]["ceterms:exactDuration"] == f"PT{c.workload_hours:g}H"


async def test_ctdl_uses_only_published_classes_properties_and_concepts(demo_client):
    for listing in [_rich(), *oracle.published()[:40]]:
        doc = await jsonld(demo_client, listing, "CTDL")
        assert ctdl_vocabulary.misuses(doc) == []


async def test_open_badges_achievement_uses_only_terms_of_the_published_context(demo_client):
    c = _rich()
    doc = await jsonld(demo_client, c, "OPEN_BADGES_3")
    context = json.loads((CONTEXTS / "ob-v3p0-context-3.0.3.json").read_text())["@context"]
    assert "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json" in doc["@context"]
    assert (
        doc["type"] == ["Achievement"]
        and doc["achievementType"]
        == {
            "MICRO_CREDENTIAL": "MicroCredential",
            "DIGITAL_BADGE": "Badge",
            "CERTIFICATE": "Certificate",
            "COURSE": "Course",
        }[c.credential_type]
    )
    achievement_terms = set(context["Achievement"]["@context"]) | {k for k in context if not k.startswith("@")}
    assert set(doc) - {"@context"} <= achievement_terms
    alignment_terms = set(context["Alignment"]["@context"])
    assert all(set(a) <= alignment_terms for a in doc["alignment"])
    codes = {a["targetCode"] for a in doc["alignment"]}
    assert oracle.occupation_codes_of(c.id) <= codes
    assert doc["criteria"]["narrative"]


async def test_elm_carries_the_eu_mandatory_elements(demo_client):
    c = _rich()
    doc = await jsonld(demo_client, c, "ELM")
    assert doc["type"] == "LearningAchievementSpecification" and doc["title"] == c.title
    awarding = doc["awardingOpportunity"][0]
    body = awarding["awardingBody"][0]
    assert body["legalName"] and body["location"][0]["address"][0]["countryCode"]["id"].endswith("/country/CAN")
    assert awarding["learningAchievementSpecification"] == doc["id"]
    assert len(doc["learningOutcome"]) == len(c.learning_outcomes)
    assert doc["volumeOfLearning"] == f"PT{c.workload_hours:g}H"
    assert [level["id"] for level in doc["educationLevel"]] == [f"http://data.europa.eu/snb/eqf/{c.level_value}"]
    assert doc["creditPoint"][0]["point"] == f"{c.ects_credits:g}"
    assert doc["provenBy"][0]["dcType"] and doc["mode"][0]["id"].startswith("http://data.europa.eu/snb/")
    assert doc["additionalNote"][0]["noteLiteral"]["en"] == c.quality_assurance


def _schema_org_misuses(node, vocabulary: dict, where: str = "$") -> list[str]:
    """Every property of ``node`` (and its nested nodes) that schema.org does not define for
    the node's type or one of its superclasses."""
    if isinstance(node, list):
        return [m for n, item in enumerate(node) for m in _schema_org_misuses(item, vocabulary, f"{where}[{n}]")]
    if not isinstance(node, dict) or "@type" not in node:
        return []
    lineage, kind = set(), node["@type"]
    pending = [kind]
    while pending:
        name = pending.pop()
        lineage.add(f"schema:{name}")
        parents = vocabulary.get(name, {}).get("rdfs:subClassOf", [])
        pending += [p["@id"].removeprefix("schema:") for p in (parents if isinstance(parents, list) else [parents])]
    found = [] if kind in vocabulary else [f"{where}: no type {kind}"]
    for name, value in node.items():
        if name.startswith("@"):
            continue
        domain = vocabulary.get(name, {}).get("schema:domainIncludes", [])
        domain = {d["@id"] for d in (domain if isinstance(domain, list) else [domain])}
        if not domain & lineage:
            found.append(f"{where}: {name} is not a property of {kind}")
        found += _schema_org_misuses(value, vocabulary, f"{where}.{name}")
    return found


async def test_schema_org_uses_only_properties_of_the_published_vocabulary(demo_client):
    vocabulary = json.loads((CONTEXTS / "schema-org-vocabulary.json").read_text())
    for listing in [_rich(), _course(), *oracle.published()[:40]]:
        doc = await jsonld(demo_client, listing, "SCHEMA_ORG")
        assert _schema_org_misuses(doc, vocabulary) == []


def _course():
    return next(c for c in oracle.published() if c.credential_type == "COURSE")


async def test_a_course_is_a_schema_org_course_awarding_its_credential(demo_client):
    doc = await jsonld(demo_client, _course(), "SCHEMA_ORG")
    assert doc["@type"] == "Course"
    assert doc["educationalCredentialAwarded"]["@type"] == "EducationalOccupationalCredential"


async def test_schema_org_describes_an_educational_occupational_credential(demo_client):
    c = _rich()
    doc = await jsonld(demo_client, c, "SCHEMA_ORG")
    assert doc["@context"] == "https://schema.org" and doc["@type"] == "EducationalOccupationalCredential"
    assert doc["url"] == c.url and doc["offers"]["price"] == c.cost_amount and doc["recognizedBy"]


@pytest.mark.parametrize(
    "params,headers,expected",
    [
        ({"format": "ctdl"}, {}, "ceterms:ctid"),
        (
            {},
            {"accept": 'application/ld+json; profile="https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"'},
            "achievementType",
        ),
        (
            {},
            {"accept": 'application/ld+json; profile="http://data.europa.eu/snb/model/context/edc-ap"'},
            "volumeOfLearning",
        ),
        ({}, {"accept": "application/ld+json"}, "credentialCategory"),
    ],
)
async def test_the_listing_url_negotiates_the_vocabulary(demo_client, params, headers, expected):
    c = _rich()
    response = await demo_client.get(f"/credentials/{oracle.gid('Credential', c.id)}", params=params, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/ld+json")
    assert expected in response.json()


async def test_browsers_get_a_page_with_schema_org_embedded(demo_client):
    c = _rich()
    response = await demo_client.get(f"/credentials/{oracle.gid('Credential', c.id)}", headers={"accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', response.text, re.S).group(1)
    assert json.loads(embedded.replace("<\\/", "</"))["@type"] == "EducationalOccupationalCredential"


async def test_drafts_unknown_ids_and_formats_are_refused(demo_client):
    draft = next(c for c in oracle.listings().credentials if c.status == "DRAFT")
    assert (await demo_client.get(f"/credentials/{oracle.gid('Credential', draft.id)}")).status_code == 404
    assert (await demo_client.get("/credentials/nonsense")).status_code == 404
    listing = oracle.published()[0]
    response = await demo_client.get(f"/credentials/{oracle.gid('Credential', listing.id)}", params={"format": "xml"})
    assert response.status_code == 400


COURSES_WITH_OFFERINGS = """
{ searchCredentials(filter: { credentialTypes: [COURSE], startsBetween: { from: "2000-01-01" } }, first: 5) {
    nodes { id offerings { startDate endDate place { municipality latitude } scheduleTimings cancelledAt } } } }
"""


async def test_a_course_s_offerings_are_its_schema_org_course_instances_in_the_published_vocabulary(demo_client):
    vocabulary = json.loads((CONTEXTS / "schema-org-vocabulary.json").read_text())
    courses = (await data(demo_client, COURSES_WITH_OFFERINGS, {}))["searchCredentials"]["nodes"]
    assert any(course["offerings"] for course in courses), "the demo has courses with upcoming offerings"
    for course in courses:
        query = "query($id: ID!) { credential(id: $id) { jsonLd(format: SCHEMA_ORG) } }"
        doc = json.loads((await data(demo_client, query, {"id": course["id"]}))["credential"]["jsonLd"])
        assert _schema_org_misuses(doc, vocabulary) == []
        instances = doc.get("hasCourseInstance", [])  # those not over, as `offerings` shows them
        assert [i.get("startDate") for i in instances] == [o["startDate"] for o in course["offerings"]]
        for instance, offering in zip(instances, course["offerings"]):
            cancelled = instance["eventStatus"].endswith("EventCancelled")
            assert cancelled == (offering["cancelledAt"] is not None)
            timings = [schema_org.TIMINGS[t] for t in offering["scheduleTimings"]]
            assert instance.get("courseSchedule", {}).get("description") == (", ".join(timings) or None)
            if offering["place"]:
                assert instance["location"]["address"]["addressLocality"] == offering["place"]["municipality"]
                assert instance["location"]["geo"]["latitude"] == offering["place"]["latitude"]
