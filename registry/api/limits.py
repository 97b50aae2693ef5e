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

from graphql import GraphQLError, ValidationRule
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

# The refusal messages of the limiters (graphql-core's and Strawberry's) -> the code clients see.
CODES = {
    "exceeds maximum operation depth": "QUERY_TOO_DEEP",
    "aliases found. Allowed:": "TOO_MANY_ALIASES",
    "Document contains more than": "TOO_MANY_TOKENS",
    "directives found. Allowed:": "TOO_MANY_DIRECTIVES",
    "characters found. Allowed:": "DOCUMENT_TOO_LONG",
}


class MaxDirectives(ValidationRule):
    """Refuses a document using more than MAX_DIRECTIVES directives, fragments included."""

    def __init__(self, context) -> None:
        super().__init__(context)
        self.count = 0

    def enter_directive(self, node, *_) -> None:
        self.count += 1
        if self.count == MAX_DIRECTIVES + 1:
            self.report_error(
                GraphQLError(f"More than {MAX_DIRECTIVES} directives found. Allowed: {MAX_DIRECTIVES}.", node)
            )


class MaxDocumentLength(SchemaExtension):
    """Refuses a document longer than MAX_DOCUMENT_CHARS before it is parsed."""

    def on_parse(self) -> Iterator[None]:
        length = len(self.execution_context.query or "")
        if length > MAX_DOCUMENT_CHARS:
            raise GraphQLError(
                f"{length} characters found. Allowed: {MAX_DOCUMENT_CHARS}. Send long values as variables."
            )
        yield


# The rule classes, made once: Strawberry's QueryDepthLimiter and MaxAliasesLimiter make new
# ones for every request, and the validation cache is keyed by the rules, so it never hit
# (found by profiling: every CredentialDetail was validated afresh, about 30 ms of Python).
RULES = (
    query_depth_limiter.create_validator(MAX_DEPTH, None),
    max_aliases.create_validator(MAX_ALIASES),
    MaxDirectives,
)


def extensions() -> list:
    """The schema extensions enforcing the limits."""
    return [
        MaxDocumentLength,
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: AddValidationRules(list(RULES)),
    ]


def code_of(message: str) -> str | None:
    """The limit a refusal message is about, if any."""
    return next((code for fragment, code in CODES.items() if fragment in message), None)
