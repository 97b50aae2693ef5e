"""What a selection of Credential fields asks a listing bundle to bring (api/prefetch.py)."""

from __future__ import annotations

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

from registry.api.prefetch import node_selections, wanted
from registry.store.listing_bundles import Part, Wanted


def field(name: str, *selections, **arguments) -> SelectedField:
    return SelectedField(name=name, directives={}, arguments=arguments, selections=list(selections))


def test_each_relation_field_asks_for_its_part_and_plain_fields_for_none():
    asked = wanted([field("title"), field("provider", field("name")), field("skills"), field("isRecognized")])
    assert asked.parts == {Part.PROVIDER, Part.SKILLS, Part.RECOGNITIONS} and not asked.history_sizes
    assert wanted([field("id"), field("title"), field("cost", field("amount"))]) == Wanted()


def test_json_ld_asks_for_everything_its_mappings_read():
    assert wanted([field("jsonLd", format="CTDL")]).parts == {
        Part.PROVIDER,
        Part.PARTNERS,  # CTDL's offeredBy, ELM's providedBy
        Part.SKILLS,
        Part.OCCUPATIONS,
        Part.LINKS,
        Part.BACKLINKS,  # CTDL's hasPart, preparationFrom, supersededBy
        Part.RECOGNITIONS,
        Part.OFFERINGS,  # schema.org's course instances
    }


def test_the_links_to_a_listing_and_its_pathway_ask_for_their_parts():
    assert wanted([field("linkedFrom", field("kind")), field("pathway", field("depth"))]).parts == {
        Part.BACKLINKS,
        Part.PATHWAY,
    }


def test_delivery_partners_ask_for_the_partners():
    assert wanted([field("offeredBy", field("name"))]).parts == {Part.PARTNERS}


def test_a_listing_s_offerings_and_next_start_ask_for_its_offerings():
    assert wanted([field("offerings", field("startDate")), field("nextStartDate")]).parts == {Part.OFFERINGS}


def test_fragments_on_credentials_count_and_fragments_on_other_types_do_not():
    selections = [
        InlineFragment(type_condition="Credential", selections=[field("skills")], directives={}),
        InlineFragment(type_condition="Provider", selections=[field("credentials", field("nodes"))], directives={}),
        InlineFragment(type_condition="Recognition", selections=[field("provider")], directives={}),
        FragmentSpread(name="F", type_condition="Credential", directives={}, selections=[field("occupations")]),
        InlineFragment(type_condition=None, selections=[field("links")], directives={}),
    ]
    assert wanted(selections).parts == {Part.SKILLS, Part.OCCUPATIONS, Part.LINKS}


def test_history_first_pages_are_fetched_by_size_whether_literal_variable_or_default():
    asked = wanted([field("history", first="5"), field("history", first=7), field("history")])
    assert asked.history_sizes == {5, 7, 20} and Part.HISTORY_COUNT in asked.parts


def test_history_pages_after_a_cursor_or_of_a_refused_size_are_left_to_the_resolver():
    asked = wanted([field("history", first=5, after="abc"), field("history", first=101), field("history", first=-1)])
    assert asked.history_sizes == frozenset() and Part.HISTORY_COUNT in asked.parts


def test_a_connections_items_are_read_through_nodes_and_edges():
    selections = [
        field("totalCount"),
        field("nodes", field("skills")),
        field("edges", field("cursor"), field("node", field("provider"))),
    ]
    assert wanted(node_selections(selections)).parts == {Part.SKILLS, Part.PROVIDER}
