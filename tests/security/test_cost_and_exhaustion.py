"""Threat: resource exhaustion through GraphQL (OWASP ASVS V11.1.4, V13.4.1).

An operation's cost is computed before it runs from the page sizes its resolvers will really
use, so no spelling of an argument makes a large answer cheap; look-ups by ID are bounded and
costed per object; and every list field of the schema costs something.
"""

from __future__ import annotations

import dataclasses

import pytest
from graphql import (
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    get_named_type,
    is_leaf_type,
    parse,
)

from registry.api import cost
from registry.api.kept_documents import KEPT, weight_of
from registry.api.limits import MAX_TOKENS
from registry.api.query import SEARCH_COST
from registry.api.schema import schema
from registry.domain.listings import MAX_LINKS as LISTING_LINKS
from registry.services import operators
from registry.services.webhooks import MAX_WEBHOOKS
from tests.support.apps import SETTINGS, api_client
from tests.support.graphql import post, statements
from tests.support.listings import create, gql
from tests.support.parties import access_token

LINK = "mutation($input: LinkCredentialsInput!) { linkCredentials(input: $input) { userErrors { field code } } }"

LIMITED = dataclasses.replace(SETTINGS, max_query_cost=5_000)
# The audit's reproduction: three nested pages of 20 with a JSON-LD document each (60 MB in 3.7 s).
NESTED = (
    "query($f: Int) { providers(first: $f) { nodes { credentials(first: $f) { nodes { provider {"
    " credentials(first: $f) { nodes { id jsonLd(format: CTDL) } } } } } } } }"
)
GRAPHQL_SCHEMA = schema._schema


def requested(query: str, variables: dict | None = None) -> int:
    return cost.requested(GRAPHQL_SCHEMA, parse(query), None, variables)


async def _answer(dsn: str, query: str, variables: dict | None = None) -> dict:
    async with api_client(dsn, LIMITED) as client:
        return (await client.post("/graphql", json={"query": query, "variables": variables or {}})).json()


@pytest.mark.parametrize("variables", [{"f": None}, {}], ids=["null", "not supplied"])
async def test_a_null_or_missing_page_size_costs_the_default_page(demo_dsn, variables):
    """Cost bypass: `first: null` or an unsupplied variable was costed 0 while answering 20 items."""
    answer = await _answer(demo_dsn, NESTED, variables)
    assert answer["data"] is None
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"
    assert answer["errors"][0]["extensions"]["cost"] == requested(NESTED, {"f": 20})


def test_an_operation_default_is_costed_as_given():
    """Cost bypass: a variable's default in the operation (`$f: Int = 100`) must count."""
    with_default = NESTED.replace("$f: Int", "$f: Int = 100")
    assert requested(with_default) == requested(NESTED, {"f": 100}) > LIMITED.max_query_cost


def test_a_literal_null_page_size_costs_the_default_page():
    """Cost bypass: `first: null` written in the document."""
    assert (
        requested("{ searchCredentials(first: null) { nodes { id } } }")
        == requested("{ searchCredentials { nodes { id } } }")
        == 2 + 20 + SEARCH_COST
    )


def test_a_page_size_beyond_any_field_is_costed_at_the_largest_page():
    """A resolver that clamps a large `first` rather than refusing it still costs its largest page."""
    assert requested("{ searchCredentials(first: 100000) { nodes { id } } }") == 2 + cost.MAX_FIRST + SEARCH_COST


async def test_entities_refuse_more_than_100_representations(demo_dsn):
    """Resource exhaustion: 2,000 copies of one representation answered 6.6 MB for a flat cost of 5."""
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Credential { id } } }"
    too_many = [{"__typename": "Provider", "id": "x"}] * 101
    answer = await _answer(demo_dsn, query, {"r": too_many})
    assert answer["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert answer["errors"][0]["extensions"]["field"] == "representations"


def test_entities_are_costed_per_representation():
    """Resource exhaustion: `_entities` costs what it answers, one object per representation."""
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Credential { id provider { id } } } }"
    representations = [{"__typename": "Credential", "id": "x"}] * 50
    assert requested(query, {"r": representations}) == 50 * (1 + 1)


