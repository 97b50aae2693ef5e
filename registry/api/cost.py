"""What a GraphQL operation costs, in the manner of Shopify's API: computed from the document
before anything runs (requested), and counted on the answer afterwards (actual).

Requested cost: an object field costs 1 plus its selection; a scalar or enum costs nothing;
a paginated field (one with `first`) costs 2 plus its selection, in which its item lists
(`nodes`, `edges`, `events`) count `first` items; `nodes(ids:)` costs per ID; any other list is
guessed at LIST_GUESS items. A mutation adds MUTATION_COST. Actual cost: the objects the
answer holds, plus MUTATION_COST for a mutation.
"""

from __future__ import annotations

from typing import Any

from graphql import (FieldNode, FragmentDefinitionNode, FragmentSpreadNode, GraphQLList, GraphQLNonNull,
                     GraphQLSchema, InlineFragmentNode, OperationType, SelectionSetNode, get_named_type,
                     get_operation_ast, is_leaf_type)
from graphql.utilities import value_from_ast_untyped

LIST_GUESS = 5
MAX_FIRST = 1_000   # the largest page any field gives; beyond it the field refuses, so it costs nothing here
MUTATION_COST = 10
ITEM_LISTS = ("nodes", "edges", "events")


def requested(schema: GraphQLSchema, document, operation_name: str | None, variables: dict | None) -> int:
    """The operation's cost as its document and variables say."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    root = schema.get_root_type(operation.operation)
    walker = _Walker(schema, fragments, variables or {})
    base = MUTATION_COST if operation.operation == OperationType.MUTATION else 0
    return base + walker.selection(operation.selection_set, root, page=None)


def actual(data: Any, *, mutation: bool) -> int:
    """The cost of what was answered: one per object in it."""
    def objects(value: Any) -> int:
        if isinstance(value, dict):
            return 1 + sum(objects(item) for item in value.values())
        if isinstance(value, list):
            return sum(objects(item) for item in value)
        return 0

    return (MUTATION_COST if mutation else 0) + max(0, objects(data) - 1 if isinstance(data, dict) else 0)


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict, variables: dict) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def selection(self, selection_set: SelectionSetNode | None, parent, *, page: int | None) -> int:
        """The cost of a selection on ``parent``; ``page`` is the page size when ``parent`` is
        a paginated field's result (its item lists hold that many)."""
        if selection_set is None or parent is None:
            return 0
        total = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, page=page)
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection(node.selection_set, target, page=page)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                fragment = self.fragments[node.name.value]
                total += self.selection(fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value),
                                        page=page)
        return total

    def field(self, node: FieldNode, parent, *, page: int | None) -> int:
        name = node.name.value
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return 0
        named = get_named_type(definition.type)
        if is_leaf_type(named):
            return 0
        arguments = {a.name.value: value_from_ast_untyped(a.value, self.variables) for a in node.arguments or []}
        if "first" in definition.args:
            first = arguments.get("first", definition.args["first"].default_value)
            first = first if isinstance(first, int) and 0 <= first <= MAX_FIRST else 0
            return 2 + self.selection(node.selection_set, named, page=first)
        one = 1 + self.selection(node.selection_set, named, page=None)
        if isinstance(arguments.get("ids"), list):
            return len(arguments["ids"]) * one
        if _is_list(definition.type):
            return (page if page is not None and name in ITEM_LISTS else LIST_GUESS) * one
        return one


def _is_list(graphql_type) -> bool:
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)
