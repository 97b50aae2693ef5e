"""The registry's secret key, and the cipher it makes for secrets kept in the database."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

from registry.config import Settings

log = logging.getLogger("microcred.auth")


def fernet(settings: Settings) -> Fernet:
    """The cipher for private signing keys, from the configured secret key.

    Any passphrase works: it is stretched to a Fernet key with SHA-256.
    """
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(_secret_key(settings).encode()).digest()))


def _secret_key(settings: Settings) -> str:
    if settings.secret_key:
        return settings.secret_key
    if settings.secret_key_file:
        return settings.secret_key_file.read_text().strip()
    path = Path(settings.data_dir) / "secret.key"
    if not path.exists():
        if settings.database_url:
            log.warning("No MICROCRED_SECRET_KEY set: generating %s. Set one in production.", path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process sharing the data folder wrote it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(32))
    return path.read_text().strip()