def _list_fields():
    """Every field of the schema whose type is a list, or that pages (has `first`)."""
    for type_ in GRAPHQL_SCHEMA.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        for name, field in type_.fields.items():
            of_type = field.type.of_type if isinstance(field.type, GraphQLNonNull) else field.type
            if isinstance(of_type, GraphQLList) or "first" in field.args:
                yield type_, name, field


def _leaf_selection(graphql_type) -> str:
    named = get_named_type(graphql_type)
    if is_leaf_type(named):
        return ""
    leaf = (
        next((n for n, f in named.fields.items() if is_leaf_type(get_named_type(f.type)) and not f.args), None)
        if hasattr(named, "fields")
        else None
    )
    return f"{{ {leaf} }}" if leaf else "{ __typename }"


@pytest.mark.parametrize(
    "owner, name, field", list(_list_fields()), ids=[f"{t.name}.{n}" for t, n, _ in _list_fields()]
)
def test_no_list_field_costs_nothing(owner, name, field):
    """Resource exhaustion: a list or page must never be free, whatever it holds."""
    walker = cost._Walker(GRAPHQL_SCHEMA, {}, {})
    node = (
        parse(f"{{ {name}{_arguments(field)} {_leaf_selection(field.type)} }}")
        .definitions[0]
        .selection_set.selections[0]
    )
    assert walker.field(node, owner, page=20).total > 0


def _arguments(field) -> str:
    """Placeholder values for the field's required arguments (the cost walk does not run them)."""
    required = {n: a for n, a in field.args.items() if isinstance(a.type, GraphQLNonNull) and a.default_value is None}
    if not required:
        return ""
    values = {"ids": '["x"]', "representations": '[{__typename: "Credential", id: "x"}]'}
    return "(" + ", ".join(f"{n}: {values.get(n, '1')}" for n in required) + ")"


PAGED_ROOTS = [
    "searchCredentials { nodes { id } }",
    "providers { nodes { id } }",
    "skills { nodes { id } }",
    "occupations { nodes { id } }",
    "recognitionAuthorities { nodes { id } }",
    "changes { events { version } }",
]


@pytest.mark.parametrize("selection", PAGED_ROOTS)
async def test_what_a_null_page_answers_never_exceeds_its_cost(demo_dsn, selection):
    """Cost bypass, checked against the resolvers themselves: with `first: null` each root page
    answers no more objects than its requested cost counted."""
    field, rest = selection.split(" ", 1)
    answer = await _answer(demo_dsn, f"{{ {field}(first: null) {rest} }}")
    reported = answer["extensions"]["cost"]
    assert "errors" not in answer
    assert 0 < reported["actualQueryCost"] <= reported["requestedQueryCost"]


def test_a_paged_list_costs_every_item_it_may_answer():
    """Cost bypass: a list field with `first` (the audit trail) was costed as one item."""
    assert requested("{ auditTrail(first: 300) { action } }") >= 300


async def test_introspection_is_costed_and_aliases_of_it_are_refused(demo_dsn):
    """Found by attacking a running copy: `__schema` cost 0, so 30 aliased copies (2.6 MB,
    1.9 s of a blocked process) were free and never charged."""
    one = requested("{ __schema { types { name } } }")
    assert one == cost.INTROSPECTION_COST
    many = "{ " + " ".join(f"s{n}: __schema {{ types {{ name fields {{ name }} }} }}" for n in range(30)) + " }"
    answer = await _answer(demo_dsn, many)
    assert answer["errors"][0]["extensions"]["code"] == "QUERY_TOO_COMPLEX"


def test_lists_capped_by_the_domain_cost_their_cap():
    """Found by attacking a running copy: `links` was guessed at 5 items, but a provider could
    add any number, so three hops priced at 311 answered 131,000 objects. Links are capped (20 a
    listing) and costed at the cap, so the same three hops are refused before they run."""
    hops = "{ searchCredentials(first: 10) { nodes { links { target { links { target { links { target { id } } } } } } } } }"
    assert requested(hops) > LIMITED.max_query_cost
    assert requested('{ credential(id: "x") { links { target { id } } } }') == 1 + LISTING_LINKS * 2


