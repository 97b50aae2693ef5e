"""Completing objects from a per-request plan instead of field by field (issue 18).

graphql-core completes every field of every object the same general way: it looks the
field up, builds a resolve info and a path, coerces the arguments, calls Strawberry's
wrapper (which builds an ``Info`` and converts the arguments again), then dispatches on
the return type. A search page resolves about a thousand fields that way, and that was
three quarters of its CPU. Yet a page's twenty listings share one selection: the work
that depends only on the selection can be done once per request.

``PlannedExecutionContext`` does that. For a list of two objects or more, or the second
time it completes an object of a type under a selection (an object met once costs less the
general way), it makes an ``_ObjectPlan``: for each response key, a getter (an attribute
read, or the resolver called with the arguments already coerced and converted) and a
completer (scalar coercion, list, nested plan). The list's items, or that object and the
ones after it, are completed by running the plan: plain calls, no per-field or per-item
bookkeeping.

A plan covers only what it can complete exactly as graphql-core would. It is not made for
an object whose selection holds an asynchronous resolver, a field with Strawberry field
extensions (permissions among them), an abstract type, a deferred fragment or a streamed
list, nor when making it raises; and while running it gives up on anything unusual: an
awaitable, an exception, a null where the schema says non-null, a value of the wrong kind.
Giving up completes that object (or the whole list it was completing) the general way from
the start, so errors, their paths and null propagation are graphql-core's own. The objects
after it under the same selection then go the general way without trying (what made it give
up, say a relation not loaded yet, is likely to recur): a plan wastes at most one attempt per
selection and request, for a list the items before the one it gave up on (their resolvers
run again the general way).

What a plan hands its resolvers is shared by its objects: the ``info`` carries the field's
path in the object that made the plan (harmless: no resolver here reads its path, and errors,
which do, are raised on the general way), and the arguments are converted once, so a field is
planned only when they are values no resolver can change (scalars, enums). Giving up calls
again the resolvers the plan had called for that object, so plans are made for queries only,
whose resolvers read (through the request's loaders) and change nothing.
"""

from __future__ import annotations

import inspect
import operator
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from graphql import (
    GraphQLEnumType,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)
from graphql.execution.values import get_argument_values
from graphql.language import OperationType
from graphql.pyutils import Path, Undefined
from strawberry.types.arguments import convert_arguments
from strawberry.types.field import StrawberryField

from registry.api.releasing_execution import ReleasingExecutionContext

Completer = Callable[[Any], Any]


class PlannedCount:
    """How many objects a request's plans completed (shown in its Server-Timing header)."""

    __slots__ = ("objects",)

    def __init__(self) -> None:
        self.objects = 0


_current_count: ContextVar[PlannedCount | None] = ContextVar("planned_count", default=None)


def count_planned_objects() -> PlannedCount:
    """Start counting the objects completed from plans in the current context (a request's)."""
    count = PlannedCount()
    _current_count.set(count)
    return count


class _Fallback(Exception):
    """The plan met something only graphql-core's general path handles."""


class _ObjectPlan:
    """How to complete one object type under one selection: (key, getter, completer)."""

    __slots__ = ("fields", "is_type_of")

    def __init__(self, fields: list[tuple[str, Completer, Completer]], is_type_of: Completer | None) -> None:
        self.fields = fields
        self.is_type_of = is_type_of

    def complete(self, source: Any) -> dict[str, Any]:
        """The response object for ``source``; raises ``_Fallback`` to hand it back."""
        if self.is_type_of is not None and not self.is_type_of(source):
            raise _Fallback
        return {key: complete(get(source)) for key, get, complete in self.fields}


