"""The process's parsed documents, and what each request derives from them, kept by text.

Parsing, validating and pricing a document give the same answer every time its text comes
again, and portals send the same few operations all day: a search page's parse, validation and
price cost about 11 ms together. One store keeps all three, so that they are bounded and
evicted together: derived results are found by the document's identity (hashing a graphql-core
document walks its whole tree: 1.5% of a served search), and each entry holds its document, so
that an ID is not reused while its entry lives.

The bound is an estimate of the memory held, not a count of entries. A parsed document keeps
every token of its text (its nodes' locations point into the chain of tokens): a 10 KB text of
5,000 one-letter fields held 2.7 MB, so 512 such texts, 5 MB sent, pinned 1.4 GB in each
worker under the former 512-entry caches. An entry now weighs its text twice, as held in memory
(the key, and the values its tokens copy; a string of emoji takes 4 bytes a character), plus
TOKEN_BYTES a token, and the store keeps the most recently used entries up to BUDGET_BYTES. A
text heavier than a tenth of that is parsed afresh at each request and nothing derived from it
is kept; nor is a document that fails validation (its errors can outweigh it, and each repeat
should pay for its parse: registry/api/throttle.py).

The entries are kept in two segments (a segmented LRU, as in Caffeine's main space): a new
document waits on probation, and one asked again moves to the protected segment, which may hold
up to PROTECTED_SHARE of the budget and of the entries. A flood of documents each sent once
(about 1,400 tiny ones filled the former single list) now only churns probation, and the
operations portals repeat all day stay parsed.
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Any, TypeVar

from graphql import DocumentNode, GraphQLError, Token, parse
from strawberry.extensions import SchemaExtension

TOKEN_BYTES = 640  # measured (tracemalloc): 260-560 bytes of nodes, locations and tokens a token
BUDGET_BYTES = 32 * 2**20  # about 160 documents the size of the search page (1.8 KB, 306 tokens)
MAX_ENTRIES = 512  # and never more entries than this, however light
PROTECTED_SHARE = 0.8  # of the budget and the entries, for documents asked more than once

Derived = TypeVar("Derived")


class _Entry:
    """A kept document, its estimated weight, and what was derived from it, by key."""

    __slots__ = ("key", "document", "weight", "derived")

    def __init__(self, key: tuple[str, Hashable], document: DocumentNode, weight: int) -> None:
        self.key, self.document, self.weight = key, document, weight
        self.derived: dict[Hashable, Any] = {}


class KeptDocuments:
    """The most recently used parsed documents within a memory budget, those asked again
    protected from those asked once, and what was derived from each (``derive``)."""

    def __init__(self, budget: int = BUDGET_BYTES, max_entries: int = MAX_ENTRIES) -> None:
        self.budget, self.max_entries, self.heaviest = budget, max_entries, budget // 10
        self._probation: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()
        self._protected = _Segment(int(budget * PROTECTED_SHARE), int(max_entries * PROTECTED_SHARE))
        self._by_document: dict[int, _Entry] = {}
        self.weight = 0
        self.derivations = 0  # derive() calls that computed a result for a kept document

    def parse(self, text: str, **options: Any) -> DocumentNode:
        """``text`` parsed with graphql-core's ``options``: the kept document when there is one,
        else parsed now (and kept when it is light enough). Syntax errors are raised each time."""
        key = _key(text, options)
        entry = self._protected.entries.get(key)
        if entry is not None:
            self._protected.entries.move_to_end(key)
            return entry.document
        entry = self._probation.pop(key, None)
        if entry is not None:  # asked again: protected, and what that pushes out waits again
            for demoted in self._protected.add(entry):
                self._probation[demoted.key] = demoted  # the most recently used end
            return entry.document
        document = parse(text, **options)
        _unlink_tokens(document)
        weight = weight_of(text, document)
        if weight <= self.heaviest:
            self._keep(_Entry(key, document, weight))
        return document

    def derive(self, document: DocumentNode, key: Hashable, compute: Callable[[], Derived]) -> Derived:
        """What ``compute`` gives for ``document``, computed once for a kept document and ``key``,
        and at every call for a document this store does not hold."""
        entry = self._by_document.get(id(document))
        if entry is None or entry.document is not document:
            return compute()
        if key in entry.derived:
            return entry.derived[key]
        self.derivations += 1
        found = entry.derived[key] = compute()
        return found

    def derived(self, document: DocumentNode, key: Hashable) -> Any:
        """What was derived and kept for ``document`` and ``key``; None when nothing is."""
        entry = self._by_document.get(id(document))
        return entry.derived.get(key) if entry is not None and entry.document is document else None

    def forget(self, document: DocumentNode) -> None:
        """Drops ``document`` and what was derived from it, if kept."""
        entry = self._by_document.get(id(document))
        if entry is None or entry.document is not document:
            return
        if self._probation.pop(entry.key, None) is None:
            self._protected.remove(entry)
        del self._by_document[id(document)]
        self.weight -= entry.weight

    def holds(self, document: DocumentNode) -> bool:
        """Whether ``document`` is one of the kept documents."""
        entry = self._by_document.get(id(document))
        return entry is not None and entry.document is document

    def protects(self, document: DocumentNode) -> bool:
        """Whether ``document`` is kept in the protected segment (it was asked again)."""
        return self.holds(document) and self._by_document[id(document)].key in self._protected.entries

    def keeps(self, text: str, **options: Any) -> bool:
        """Whether ``text`` parsed with ``options`` is kept (parsing it again costs nothing)."""
        key = _key(text, options)
        return key in self._probation or key in self._protected.entries

    def __len__(self) -> int:
        return len(self._probation) + len(self._protected.entries)

    def _keep(self, entry: _Entry) -> None:
        self._probation[entry.key] = entry
        self._by_document[id(entry.document)] = entry
        self.weight += entry.weight
        # The protected segment holds at most PROTECTED_SHARE of both bounds, and no entry is
        # heavier than a tenth of the budget, so probation always has an entry to let go.
        while self._probation and (self.weight > self.budget or len(self) > self.max_entries):
            _, oldest = self._probation.popitem(last=False)
            del self._by_document[id(oldest.document)]
            self.weight -= oldest.weight


class _Segment:
    """The protected entries, least recently used first, within their own share of the bounds."""

    def __init__(self, budget: int, max_entries: int) -> None:
        self.budget, self.max_entries, self.weight = budget, max_entries, 0
        self.entries: OrderedDict[tuple[str, Hashable], _Entry] = OrderedDict()

    def add(self, entry: _Entry) -> list[_Entry]:
        """Protects ``entry``; returns the least recently used entries it pushed out."""
        self.entries[entry.key] = entry
        self.weight += entry.weight
        pushed_out = []
        while self.weight > self.budget or len(self.entries) > self.max_entries:
            _, oldest = self.entries.popitem(last=False)
            self.weight -= oldest.weight
            pushed_out.append(oldest)
        return pushed_out

    def remove(self, entry: _Entry) -> None:
        del self.entries[entry.key]
        self.weight -= entry.weight


def _key(text: str, options: dict[str, Any]) -> tuple[str, Hashable]:
    return (text, tuple(sorted(options.items())) if options else ())


def weight_of(text: str, document: DocumentNode) -> int:
    """The estimated bytes a kept document holds: its text twice (the key, and the values its
    tokens copy out of it, at 1 to 4 bytes a character), and TOKEN_BYTES a token."""
    return 2 * sys.getsizeof(text) + TOKEN_BYTES * token_count(document)


def token_count(document: DocumentNode) -> int:
    """How many tokens ``document`` holds through its locations (none without them)."""
    return sum(1 for _ in _tokens(document))


def _unlink_tokens(document: DocumentNode) -> None:
    """Drops each token's link to the one before it, which only the lexer reads: doubly linked,
    the tokens made every document a reference cycle, left to the cyclic collector when it was
    dropped. The serving workers collect seldom (registry/app.py), and 1,500 heavy documents
    left about 240 MB of them waiting; singly linked, a document is freed when dropped."""
    for token in _tokens(document):
        token.prev = None


def _tokens(document: DocumentNode) -> Iterator[Token]:
    token = document.loc.start_token if document.loc is not None else None
    while token is not None:
        yield token
        token = token.next


KEPT = KeptDocuments()
"""The process's store, shared by every request and schema (the parser, validation and cost)."""


class KeptParsing(SchemaExtension):
    """Parses each request's text through KEPT (in place of Strawberry's ``ParserCache``)."""

    def on_parse(self) -> Iterator[None]:
        run = self.execution_context
        run.graphql_document = KEPT.parse(run.query, **run.parse_options)  # type: ignore[arg-type]
        yield


class KeptValidation(SchemaExtension):
    """Validates each kept document once for each schema and set of rules (in place of
    Strawberry's ``ValidationCache``, which hashed the document at every request)."""

    def on_validate(self) -> Iterator[None]:
        run = self.execution_context
        schema, document, rules = run.schema._schema, run.graphql_document, run.validation_rules  # type: ignore[attr-defined]
        assert document is not None  # parsed before validation, or the request stopped there
        errors = KEPT.derive(document, ("validation", schema, rules), lambda: _validated(schema, document, rules))
        if errors:  # each repeat is parsed, validated and charged again (registry/api/throttle.py)
            KEPT.forget(document)
        run.pre_execution_errors = errors
        yield


def _validated(schema: Any, document: Any, rules: Any) -> list[GraphQLError]:
    from strawberry.schema.schema import validate_document  # imported late, as Strawberry does: a cycle

    return validate_document(schema, document, rules)
