"""How many objects one field may look up by ID at once: `nodes(ids:)` and federation's
`_entities(representations:)`, each costed per object (registry/api/cost.py)."""

from __future__ import annotations

from registry.api.errors import BadUserInput

MAX_LOOKUPS = 100


def check_lookups(count: int, argument: str) -> None:
    """Refuses a look-up of more than MAX_LOOKUPS objects (BAD_USER_INPUT, naming ``argument``)."""
    if count > MAX_LOOKUPS:
        raise BadUserInput(f"`{argument}` may name at most {MAX_LOOKUPS} objects (got {count}).", field=argument)
