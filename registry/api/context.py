"""What every resolver of one request can reach: the database, the viewer, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from registry.api.loaders import Loaders
from registry.db import Executor
from registry.domain.search import PUBLIC, Visibility


@dataclass
class Context:
    """The context object of one GraphQL request."""

    db: Executor
    viewer: Visibility = PUBLIC
    today: date = field(default_factory=date.today)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, self.viewer)
