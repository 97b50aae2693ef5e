"""How big a GraphQL document may be: nesting depth, aliases, directives and tokens, checked
before any resolver runs, each refusal with its own stable code.

The deepest named operation (a credential's links' targets' provider) nests 6 levels; 12
leaves room for honest queries and none for a recursive bomb. Aliases multiply a field's
cost; 30 covers a page asking for every language of every text. 5,000 tokens is many times
the largest named operation, and the parser stops counting there. Directives (@include,
@skip) cost a little work each wherever they sit; 50 is far more than any portal uses. A
document's text may hold 50,000 characters (27 times the largest named operation): one string
literal of the 4 MB a body may hold took 0.6 s of a worker to parse; long values travel as
variables.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import GraphQLError, ValidationContext, ValidationRule
from strawberry.extensions import (
    AddValidationRules,
    MaxTokensLimiter,
    SchemaExtension,
    max_aliases,
    query_depth_limiter,
)

MAX_DEPTH = 12
MAX_ALIASES = 30
MAX_TOKENS = 5_000
MAX_DIRECTIVES = 50
MAX_DOCUMENT_CHARS = 50_000

# graphql-core's refusal of a document past MAX_TOKENS: a syntax error, told from the others by
# its whole message (a syntax error quotes the text it stopped at, which the sender chose).
TOO_MANY_TOKENS_MESSAGE = f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."


class MaxDirectives(ValidationRule):
    """Refuses a document using more than MAX_DIRECTIVES directives, fragments included."""

    def __init__(self, context) -> None:
        super().__init__(context)
        self.count = 0

    def enter_directive(self, node, *_) -> None:
        self.count += 1
        if self.count == MAX_DIRECTIVES + 1:
            message = f"More than {MAX_DIRECTIVES} directives found. Allowed: {MAX_DIRECTIVES}."
            self.report_error(GraphQLError(message, node, extensions={"code": "TOO_MANY_DIRECTIVES"}))


class MaxDocumentLength(SchemaExtension):
    """Refuses a document longer than MAX_DOCUMENT_CHARS before it is parsed."""

    def on_parse(self) -> Iterator[None]:
        length = len(self.execution_context.query or "")
        if length > MAX_DOCUMENT_CHARS:
            raise GraphQLError(
                f"{length} characters found. Allowed: {MAX_DOCUMENT_CHARS}. Send long values as variables.",
                extensions={"code": "DOCUMENT_TOO_LONG"},
            )
        yield


class _CodedReports:
    """A validation context whose reported errors carry ``code``: Strawberry's limiters report
    bare errors, from their constructors, to the context they are given."""

    def __init__(self, context: ValidationContext, code: str) -> None:
        self._context, self._code = context, code

    def __getattr__(self, name: str) -> Any:
        return getattr(self._context, name)

    def report_error(self, error: GraphQLError) -> None:
        error.extensions = {**(error.extensions or {}), "code": self._code}
        self._context.report_error(error)


def _coded(rule: type[ValidationRule], code: str) -> type[ValidationRule]:
    """``rule`` reporting its errors with ``code``."""

    class Coded(rule):  # type: ignore[valid-type,misc]
        def __init__(self, context: ValidationContext) -> None:
            try:
                super().__init__(_CodedReports(context, code))
            except KeyError:  # a spread of a fragment the document lacks, which Strawberry's
                ValidationRule.__init__(self, context)  # limiters look up: graphql-core reports it

    Coded.__name__ = Coded.__qualname__ = rule.__name__
    return Coded


# The rule classes, made once: Strawberry's QueryDepthLimiter and MaxAliasesLimiter make new
# ones for every request, and the validation cache is keyed by the rules, so it never hit
# (found by profiling: every CredentialDetail was validated afresh, about 30 ms of Python).
RULES = (
    _coded(query_depth_limiter.create_validator(MAX_DEPTH, None), "QUERY_TOO_DEEP"),
    _coded(max_aliases.create_validator(MAX_ALIASES), "TOO_MANY_ALIASES"),
    MaxDirectives,
)


def extensions() -> list:
    """The schema extensions enforcing the limits."""
    return [
        MaxDocumentLength,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(list(RULES)),
    ]


def code_of(error: GraphQLError) -> str | None:
    """The limit a refusal raised without a code is about, if any: graphql-core's token limit."""
    return "TOO_MANY_TOKENS" if error.message == TOO_MANY_TOKENS_MESSAGE else None
