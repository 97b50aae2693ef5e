"""Where the registry may send a request of its own (a webhook delivery, a harvest source's
fetch): https to the public internet, unless configured otherwise.

Pointed at an internal address, such a request would let a client probe or reach the
registry's own network (SSRF). So addresses are judged by an
allow list, not a block list:

1. An IPv6 address that carries an IPv4 address (IPv4-mapped, 6to4, well-known NAT64) is
   judged by the IPv4 address inside it, since that is where the packets end up.
   IPv4-compatible and IPv4-translated forms are unwrapped too (for the reason given) but
   always refused: no network routes them. Teredo and local-use NAT64 addresses are refused
   outright: where their IPv4 address sits is a local choice, so it cannot be recovered.
2. An address is allowed only when it is globally routable: IPv4 that ``ipaddress`` calls
   global and no special-purpose range holds; IPv6 inside global unicast 2000::/3 and
   outside the special-purpose ranges there.
3. "Allow private" (``webhooks_allow_private``) adds RFC 1918 and IPv6 unique-local
   addresses, nothing else. "Allow loopback" (``webhooks_allow_loopback``, for tests and
   development) adds loopback. Unspecified, link-local, shared (100.64.0.0/10), multicast,
   reserved, documentation and cloud metadata addresses are never allowed.

A URL's host is judged as written when it is an address; a name is judged by every address
it resolves to at each request (services/outbound.py), since DNS answers change.
Numeric hosts other than a plain dotted quad (``2130706433``, ``0x7f.1``, ``127.1``,
``0177.0.0.1``) are refused: resolvers and URL parsers read them differently, so the address
checked might not be the address called.

Pure: no I/O, no resolution.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network
from urllib.parse import SplitResult, urlsplit

from registry.domain.errors import Problem

IPAddress = IPv4Address | IPv6Address

# Cloud metadata services: refused whatever the settings, even where their range is allowed.
METADATA_NETWORKS: tuple[IPv4Network | IPv6Network, ...] = (
    IPv4Network("169.254.169.254/32"),  # AWS, Azure, GCP, OpenStack, Oracle, DigitalOcean
    IPv4Network("100.100.100.200/32"),  # Alibaba Cloud
    IPv4Network("192.0.0.192/32"),  # Oracle Cloud (legacy)
    IPv6Network("fd00:ec2::/32"),  # AWS inside a VPC: metadata ::254, DNS ::253, time ::123
)

# The ranges "allow private" opens.
PRIVATE_NETWORKS: tuple[IPv4Network | IPv6Network, ...] = (
    IPv4Network("10.0.0.0/8"),
    IPv4Network("172.16.0.0/12"),
    IPv4Network("192.168.0.0/16"),  # RFC 1918
    IPv6Network("fc00::/7"),  # unique local addresses, RFC 4193
)

# IPv4 special-purpose ranges (IANA registry) refused by name; ``is_global`` backs them up.
# Listed explicitly because Python's ``is_global`` varies between releases and calls
# multicast global.
IPV4_SPECIAL: tuple[tuple[IPv4Network, str], ...] = (
    (IPv4Network("0.0.0.0/8"), "unspecified ('this network')"),
    (IPv4Network("100.64.0.0/10"), "shared address space (carrier-grade NAT, some clouds' metadata)"),
    (IPv4Network("169.254.0.0/16"), "link-local"),
    (IPv4Network("192.0.0.0/24"), "reserved for IETF protocols"),
    (IPv4Network("192.0.2.0/24"), "documentation"),
    (IPv4Network("192.88.99.0/24"), "a 6to4 relay"),
    (IPv4Network("198.18.0.0/15"), "benchmarking"),
    (IPv4Network("198.51.100.0/24"), "documentation"),
    (IPv4Network("203.0.113.0/24"), "documentation"),
    (IPv4Network("224.0.0.0/4"), "multicast"),
    (IPv4Network("240.0.0.0/4"), "reserved or broadcast"),
)

# IPv6 outside global unicast is refused anyway; these are named for a clearer reason.
IPV6_SPECIAL: tuple[tuple[IPv6Network, str], ...] = (
    (IPv6Network("::/128"), "unspecified"),
    (IPv6Network("fe80::/10"), "link-local"),
    (IPv6Network("fec0::/10"), "site-local (deprecated)"),
    (IPv6Network("ff00::/8"), "multicast"),
    (IPv6Network("100::/64"), "discard-only"),
    (IPv6Network("2001::/32"), "a Teredo tunnel"),
    (IPv6Network("2001::/23"), "reserved for IETF protocols"),
    (IPv6Network("2001:db8::/32"), "documentation"),
    (IPv6Network("3fff::/20"), "documentation"),
    (IPv6Network("64:ff9b:1::/48"), "local-use NAT64"),
)
GLOBAL_UNICAST = IPv6Network("2000::/3")

# IPv6 forms that carry an IPv4 address in their low 32 bits (6to4 carries it higher up).
IPV4_MAPPED = IPv6Network("::ffff:0:0/96")
IPV4_TRANSLATED = IPv6Network("::ffff:0:0:0/96")  # SIIT, RFC 2765
IPV4_COMPATIBLE = IPv6Network("::/96")  # deprecated, RFC 4291
NAT64_WELL_KNOWN = IPv6Network("64:ff9b::/96")  # RFC 6052
SIX_TO_FOUR = IPv6Network("2002::/16")  # RFC 3056
# Wrappers no network routes, even around a public IPv4 address: refused once unwrapped.
UNROUTED_WRAPPERS: tuple[tuple[IPv6Network, str], ...] = (
    (IPV4_COMPATIBLE, "an IPv4-compatible address (deprecated, not routed)"),
    (IPV4_TRANSLATED, "an IPv4-translated address (only inside a translator)"),
)
LOW_32_BITS = 0xFFFF_FFFF
# What DNS names are made of, once in IDNA form (underscores appear in real names).
HOST_NAME = re.compile(r"[a-z0-9_.-]+")


def is_loopback_host(host: str) -> bool:
    """Whether a URL host, as written, names this machine (used for the http exception)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def embedded_ipv4(ip: IPv6Address) -> IPv4Address | None:
    """The IPv4 address an IPv6 address carries to its destination, if it carries one."""
    if ip in IPV4_MAPPED:
        return ip.ipv4_mapped
    if ip in SIX_TO_FOUR:
        return ip.sixtofour
    if ip in IPV4_TRANSLATED or ip in NAT64_WELL_KNOWN:
        return IPv4Address(int(ip) & LOW_32_BITS)
    # :: and ::1 are IPv6's own unspecified and loopback, not IPv4-compatible addresses.
    if ip in IPV4_COMPATIBLE and int(ip) > 1:
        return IPv4Address(int(ip) & LOW_32_BITS)
    return None


