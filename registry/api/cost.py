"""What a GraphQL operation costs, in the manner of Shopify's API: computed from the document
before anything runs (requested), and counted on the answer afterwards (actual).

Requested cost, from the arguments exactly as the resolvers will see them (variables coerced,
the operation's and the fields' defaults applied, `null` meaning the field's default page):
- an object costs 1 plus its selection (plus any cost its field declares in its metadata);
  a scalar or enum costs nothing;
- a paginated field (one with `first`) costs 2; if it is itself a list it holds `first` items,
  otherwise its item lists (`nodes`, `edges`, `events`) do;
- a list sized by an argument (`nodes(ids:)`, `_entities(representations:)`) costs per element;
- a list whose size the domain caps declares it (``metadata={"max_items": n}``) and costs
  that many; any other list of objects is guessed at LIST_GUESS items, and a list of scalars
  costs 1, so that no list is free;
- introspection is costed flat and high (`__schema` INTROSPECTION_COST, `__type` TYPE_COST):
  its answer is large whatever the selection, and it is never free to repeat;
- a mutation adds MUTATION_COST.
Only the sizing arguments are read (PRICED_ARGUMENTS): a field whose other arguments fail when
it runs is priced as asked all the same (it is refused before it answers anything).
Actual cost: the objects the answer holds, plus MUTATION_COST for a mutation.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from typing import Any, NamedTuple

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    ValueNode,
    VariableNode,
    Visitor,
    get_named_type,
    get_operation_ast,
    is_leaf_type,
    visit,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values

from registry.api.kept_documents import KEPT

LIST_GUESS = 5
MAX_FIRST = 1_000  # no field gives more; a larger `first` is refused or clamped by its resolver
MUTATION_COST = 10
ITEM_LISTS = ("nodes", "edges", "events")
SIZING_ARGUMENTS = ("ids", "representations")
PRICED_ARGUMENTS = ("first", *SIZING_ARGUMENTS)  # the only arguments a price depends on
PRICES_PER_DOCUMENT = 64  # prices kept for one document (operations and page sizes)
INTROSPECTION_COST = 1_000  # the whole schema: about 40,000 objects, built in ~60 ms
TYPE_COST = 50  # one type with its fields
INTROSPECTION = {
    "__schema": INTROSPECTION_COST,
    "__type": TYPE_COST,
}  # lists whose length is the number of objects answered
DEFINITION = "strawberry-definition"  # where Strawberry keeps a field's definition (and metadata)


class Price(NamedTuple):
    """A requested cost in two parts: the objects the answer may hold, and what fields declare
    for work beyond their objects (a search's database work, introspection, a mutation). Only
    the first can be given back after the answer (registry/api/throttle.py)."""

    objects: int
    declared: int

    @property
    def total(self) -> int:
        return self.objects + self.declared

    def __add__(self, other: object) -> Price:
        if not isinstance(other, Price):
            return NotImplemented
        return Price(self.objects + other.objects, self.declared + other.declared)

    def times(self, count: int) -> Price:
        return Price(self.objects * count, self.declared * count)


FREE = Price(0, 0)


def requested(schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict | None) -> int:
    """The operation's cost as its document and variables say; 0 when its variables do not
    coerce (execution refuses those before any resolver runs)."""
    return requested_price(schema, document, operation_name, variables).total


def requested_price(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None, variables: dict | None
) -> Price:
    """``requested``, in its two parts.

    A price depends on the document, the operation and the sizes (``_size``) of the variables
    its sizing arguments read (PRICED_ARGUMENTS), nothing else: prices are kept by those with the
    parsed documents (registry/api/kept_documents.py; a search page's walk took 0.3 ms; searches
    of a page differ in their filters, not their page sizes). The variables are still coerced at
    each request: an operation whose variables do not coerce is free, as execution refuses it."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return FREE
    coerced = get_variable_values(schema, operation.variable_definitions or [], variables or {})
    if isinstance(coerced, list):
        return FREE
    kept = KEPT.derive(document, ("prices", schema), lambda: _Kept(document))
    key = (operation_name, tuple(_size(coerced.coerced.get(name, _ABSENT)) for name in kept.sizing))
    price = kept.prices.get(key)
    if price is None:
        price = _walked_price(schema, document, operation, coerced)
        if len(kept.prices) < PRICES_PER_DOCUMENT:
            kept.prices[key] = price
    return price


def _walked_price(
    schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode, coerced: VariableValues
) -> Price:
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    walker = _Walker(schema, fragments, coerced)
    base = Price(0, MUTATION_COST if operation.operation == OperationType.MUTATION else 0)
    return base + walker.selection(operation.selection_set, schema.get_root_type(operation.operation), page=None)


def actual(answered: int, *, mutation: bool) -> int:
    """The cost of what was answered, from the objects it holds (``answered_objects``): one per
    object (plus MUTATION_COST for a mutation)."""
    return (MUTATION_COST if mutation else 0) + answered


def answered_objects(data: Any) -> int:
    """The objects an answer's data holds (the data object itself not counted)."""
    if not isinstance(data, dict):
        return 0
    # A loop over a stack, not recursion: every answer is walked, and a search page holds
    # hundreds of objects (a third of the time of the recursive walk).
    found, waiting = -1, [data]
    while waiting:
        value = waiting.pop()
        if isinstance(value, dict):
            found += 1
            waiting.extend(value.values())
        elif isinstance(value, list):
            waiting.extend(value)
    return found


def page_size(definition: GraphQLField, arguments: dict[str, Any]) -> int:
    """The number of items a paginated field answers: its `first`, null meaning the field's
    default (the rule every paginated resolver follows), within 0 and MAX_FIRST."""
    first = arguments.get("first")
    if first is None:
        first = definition.args["first"].default_value
    if not isinstance(first, int):  # a field with no default page: assume the largest
        return MAX_FIRST
    return min(max(first, 0), MAX_FIRST)


class _Walker:
    def __init__(self, schema: GraphQLSchema, fragments: dict, variables: VariableValues) -> None:
        self.schema, self.fragments, self.variables = schema, fragments, variables

    def selection(self, selection_set: SelectionSetNode | None, parent, *, page: int | None) -> Price:
        """The cost of a selection on ``parent``; ``page`` is the page size when ``parent`` is
        a paginated field's result (its item lists hold that many)."""
        if selection_set is None or parent is None:
            return FREE
        total = FREE
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                total += self.field(node, parent, page=page)
            elif isinstance(node, InlineFragmentNode):
                target = self.schema.get_type(node.type_condition.name.value) if node.type_condition else parent
                total += self.selection(node.selection_set, target, page=page)
            elif isinstance(node, FragmentSpreadNode) and node.name.value in self.fragments:
                fragment = self.fragments[node.name.value]
                total += self.selection(
                    fragment.selection_set, self.schema.get_type(fragment.type_condition.name.value), page=page
                )
        return total

    def field(self, node: FieldNode, parent, *, page: int | None) -> Price:
        name = node.name.value
        if name in INTROSPECTION:
            return Price(0, INTROSPECTION[name])
        definition = getattr(parent, "fields", {}).get(name)
        if definition is None or name.startswith("__"):
            return FREE
        arguments = self.arguments(definition, node)
        named, own = get_named_type(definition.type), Price(0, _declared_cost(definition))
        listed = _is_list(definition.type)
        if is_leaf_type(named):
            return own + Price(1 if listed else 0, 0)
        size = page_size(definition, arguments) if "first" in definition.args else None
        inner = self.selection(node.selection_set, named, page=size)
        if not listed:  # one object, or a connection (2: its items are counted in its item lists)
            return Price(1 if size is None else 2, 0) + inner + own
        each = Price(1, 0) + inner + own
        if size is not None:
            return Price(2, 0) + each.times(size)
        sizing = next((arguments[a] for a in SIZING_ARGUMENTS if isinstance(arguments.get(a), list)), None)
        if sizing is not None:
            return each.times(len(sizing))
        if page is not None and name in ITEM_LISTS:
            return each.times(page)
        return each.times(_metadata(definition).get("max_items") or LIST_GUESS)

    def arguments(self, definition: GraphQLField, node: FieldNode) -> dict[str, Any]:
        """The field's sizing arguments (PRICED_ARGUMENTS) as its resolver receives them
        (defaults applied): the walk reads no other variable, which is what lets
        ``requested_price`` reuse a price for the same sizes of those."""
        sized = _sized(definition)
        if sized is None:
            return {}
        try:
            return get_argument_values(sized, node, self.variables)
        except GraphQLError:  # execution refuses the field the same way
            return {}


class _Kept:
    """What is kept of one document: the variables its sizing arguments read, and its prices
    by operation name and those variables' sizes (``_size``)."""

    __slots__ = ("sizing", "prices")

    def __init__(self, document: DocumentNode) -> None:
        self.sizing = _sizing_variables(document)
        self.prices: dict[Hashable, Price] = {}


_ABSENT = object()  # a variable not given (its operation's default applies)


def _size(value: Any) -> Hashable:
    """What of a sizing variable's value a price can depend on: a list's length, a number
    (``first``), null or absence, else only the value's type (an element of a literal list of
    IDs: whether it is null can matter, its text cannot). Never the value itself, so that a
    kept price holds no more than a few numbers whatever a request sends."""
    if isinstance(value, (list, tuple)):
        return ("items", len(value))
    if value is None or value is _ABSENT or isinstance(value, (bool, int, float)):
        return value
    return type(value).__name__


class _SizingVariables(Visitor):
    """Collects the variables read by the sizing arguments (PRICED_ARGUMENTS) of a document."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        if node.name.value in PRICED_ARGUMENTS:
            self.names.update(_variables_in(node.value))


def _variables_in(value: ValueNode) -> Iterator[str]:
    if isinstance(value, VariableNode):
        yield value.name.value
    elif isinstance(value, ListValueNode):
        for item in value.values:
            yield from _variables_in(item)
    elif isinstance(value, ObjectValueNode):
        for field in value.fields:
            yield from _variables_in(field.value)


def _sizing_variables(document: DocumentNode) -> tuple[str, ...]:
    """The variables the sizing arguments of ``document`` read, anywhere in it."""
    sizing = _SizingVariables()
    visit(document, sizing)
    return tuple(sorted(sizing.names))


# Field definitions with their sizing arguments only, by the definition's ID (the definition
# held). Schemas are built once per process (`build_schema` is cached), so this stays small.
_SIZED: dict[int, tuple[GraphQLField, GraphQLField | None]] = {}


def _sized(definition: GraphQLField) -> GraphQLField | None:
    """``definition`` with only its sizing arguments (PRICED_ARGUMENTS); None when it has none."""
    found = _SIZED.get(id(definition))
    if found is None:
        arguments = {name: argument for name, argument in definition.args.items() if name in PRICED_ARGUMENTS}
        found = _SIZED[id(definition)] = (definition, GraphQLField(definition.type, arguments) if arguments else None)
    return found[1]


def _declared_cost(definition: GraphQLField) -> int:
    """Extra cost a field declares for work beyond its objects (``metadata={"cost": n}``)."""
    return int(_metadata(definition).get("cost", 0))


def _metadata(definition: GraphQLField) -> dict:
    """What the field's Strawberry definition declares for the cost (``cost``, ``max_items``)."""
    strawberry_field = (definition.extensions or {}).get(DEFINITION)
    return getattr(strawberry_field, "metadata", None) or {}


def _is_list(graphql_type) -> bool:
    while isinstance(graphql_type, GraphQLNonNull):
        graphql_type = graphql_type.of_type
    return isinstance(graphql_type, GraphQLList)
