"""Requests the registry sends on its own (webhook deliveries, harvest fetches), to addresses
it may call (registry.domain.outbound_addresses).

A URL's host is checked as written, then resolved, every address it resolves to checked, and
the request sent to the very address checked: a DNS answer that changes between the check and
the connection (rebinding) cannot send it elsewhere. TLS still checks the certificate against
the URL's own host name (SNI).
"""

from __future__ import annotations

import asyncio
import logging
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from registry.config import Settings
from registry.domain.outbound_addresses import check_destination, first_refused

log = logging.getLogger("microcred.outbound")


class Blocked(Exception):
    """The URL points at, or its host resolves to, an address the registry may not call."""


@dataclass(frozen=True)
class Pinned:
    """A URL with its host replaced by the address it resolved to, and what to send with it."""

    url: str
    headers: dict[str, str]  # the original Host
    extensions: dict[str, str]  # httpx's sni_hostname: the certificate is checked against the name


async def pinned(url: str, settings: Settings) -> Pinned:
    """``url`` pinned to an address it resolves to. Raises Blocked for an address the registry
    may not call, OSError when the host does not resolve."""
    allow = {"allow_loopback": settings.webhooks_allow_loopback, "allow_private": settings.webhooks_allow_private}
    # A URL called before a rule existed is held to it here, and a numeric host such as
    # ``0x7f.1`` never reaches the resolver, which would read it as an address.
    problems = check_destination(url, **allow)
    if problems:
        raise Blocked(problems[0].message)
    parts = urlsplit(url)
    default_port = 443 if parts.scheme == "https" else 80
    infos = await asyncio.get_running_loop().getaddrinfo(
        parts.hostname, parts.port or default_port, type=socket.SOCK_STREAM
    )
    # An IPv4 or IPv6 socket address starts with the IP as text (the families a host name resolves to).
    addresses = [address[0] for *_, address in infos if isinstance(address[0], str)]
    refused = first_refused(addresses, **allow)
    if refused:
        # The address and the reason stay in the log: the caller's client must not learn how
        # the registry's resolver answers for internal names.
        log.warning("host %s resolves to %s (%s): refused", parts.hostname, *refused)
        raise Blocked(f"{parts.hostname} resolves to an address the registry may not call.")
    if not addresses:
        raise OSError(f"{parts.hostname} does not resolve")
    ip = addresses[0]
    host = f"[{ip}]" if ":" in ip else ip
    netloc = f"{host}:{parts.port}" if parts.port else host
    return Pinned(
        parts._replace(netloc=netloc).geturl(),
        {"host": parts.netloc.rpartition("@")[2]},
        {"sni_hostname": parts.hostname or ""},
    )