class PlannedExecutionContext(ReleasingExecutionContext):
    """Strawberry's execution context, completing objects from plans where it can."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id(field details)) -> (the field details kept alive, the plan or None).
        self._plans: dict[tuple[GraphQLObjectType, int], tuple[Any, _ObjectPlan | None]] = {}
        # The selections met once: an object met only once (a detail page's listing) costs
        # less the general way than planned, so a plan is made the second time.
        self._met_once: dict[tuple[GraphQLObjectType, int], Any] = {}
        manager = self.middleware_manager
        # Queries only: a mutation's payload is met once, and giving up calls a plan's
        # resolvers again, which only reads may afford.
        self._planning = (
            manager is None or not manager.middlewares
        ) and self.operation.operation == OperationType.QUERY
        self._count = _current_count.get()

    def complete_object_value(self, return_type, field_details_list, info, path, result, position_context):  # type: ignore[no-untyped-def]
        """An object completed by its plan, or the general way when there is none or it gives up."""
        plan = self._plan_when_met_again(return_type, field_details_list, path) if self._planning else None
        if plan is not None:
            try:
                completed = plan.complete(result)
            except Exception:  # noqa: BLE001 - the general way raises it again, at its own path
                # What made it give up (a relation not loaded yet) is likely to recur for the
                # objects after this one: they go the general way without trying.
                self._plans[(return_type, id(field_details_list))] = (field_details_list, None)
            else:
                if self._count is not None:
                    self._count.objects += 1
                return completed
        return super().complete_object_value(return_type, field_details_list, info, path, result, position_context)

    def complete_iterable_value(self, item_type, field_details_list, info, path, items, position_context):  # type: ignore[no-untyped-def]
        """A list of objects completed by one plan from its first item, or the general way."""
        completed = self._complete_list(item_type, field_details_list, path, items) if self._planning else None
        if completed is not None:
            return completed
        return super().complete_iterable_value(item_type, field_details_list, info, path, items, position_context)

    def _complete_list(
        self, item_type: GraphQLOutputType, field_details_list: Any, path: Path, items: Any
    ) -> list[Any] | None:
        """The list's items completed by their selection's plan, or None to complete it the
        general way: a list of fewer than two objects (one object costs less the general way),
        a streamed one, no plan, or an item the plan gives up on (the whole list then goes the
        general way, which reports what made it give up at that item's own path)."""
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        required = object_type is not item_type
        if not isinstance(object_type, GraphQLObjectType) or not isinstance(items, (list, tuple)) or len(items) < 2:
            return None
        if self.get_stream_usage(field_details_list, path) is not None:
            return None
        is_awaitable = self.is_awaitable
        if any(is_awaitable(item) for item in items):
            return None  # the general way awaits them (a plan would close them)
        plan = self._plan(object_type, field_details_list, path.add_key(0, None))
        if plan is None:
            return None
        complete = _object(plan.complete, is_awaitable)
        if required:
            complete = _required(complete)
        try:
            completed = [complete(item) for item in items]
        except Exception:  # noqa: BLE001 - the general way raises it again, at its own path
            self._plans[(object_type, id(field_details_list))] = (field_details_list, None)
            return None
        if self._count is not None:
            self._count.objects += len(completed)
        return completed

    def release(self) -> None:
        """Drop the plans too: their getters hold resolve infos and this context's bound
        methods, another reference cycle through this context."""
        super().release()
        self._plans.clear()
        self._met_once.clear()

    def _plan_when_met_again(
        self, object_type: GraphQLObjectType, field_details_list: Any, path: Path | None
    ) -> _ObjectPlan | None:
        key = (object_type, id(field_details_list))
        if key not in self._plans and key not in self._met_once:
            self._met_once[key] = field_details_list  # kept alive, so that its id is not reused
            return None
        return self._plan(object_type, field_details_list, path)

    def _plan(self, object_type: GraphQLObjectType, field_details_list: Any, path: Path | None) -> _ObjectPlan | None:
        key = (object_type, id(field_details_list))
        found = self._plans.get(key)
        if found is None:
            try:
                plan = self._make_plan(object_type, field_details_list, path)
            except Exception:  # noqa: BLE001 - an argument that does not convert: the general way reports it
                plan = None
            found = (field_details_list, plan)
            self._plans[key] = found
        return found[1]

    def _make_plan(
        self, object_type: GraphQLObjectType, field_details_list: Any, path: Path | None
    ) -> _ObjectPlan | None:
        grouped, deferred, forbidden = self.collect_subfields(object_type, field_details_list)
        if deferred or forbidden:
            return None
        fields = []
        for response_name, details in grouped.items():
            field_path = Path(path, response_name, object_type.name)
            planned = self._field(object_type, response_name, details, field_path)
            if planned is None:
                return None
            fields.append(planned)
        is_type_of = None
        if object_type.is_type_of is not None:
            check, type_info = object_type.is_type_of, self._info_for(field_details_list, path)
            is_type_of = lambda source: check(source, type_info) is True  # noqa: E731
        return _ObjectPlan(fields, is_type_of)

    def _info_for(self, field_details_list: Any, path: Path | None) -> Any:
        """A resolve info for the field whose objects a plan completes (for ``is_type_of``)."""
        field_path = path
        while field_path is not None and field_path.typename is None:  # a list's index: its field is above
            field_path = field_path.prev
        parent_type = self.schema.get_type(field_path.typename or "") if field_path is not None else None
        if field_path is None or not isinstance(parent_type, GraphQLObjectType):
            return None
        field_def = self.schema.get_field(parent_type, field_details_list[0].node.name.value)
        if field_def is None:
            return None
        return self.build_resolve_info(field_def, [d.node for d in field_details_list], parent_type, field_path)

    def _field(
        self, parent_type: GraphQLObjectType, key: str, details: Any, path: Path
    ) -> tuple[str, Completer, Completer] | None:
        node = details[0].node
        name = node.name.value
        if name == "__typename":
            typename = parent_type.name
            return key, lambda _source: typename, _identity
        field_def = self.schema.get_field(parent_type, name)
        if field_def is None:
            return None
        definition = field_def.extensions.get("strawberry-definition")
        if not isinstance(definition, StrawberryField) or definition.extensions or definition.is_async:
            return None
        getter = self._getter(field_def, definition, details, parent_type, path)
        completer = self._completer(field_def.type, details, path)
        if getter is None or completer is None:
            return None
        return key, getter, completer

    def _getter(
        self, field_def: Any, definition: StrawberryField, details: Any, parent_type: Any, path: Path
    ) -> Completer | None:
        strawberry_schema = self.schema._strawberry_schema  # type: ignore[attr-defined]
        if strawberry_schema.exception_handlers:
            return None
        resolver = definition.base_resolver
        if resolver is None:
            if definition.default_resolver is not getattr:
                return None
            return operator.attrgetter(definition.python_name)
        first = details[0]
        raw = get_argument_values(
            field_def, first.node, self.variable_values, first.fragment_variable_values, self.hide_suggestions
        )
        info = strawberry_schema.config.info_class(
            _raw_info=self.build_resolve_info(field_def, [d.node for d in details], parent_type, path),
            _field=definition,
        )
        kwargs = convert_arguments(
            raw, definition.arguments, strawberry_schema.schema_converter.scalar_registry,
            strawberry_schema.config, info,
        )  # fmt: skip
        if not all(isinstance(value, _IMMUTABLE) for value in kwargs.values()):
            return None  # shared by every object of the plan: an input object or list could be changed by one
        if resolver.info_parameter:
            kwargs[resolver.info_parameter.name] = info
        source_names = [p.name for p in (resolver.parent_parameter, resolver.root_parameter) if p]
        call: Callable[..., Any] = resolver  # as Strawberry calls it
        with_self = resolver.self_parameter is not None
        is_awaitable = self.is_awaitable

        def get(source: Any) -> Any:
            arguments = {**kwargs, **dict.fromkeys(source_names, source)} if source_names else kwargs
            found = call(source, **arguments) if with_self else call(**arguments)
            if is_awaitable(found):
                close = getattr(found, "close", None)
                if close is not None:
                    close()
                raise _Fallback
            return found

        return get

    def _completer(self, return_type: GraphQLOutputType, details: Any, path: Path) -> Completer | None:
        if isinstance(return_type, GraphQLNonNull):
            inner = self._completer(return_type.of_type, details, path)
            return None if inner is None else _required(inner)
        if isinstance(return_type, GraphQLList):
            if self.get_stream_usage(details, path) is not None:
                return None  # streamed: graphql-core delivers its items later
            item = self._completer(return_type.of_type, details, path)
            return None if item is None else _optional(_list_of(item))
        if isinstance(return_type, (GraphQLScalarType, GraphQLEnumType)):
            return _optional(_leaf(return_type))
        if isinstance(return_type, GraphQLObjectType):
            plan = self._plan(return_type, details, path)
            return None if plan is None else _object(plan.complete, self.is_awaitable)
        return None  # interfaces and unions: the general way resolves their runtime type


# Argument values a plan may hand to every object's resolver: none can be changed by one of them.
_IMMUTABLE = (type(None), bool, int, float, str, Enum, date, Decimal, UUID)


def _identity(value: Any) -> Any:
    return value


def _required(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        completed = inner(value)
        if completed is None:
            raise _Fallback
        return completed

    return complete


def _optional(inner: Completer) -> Completer:
    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception):
            raise _Fallback
        return inner(value)

    return complete


def _object(complete_object: Completer, is_awaitable: Callable[[Any], bool]) -> Completer:
    """An object's completer: null for null, and giving up on an error or an awaitable (a
    list's item the plan's getter did not see), which a plan whose selection does not read its
    source would otherwise complete as an object."""

    def complete(value: Any) -> Any:
        if value is None or value is Undefined:
            return None
        if isinstance(value, Exception) or is_awaitable(value):
            raise _Fallback
        return complete_object(value)

    return complete


def _list_of(item: Completer) -> Completer:
    def complete(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _Fallback
        try:
            return [item(element) for element in value]
        except _Fallback:
            for element in value:  # the general way calls the resolver again: these would never be awaited
                if (close := getattr(element, "close", None)) is not None and inspect.isawaitable(element):
                    close()
            raise

    return complete


def _leaf(leaf_type: GraphQLLeafType) -> Completer:
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is None or coerced is Undefined:
            raise _Fallback
        return coerced

    return complete
