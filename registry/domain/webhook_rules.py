"""Where a webhook may point: https to the public internet, unless configured otherwise.

A webhook makes the registry send requests; pointed at an internal address it would let a
client probe or reach the registry's own network (SSRF). Loopback (for development) and
private networks must each be allowed explicitly.
"""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from registry.domain.errors import Problem


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, *, allow_loopback: bool) -> list[Problem]:
    """Problems with a webhook URL as written (its addresses are checked when resolved)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return [Problem(("url",), "INVALID_URL", "The webhook URL must be an absolute https URL.")]
    if parts.scheme == "http" and not (allow_loopback and is_loopback_host(parts.hostname)):
        return [Problem(("url",), "INSECURE_URL", "Webhooks are delivered over https only.")]
    if parts.username or parts.password:
        return [Problem(("url",), "INVALID_URL", "Put no credentials in the URL: use the webhook secret.")]
    return []


def address_allowed(address: str, *, allow_loopback: bool, allow_private: bool) -> bool:
    """Whether the registry may send a request to this IP address."""
    ip = ipaddress.ip_address(address)
    if ip.is_loopback:
        return allow_loopback
    if ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified:
        return allow_private and ip.is_private and not ip.is_link_local
    return True