async def test_a_listing_links_to_at_most_twenty_others(client, parties):
    """The cap the cost relies on: the 21st link from one listing is refused."""
    token = await access_token(client, parties.provider)
    source = (await create(client, token, externalId="HUB"))["credential"]["id"]
    targets = [(await create(client, token, externalId=f"T-{n}"))["credential"]["id"] for n in range(LISTING_LINKS + 1)]
    answers = [
        await gql(client, LINK, {"input": {"fromId": source, "toId": target, "kind": "PART_OF"}}, token)
        for target in targets
    ]
    assert all(a["data"]["linkCredentials"]["userErrors"] == [] for a in answers[:LISTING_LINKS])
    assert answers[-1]["data"]["linkCredentials"]["userErrors"] == [{"field": ["fromId"], "code": "TOO_MANY_LINKS"}]


async def test_a_client_holds_at_most_ten_webhooks(client, db, parties):
    """Found by attacking a running copy: 2,000 webhooks of one client each added a row to every
    other tenant's write and made one query hold the whole pool."""
    hooks = await operators.register_client(
        db, name="Hooks", scopes=["webhooks:manage"], provider_id=parties.provider_id
    )
    token = await access_token(client, hooks)
    register = "mutation($u: URL!) { registerWebhook(input: {url: $u}) { userErrors { code } } }"
    codes = [
        (await gql(client, register, {"u": f"https://hooks.example.org/{n}"}, token))["data"]["registerWebhook"]
        for n in range(MAX_WEBHOOKS + 1)
    ]
    assert all(c["userErrors"] == [] for c in codes[:MAX_WEBHOOKS])
    assert codes[-1]["userErrors"] == [{"code": "TOO_MANY_WEBHOOKS"}]


async def test_every_webhooks_deliveries_are_read_in_one_statement(client, db, parties):
    """Found by attacking a running copy: `webhooks { deliveries }` ran one statement per webhook."""
    hooks = await operators.register_client(
        db, name="Hooks", scopes=["webhooks:manage"], provider_id=parties.provider_id
    )
    token = await access_token(client, hooks)
    register = "mutation($u: URL!) { registerWebhook(input: {url: $u}) { userErrors { code } } }"
    query = {"query": "{ webhooks { id deliveries(first: 100) { status } } }"}
    headers = {"authorization": f"Bearer {token}"}
    await gql(client, register, {"u": "https://hooks.example.org/a"}, token)
    one = statements(await client.post("/graphql", json=query, headers=headers))
    for n in range(4):
        await gql(client, register, {"u": f"https://hooks.example.org/{n}"}, token)
    assert statements(await client.post("/graphql", json=query, headers=headers)) == one


def test_a_search_costs_its_database_work_whatever_its_page():
    """Found by attacking a running copy: 30 aliased searches with no full-text match (each a
    scan and a fuzzy fallback) cost 60 in all and stalled other callers."""
    aliased = (
        "{ "
        + " ".join(f's{n}: searchCredentials(query: "zzqx{n}", first: 0) {{ totalCount }}' for n in range(30))
        + " }"
    )
    assert requested(aliased) >= 30 * SEARCH_COST


async def test_heavy_documents_pin_no_more_memory_than_the_kept_documents_budget(demo_client):
    """A parsed document holds every token of its text: 5,000 one-letter fields (10 KB) held
    2.7 MB, and the parser and validation caches, which counted entries (512), let 5 MB of such
    texts pin 1.4 GB in each worker. Found by reading the caches, not by an attack on a running
    copy."""
    spreads = " ".join(f"...F{i}" for i in range(400))
    fragments = " ".join(f"fragment F{i} on Query {{ __typename }}" for i in range(400))
    texts = [f"{{ {spreads} }} {fragments} # {n}" for n in range(40)]  # valid (invalid ones are not kept)
    for text in texts:
        await post(demo_client, text)
    one = weight_of(texts[0], parse(texts[0]))
    held = [text for text in texts if KEPT.keeps(text, max_tokens=MAX_TOKENS)]
    assert texts[-1] in held and len(held) <= KEPT.budget // one < 40