def _in_any(ip: IPAddress, networks: Iterable[IPv4Network | IPv6Network]) -> bool:
    """Whether ``ip`` lies in one of ``networks`` (of either family)."""
    return any(ip.version == network.version and ip in network for network in networks)


def _ipv4_refusal(ip: IPv4Address, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why an IPv4 address is refused, or None when it is allowed."""
    if _in_any(ip, METADATA_NETWORKS):
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if _in_any(ip, PRIVATE_NETWORKS):
        return None if allow_private else "private (RFC 1918)"
    for network, reason in IPV4_SPECIAL:
        if ip in network:
            return reason
    return None if ip.is_global else "not globally routable"


def _ipv6_refusal(ip: IPv6Address, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why an IPv6 address that carries no IPv4 address is refused, or None when it is allowed."""
    if _in_any(ip, METADATA_NETWORKS):
        return "a cloud metadata address"
    if ip.is_loopback:
        return None if allow_loopback else "loopback"
    if _in_any(ip, PRIVATE_NETWORKS):
        return None if allow_private else "unique local (private)"
    for network, reason in IPV6_SPECIAL:
        if ip in network:
            return reason
    if ip not in GLOBAL_UNICAST:
        return "outside global unicast (2000::/3)"
    return None if ip.is_global else "not globally routable"


def address_refusal(address: str, *, allow_loopback: bool, allow_private: bool) -> str | None:
    """Why the registry may not send a request to this IP address, or None when it may."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "not an IP address"
    if isinstance(ip, IPv4Address):
        return _ipv4_refusal(ip, allow_loopback=allow_loopback, allow_private=allow_private)
    if ip.scope_id:
        # A zone (``%eth0``) binds the address to one interface of this machine.
        return "bound to a local interface"
    inner = embedded_ipv4(ip)
    if inner is None:
        return _ipv6_refusal(ip, allow_loopback=allow_loopback, allow_private=allow_private)
    reason = _ipv4_refusal(inner, allow_loopback=allow_loopback, allow_private=allow_private)
    if reason:
        return f"{reason} (it carries {inner})"
    for network, dead_form in UNROUTED_WRAPPERS:
        if ip in network:
            return dead_form
    return None


def address_allowed(address: str, *, allow_loopback: bool, allow_private: bool) -> bool:
    """Whether the registry may send a request to this IP address."""
    return address_refusal(address, allow_loopback=allow_loopback, allow_private=allow_private) is None


def first_refused(addresses: Iterable[str], *, allow_loopback: bool, allow_private: bool) -> tuple[str, str] | None:
    """(address, reason) for the first of a name's addresses that is refused, or None.

    One refused address refuses the name: the connection might go to any of them."""
    for address in addresses:
        reason = address_refusal(address, allow_loopback=allow_loopback, allow_private=allow_private)
        if reason:
            return address, reason
    return None


def _ends_in_number(host: str) -> bool:
    """Whether a host's last label is a number, so URL parsers read the host as IPv4.

    The WHATWG URL standard's test: decimal digits, or 0x and hex digits."""
    last = host.removesuffix(".").rpartition(".")[2].lower()
    if last.startswith("0x"):
        return all(ch in "0123456789abcdef" for ch in last[2:])
    return last != "" and all(ch in "0123456789" for ch in last)


def _refused_address(address: str, written: str, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """A FORBIDDEN_ADDRESS problem when a literal address is refused, else none."""
    reason = address_refusal(address, allow_loopback=allow_loopback, allow_private=allow_private)
    if reason is None:
        return []
    return [Problem(("url",), "FORBIDDEN_ADDRESS", f"The host {written} is {reason}; the registry may not call it.")]


def _is_localhost_name(ascii_host: str) -> bool:
    """Whether a name is ``localhost`` or under it: RFC 6761 has resolvers answer loopback."""
    name = ascii_host.removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


def _numeric_host_problems(host: str, ascii_host: str, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """Problems with a host that URL parsers read as IPv4: only a plain dotted quad is taken."""
    try:
        canonical = str(IPv4Address(ascii_host))
    except ValueError:  # 2130706433, 0x7f.1, 127.1, 0177.0.0.1, a trailing dot...
        canonical = None
    if canonical != ascii_host or ascii_host != host:
        return [
            Problem(
                ("url",),
                "AMBIGUOUS_ADDRESS",
                f"Write the IPv4 address {host!r} as four decimal numbers (a.b.c.d), or use a name.",
            )
        ]
    return _refused_address(ascii_host, ascii_host, allow_loopback=allow_loopback, allow_private=allow_private)


def check_host(host: str, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """Problems with a URL's host as written (``urlsplit(url).hostname``, brackets removed)."""
    if ":" in host:  # only an IPv6 literal holds a colon
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return [Problem(("url",), "INVALID_URL", f"{host!r} is not an IPv6 address.")]
        return _refused_address(host, f"[{host}]", allow_loopback=allow_loopback, allow_private=allow_private)
    try:
        # The resolver sees the IDNA form: full-width digits and dots become ASCII ones.
        ascii_host = host.encode("idna").decode("ascii").lower()
    except UnicodeError:
        return [Problem(("url",), "INVALID_URL", f"{host!r} is not a valid host name.")]
    if not ascii_host.strip("."):
        return [Problem(("url",), "INVALID_URL", "The URL has no host.")]
    if not HOST_NAME.fullmatch(ascii_host):
        # A percent sign or other stray character means another parser may decode the host
        # into something else (127.0.0.1%2e is 127.0.0.1. to a WHATWG parser).
        return [Problem(("url",), "INVALID_URL", f"{host!r} is not a valid host name.")]
    if _ends_in_number(ascii_host):
        return _numeric_host_problems(host, ascii_host, allow_loopback=allow_loopback, allow_private=allow_private)
    if _is_localhost_name(ascii_host) and not allow_loopback:
        return [Problem(("url",), "FORBIDDEN_ADDRESS", f"The host {host} is loopback; the registry may not call it.")]
    return []


def _port_problems(parts: SplitResult) -> list[Problem]:
    """An INVALID_URL problem when the URL names a port no server listens on."""
    try:
        port = parts.port
    except ValueError:  # out of range, or not a number
        port = 0
    if port == 0:
        return [Problem(("url",), "INVALID_URL", "The URL's port must be a number from 1 to 65535.")]
    return []


def check_destination(url: str, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """Problems with where a URL sends a request (port and host as written), whatever its scheme."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an IPv4 address in brackets
        return [Problem(("url",), "INVALID_URL", "The URL cannot be read.")]
    if not parts.hostname:
        return [Problem(("url",), "INVALID_URL", "The URL has no host.")]
    return _port_problems(parts) or check_host(
        parts.hostname, allow_loopback=allow_loopback, allow_private=allow_private
    )


def check_url(url: str, *, allow_loopback: bool, allow_private: bool) -> list[Problem]:
    """Problems with a URL the registry would call, as written (a name's addresses are checked when resolved)."""
    try:
        parts = urlsplit(url)
    except ValueError:  # e.g. an IPv4 address in brackets
        parts = None
    if parts is None or parts.scheme not in {"http", "https"} or not parts.hostname:
        return [Problem(("url",), "INVALID_URL", "The URL must be an absolute https URL.")]
    if parts.scheme == "http" and not (allow_loopback and is_loopback_host(parts.hostname)):
        return [Problem(("url",), "INSECURE_URL", "The registry calls https URLs only.")]
    if parts.username or parts.password:
        return [Problem(("url",), "INVALID_URL", "Put no credentials in the URL.")]
    return check_destination(url, allow_loopback=allow_loopback, allow_private=allow_private)
