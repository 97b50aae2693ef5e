"""What every resolver of one request can reach: the database, the viewer, the loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from auth.tokens import AccessToken
from registry.api.loaders import Loaders
from registry.config import Settings
from registry.db import Executor
from registry.domain.search import PUBLIC, Visibility


@dataclass
class Context:
    """The context object of one GraphQL request."""

    db: Executor
    access: AccessToken | None = None
    settings: Settings = field(default_factory=Settings)
    today: date = field(default_factory=date.today)
    viewer: Visibility = field(init=False)
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.viewer = visibility(self.access)
        self.loaders = Loaders(self.db, self.viewer)


def visibility(access: AccessToken | None) -> Visibility:
    """What a token lets its bearer see: its provider's drafts, or everything for operators."""
    if access is None:
        return PUBLIC
    return Visibility(own_provider_id=access.provider_id, admin=access.is_admin)
