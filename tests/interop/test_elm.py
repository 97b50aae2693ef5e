"""The ELM export is valid ELM 3: the documents of every demo listing, expanded with the
published contexts (kept in registry/interop/contexts/elm/, resolved by a local document
loader), pass the Commission's Learning Opportunity and Qualification (LOQ) SHACL shapes under
pySHACL; their nodes are typed and named by IRIs; their concepts are the EU code lists'."""

from __future__ import annotations

import hashlib
import json
import re

import pyshacl
import pytest
import rdflib
from pyld.jsonld import JsonLdError
from rdflib.namespace import DCTERMS, FOAF, RDF, SH, SKOS

from registry.domain.enums import AssessmentType, DeliveryMode
from registry.interop import elm
from registry.interop.listing_view import ListingView
from tests.support import demo_oracle as oracle
from tests.support.apps import SETTINGS
from tests.support.contexts import CONTEXTS, expand, graph, load_document
from tests.support.graphql import data

ELM_FILES = CONTEXTS / "elm"
SHAPES = ["LOQ-constraints.ttl", "LOQ-constraints-mdr.ttl"]  # the profile's shapes, and its code-list shapes
CODE_LISTS = ["europass-modes.xsd", "europass-learning-assessment-types.xsd", "credit-points.xsd", "eqf.xsd"]
ELM = rdflib.Namespace("http://data.europa.eu/snb/model/elm/")
ROV = rdflib.Namespace("http://www.w3.org/ns/regorg#")
LOQ = rdflib.Namespace("http://data.europa.eu/snb/model/ap/loq-constraints/")
# The shapes' Java patterns hold `[[...]...]`, which Python reads as it always has but warns of.
pytestmark = pytest.mark.filterwarnings("ignore:Possible nested set:FutureWarning")
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Credential { jsonLd(format: ELM) } } }"


def _unpublished_document(listing) -> dict:
    """A listing never published, mapped in process: the public API rightly does not serve it."""
    provider = next(p for p in oracle.ref().providers if p.id == listing.provider_id)
    return elm.to_jsonld(ListingView(listing, provider, [], [], [], [], SETTINGS.issuer))


@pytest.fixture(scope="module")
async def documents(demo_client) -> list[dict]:
    """The ELM document of every demo listing: through the API for the ones the public may
    read (published, or retired after publication), in process for the others."""
    listings = oracle.listings().credentials
    public = [c for c in listings if c.published_at is not None]
    served = []
    for start in range(0, len(public), 100):
        ids = [oracle.gid("Credential", c.id) for c in public[start : start + 100]]
        served += [json.loads(node["jsonLd"]) for node in (await data(demo_client, NODES, {"ids": ids}))["nodes"]]
    return served + [_unpublished_document(c) for c in listings if c.published_at is None]


@pytest.fixture(scope="module")
def rdf(documents) -> rdflib.Graph:
    """Every document's triples in one graph, for one pySHACL run."""
    return graph(documents)


def _shapes() -> rdflib.Graph:
    shapes = rdflib.Graph()
    shapes.bind("dc", "http://purl.org/dc/terms/", replace=True)
    for name in SHAPES:
        shapes.parse(ELM_FILES / name)
    for shape, pattern in list(shapes.subject_objects(SH.pattern)):
        shapes.set((shape, SH.pattern, rdflib.Literal(_python_pattern(str(pattern)))))
    return shapes


def _python_pattern(java: str) -> str:
    """A shape's pattern, written for Java's regular expressions, as Python's `re` reads the
    same: the case-insensitive flag at the very start, and Unicode letters and digits
    (`\\p{L}\\p{Nl}\\p{Nd}`, which `re` lacks) as `\\w`."""
    if java.startswith("^(?i)"):
        java = "(?i)^" + java.removeprefix("^(?i)")
    return java.replace(r"\p{L}\p{Nl}\p{Nd}", r"\w")


def _name(shapes: rdflib.Graph, term) -> str:
    """A shape by its name in the shapes file, a property by its prefixed name."""
    if term is None or isinstance(term, rdflib.BNode):
        return "[]"
    if str(term).startswith(("http://data.europa.eu/snb/model/ap/", str(SH))):
        return re.split(r"[/#]", str(term))[-1]
    return shapes.namespace_manager.normalizeUri(term)


