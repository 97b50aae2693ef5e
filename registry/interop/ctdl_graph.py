"""A CTDL document's objects: one object, a JSON list of them, or an `@graph`.

Every object of a list is one of the document's own. In an `@graph`, a node that a node of
a supported class refers to (an organisation, a quality-assurance body, the degree a
credential prepares for, the courses a program has as parts) is there to be referred to: it
is read where it is referred to, never on its own. References are `@id`s, as strings or as
`{"@id": ...}` objects.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from registry.interop.ctdl_values import many


class Document:
    """A parsed CTDL document: its objects, in order, and those of them with an `@id`."""

    def __init__(self, document: Any) -> None:
        self.is_graph = isinstance(document, dict) and "@graph" in document
        nodes = document["@graph"] if self.is_graph else document
        self.nodes: list[Any] = many(nodes)
        self.index: dict[str, dict] = {
            node["@id"]: node for node in self.nodes if isinstance(node, dict) and isinstance(node.get("@id"), str)
        }
        self._own: list[tuple[int, Any]] | None = None
        self._own_ids: set[int] = set()
        # The references of each supported node (by id: the document holds every node).
        self._references: dict[int, list[str]] = {}

    def node(self, value: Any) -> Any:
        """A value, with a reference to an object of the document replaced by the object."""
        if isinstance(value, dict) and set(value) == {"@id"} and isinstance(value["@id"], str):
            return self.index.get(value["@id"], value)
        if isinstance(value, str):
            return self.index.get(value, value)
        return value

    def nodes_of(self, value: Any) -> list[Any]:
        return [self.node(v) for v in many(value)]

    def own_objects(self, supported: Callable[[Any], bool]) -> list[tuple[int, Any]]:
        """(position in the document, object) of each object the document is about: all of a
        list's; the `@graph` nodes no supported node refers to (if every supported node is
        referred to by another, as parts and wholes can be, the first of them)."""
        if self._own is None:
            self._own = self._find_own(supported)
            self._own_ids = {id(node) for _, node in self._own}
        return self._own

    def _find_own(self, supported: Callable[[Any], bool]) -> list[tuple[int, Any]]:
        positioned = list(enumerate(self.nodes, start=1))
        if not self.is_graph:
            return positioned
        self._references = {id(node): self.references(node) for node in self.nodes if supported(node)}
        referred = {id(self.index[i]) for found in self._references.values() for i in found}
        own = [(position, node) for position, node in positioned if id(node) not in referred]
        first = next(((p, n) for p, n in positioned if supported(n)), None)
        if first is not None and not any(supported(node) for _, node in own):
            own.append(first)
        return sorted(own, key=lambda pair: pair[0])

    def references(self, node: Any) -> list[str]:
        """The `@id`s of the other objects of the document that ``node`` refers to."""
        own = node.get("@id") if isinstance(node, dict) else None
        return list(dict.fromkeys(i for i in _ids(node, self.index) if i != own))

    def referred_objects(self, node: Any, supported: Callable[[Any], bool]) -> list[dict]:
        """The objects of a supported class of an `@graph` that ``node`` refers to and that are
        not the document's own (so are not imported)."""
        if not self.is_graph:
            return []
        self.own_objects(supported)
        found = self._references.get(id(node))
        return [
            self.index[i]
            for i in (self.references(node) if found is None else found)
            if supported(self.index[i]) and id(self.index[i]) not in self._own_ids
        ]


def _ids(value: Any, index: dict[str, dict]) -> Iterator[str]:
    if isinstance(value, str) and value in index:
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _ids(item, index)
    elif isinstance(value, dict) and set(value) == {"@id"}:
        yield from _ids(value["@id"], index)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in ("@id", "@context", "@type"):
                yield from _ids(item, index)


def deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON ``value`` nests lists and objects more than ``limit`` levels deep (read
    level by level, never recursively)."""
    level = [value]
    for _ in range(limit):
        level = [inner for item in level for inner in _children(item)]
        if not level:
            return False
    return True


def _children(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, (dict, list))]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, (dict, list))]
    return []
