"""Loading an occupational classification: Statistics Canada's NOC 2021 files, whole, in one
transaction with its audit-trail entry. Loading again changes only what the files changed;
nothing is removed (listings keep the codes they are tagged with)."""

from __future__ import annotations

from dataclasses import dataclass

from registry.db import Database
from registry.domain.errors import Outcome, Problem
from registry.domain.principals import Principal, require_operator
from registry.domain.vocabularies import OCCUPATION_SCHEME
from registry.interop import noc
from registry.store import audit
from registry.store import occupations as store


@dataclass(frozen=True)
class Loaded:
    """What a load read and wrote."""

    files: list[str]  # each file and what it was read as, e.g. "cnp.csv: elements (fr)"
    unit_groups: int
    created: int
    changed: int
    without_title: list[str]  # codes no file gave a title: not loaded

    @property
    def unchanged(self) -> int:
        return self.unit_groups - self.created - self.changed


async def load_noc(db: Database, principal: Principal, files: dict[str, bytes]) -> Outcome[Loaded]:
    """Load NOC 2021 unit groups from Statistics Canada's CSV files (name -> content): the
    structure and elements files, English and French, any of them, in any order."""
    require_operator(principal)
    try:
        found = noc.read(files)
        entries, without_title = noc.entries(found)
    except noc.UnreadableFile as unreadable:
        return Outcome.refused(Problem(("file",), "UNREADABLE_FILE", str(unreadable)))
    if not entries:
        return Outcome.refused(Problem(("file",), "NO_UNIT_GROUPS", "The files name no NOC 2021 unit group."))
    async with db.transaction() as tx:
        created, changed = await store.merge(tx, OCCUPATION_SCHEME, entries)
        loaded = Loaded(found.files, len(entries), created, changed, without_title)
        details = {"files": loaded.files, "unitGroups": len(entries), "created": created, "changed": changed}
        await audit.record(
            tx, actor=principal.client_id, action="occupations.loaded", target=OCCUPATION_SCHEME, details=details
        )
    return Outcome(loaded)