def _violations(shapes: rdflib.Graph, data_graph: rdflib.Graph) -> tuple[int, list[str]]:
    """pySHACL's violations: how many, and grouped by shape, property and constraint, each
    group with its size and one of its nodes with pySHACL's message."""
    _, report, _ = pyshacl.validate(data_graph, shacl_graph=shapes, inference="none", advanced=False)
    groups: dict[str, list[str]] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        source = report.value(result, SH.sourceShape)
        owner = shapes.value(predicate=SH.property, object=source)  # a property shape's node shape
        where = _name(shapes, owner if owner is not None else source)
        if report.value(result, SH.resultPath) is not None:
            where += f" › {_name(shapes, report.value(result, SH.resultPath))}"
        where += f" ({_name(shapes, report.value(result, SH.sourceConstraintComponent))})"
        groups.setdefault(where, []).append(
            f"{report.value(result, SH.focusNode)}: {report.value(result, SH.resultMessage)}"
        )
    ranked = sorted(groups.items(), key=lambda group: -len(group[1]))
    return sum(map(len, groups.values())), [f"{len(found)}× {where}, e.g. {found[0]}" for where, found in ranked]


def test_every_demo_listing_passes_the_commissions_loq_shapes(rdf, documents):
    """One pySHACL run over every listing's triples, against the shapes as published: no
    violation. The shapes target typed nodes only, so the run must have met them: an
    awarding opportunity (with its organisation, location and address) per listing."""
    typed = [rdf.value(predicate=RDF.type, object=kind) for kind in (ELM.AwardingOpportunity, ELM.Organisation)]
    assert all(typed) and len(set(rdf.subjects(RDF.type, ELM.AwardingOpportunity))) == len(documents)
    count, violations = _violations(_shapes(), rdf)
    assert count == 0, f"{count} violations:\n" + "\n".join(violations[:40])


def test_offerings_are_learning_opportunities_of_their_specification_with_dates_and_places(rdf):
    """Demo offerings not over are learning opportunities of the listing's specification: the
    LOQ run above met them (so their shape held), with their period, deadline and place."""
    opportunities = set(rdf.subjects(RDF.type, ELM.LearningOpportunity))
    assert len(opportunities) > 100
    for opportunity in list(opportunities)[:50]:
        specification = rdf.value(opportunity, ELM.learningAchievementSpecification)
        assert (specification, RDF.type, ELM.LearningAchievementSpecification) in rdf
    periods = [rdf.value(o, DCTERMS.temporal) for o in opportunities]
    assert any(p is not None and rdf.value(p, ELM.startDate) is not None for p in periods)
    assert any(rdf.value(o, ELM.applicationDeadline) is not None for o in opportunities)
    assert any(rdf.value(o, ELM.location) is not None for o in opportunities)


def test_a_listing_s_delivery_partners_provide_its_opportunities_as_organisations(rdf):
    """Demo listings with partners: their opportunities are provided by several organisations,
    each typed and named (the LOQ run above checked them against the shapes)."""
    shared = [
        o for o in rdf.subjects(RDF.type, ELM.LearningOpportunity) if len(set(rdf.objects(o, ELM.providedBy))) > 1
    ]
    assert shared
    for organisation in {p for o in shared for p in rdf.objects(o, ELM.providedBy)}:
        assert (organisation, RDF.type, ELM.Organisation) in rdf
        assert rdf.value(organisation, ROV.legalName) is not None


def test_a_learning_opportunity_without_its_homepage_breaks_the_loq_shapes(rdf):
    """The shapes do look at the opportunities: one stripped of its homepage is a violation."""
    opportunity = next(iter(rdf.subjects(RDF.type, ELM.LearningOpportunity)))
    broken = rdflib.Graph()
    for triple in rdf.triples((opportunity, None, None)):
        broken.add(triple)
    broken.remove((opportunity, FOAF.homepage, None))
    count, violations = _violations(_shapes(), broken)
    assert any("foaf:homepage (MinCountConstraintComponent)" in v for v in violations), violations


def test_the_specification_shape_switched_on_wants_only_a_thematic_area(rdf, documents):
    """The Commission ships the LearningAchievementSpecification shape switched off
    (sh:deactivated). Switched on, it finds one gap only, in every listing: no ISCED-F thematic
    area, a classification the registry does not keep."""
    shapes = _shapes()
    shapes.remove((LOQ.LearningAchievementSpecificationShape, SH.deactivated, None))
    switched_on = shapes.cbd(LOQ.LearningAchievementSpecificationShape)
    switched_on.namespace_manager = shapes.namespace_manager
    count, violations = _violations(switched_on, rdf)
    assert count == len(documents)
    assert [re.sub(r", e\.g\. .*", "", v) for v in violations] == [
        f"{count}× LearningAchievementSpecificationShape › elm:ISCEDFCode (MinCountConstraintComponent)"
    ]


def _node_objects(value, found: list[dict]) -> list[dict]:
    """Every node object of an expanded document (values looked through)."""
    if isinstance(value, list):
        for item in value:
            _node_objects(item, found)
    elif isinstance(value, dict) and "@value" not in value:
        found.append(value)
        for key, item in value.items():
            if not key.startswith("@"):
                _node_objects(item, found)
    return found


def test_the_export_expands_to_typed_nodes_with_iris(documents):
    """Expanded with the published contexts (the W3C credentials context first, as in the
    Commission's samples), every node has an IRI and a type, save a reference to a node the
    same document describes; the root is an elm:LearningAchievementSpecification."""
    for document in documents:
        assert document["@context"] == ["https://www.w3.org/2018/credentials/v1", elm.ELM_CONTEXT]
        expanded = expand(document)
        assert [node.get("@type") for node in expanded] == [[str(ELM.LearningAchievementSpecification)]]
        nodes = _node_objects(expanded, [])
        described = {node.get("@id") for node in nodes if "@type" in node}
        wrong = [
            f"{node.get('@id', 'a blank node')} with {sorted(node)}"
            for node in nodes
            if not re.match(r"^(https?|urn):", node.get("@id", "_:"))
            or ("@type" not in node and (set(node) != {"@id"} or node["@id"] not in described))
        ]
        assert wrong == [], f"{document['id']}: untyped or unnamed nodes: {wrong[:5]}"


def _code_list(name: str) -> tuple[str, dict[str, str]]:
    """A code list's scheme IRI and its concepts, IRI to label."""
    text = (ELM_FILES / name).read_text()
    scheme = re.search(r'targetNamespace="([^"]+)"', text).group(1)
    entries = re.findall(
        r'<xs:enumeration value="([^"]+)">\s*<xs:annotation>\s*<xs:documentation>(.*?)</xs:documentation>', text, re.S
    )
    return scheme, {iri: " ".join(label.split()) for iri, label in entries}


def test_concepts_in_the_eu_code_lists_schemes_are_theirs(rdf):
    """Every concept said to be in a vendored code list's scheme is one of its entries, with
    its label; every delivery mode of the demo has its concept."""
    for name in CODE_LISTS:
        scheme, entries = _code_list(name)
        used = set(rdf.subjects(SKOS.inScheme, rdflib.URIRef(scheme)))
        assert used, f"no concept of {name} in the export"
        for concept in used:
            assert str(concept) in entries, f"{concept} is not in {name}"
            assert [str(label) for label in rdf.objects(concept, SKOS.prefLabel)] == [entries[str(concept)]]
    assert len(set(rdf.objects(None, ELM.mode))) == len(DeliveryMode)


def test_every_registry_value_has_its_eu_concept_or_is_left_out_on_purpose():
    """A value added to the registry's enumerations must be mapped (or listed here as having
    no EU concept) before it is exported."""
    assert set(elm.MODES) == set(DeliveryMode)
    without_concept = {AssessmentType.OBSERVATION, AssessmentType.NONE}
    assert set(elm.ASSESSMENT_TYPES) == set(AssessmentType) - without_concept


def test_contexts_resolve_from_the_vendored_copies_only():
    assert load_document(elm.ELM_CONTEXT)["document"]["@context"]["elm"] == str(ELM)
    with pytest.raises(JsonLdError):
        load_document("https://example.org/context.jsonld")


def test_the_vendored_files_are_the_ones_sources_md_records():
    sources = (CONTEXTS / "SOURCES.md").read_text()
    for path in sorted(ELM_FILES.iterdir()):
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert re.search(rf"`elm/{re.escape(path.name)}`.*`{digest}`", sources), path.name
