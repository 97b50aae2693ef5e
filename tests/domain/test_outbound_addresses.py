"""The webhook address rule, without a database: an allow list that no address form slips past (SSRF).

Each test walks a table and collects every verdict that differs from the expected one, so a
failure lists all the forms that got through, not just the first.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address

from registry.domain import outbound_addresses as rules

REFUSED, ALLOWED = False, True
DEFAULT = {"allow_loopback": False, "allow_private": False}
PRIVATE = {"allow_loopback": False, "allow_private": True}


def wrong_verdicts(table: list[tuple[str, bool, bool]], *, allow_loopback: bool = False) -> list[tuple]:
    """(address, setting, expected) for every row whose verdict differs, by default and with allow-private."""
    wrong = []
    for address, by_default, with_private in table:
        for setting, expected in (("default", by_default), ("allow-private", with_private)):
            allowed = rules.address_allowed(
                address, allow_loopback=allow_loopback, allow_private=setting == "allow-private"
            )
            if allowed is not expected:
                wrong.append((address, setting, "allowed" if expected else "refused"))
    return wrong


def test_ipv4_mapped_translated_and_compatible_forms_cannot_smuggle_loopback_or_metadata():
    """Threat: an IPv6 wrapper around 127.0.0.1 or 169.254.169.254 passes a check that reads only IPv6."""
    table = [
        ("::ffff:127.0.0.1", REFUSED, REFUSED),
        ("::ffff:7f00:1", REFUSED, REFUSED),
        ("::ffff:0.0.0.0", REFUSED, REFUSED),
        ("::ffff:169.254.169.254", REFUSED, REFUSED),
        ("::ffff:100.100.100.200", REFUSED, REFUSED),
        ("::ffff:100.64.0.1", REFUSED, REFUSED),
        ("::ffff:10.0.0.1", REFUSED, ALLOWED),  # the private address it carries, nothing more
        ("::ffff:8.8.8.8", ALLOWED, ALLOWED),  # a public address in mapped form is that address
        ("::ffff:0:127.0.0.1", REFUSED, REFUSED),  # IPv4-translated (SIIT)
        ("::ffff:0:8.8.8.8", REFUSED, REFUSED),  # translated forms are never routed
        ("::127.0.0.1", REFUSED, REFUSED),  # IPv4-compatible (deprecated)
        ("::169.254.169.254", REFUSED, REFUSED),
        ("::8.8.8.8", REFUSED, REFUSED),  # compatible forms are never routed
    ]
    assert wrong_verdicts(table) == []


def test_6to4_and_nat64_addresses_are_judged_by_the_ipv4_address_inside():
    """Threat: 2002::/16 and 64:ff9b::/96 relay to an embedded IPv4 address such as 127.0.0.1 or metadata."""
    table = [
        ("2002:7f00:1::", REFUSED, REFUSED),  # 6to4 of 127.0.0.1
        ("2002:a9fe:a9fe::1", REFUSED, REFUSED),  # 6to4 of 169.254.169.254
        ("2002:6440:1::", REFUSED, REFUSED),  # 6to4 of 100.64.0.1
        ("2002:0:0::", REFUSED, REFUSED),  # 6to4 of 0.0.0.0
        ("2002:a00:1::", REFUSED, ALLOWED),  # 6to4 of 10.0.0.1
        ("2002:808:808::1", ALLOWED, ALLOWED),  # 6to4 of 8.8.8.8
        ("64:ff9b::7f00:1", REFUSED, REFUSED),  # NAT64 of 127.0.0.1
        ("64:ff9b::169.254.169.254", REFUSED, REFUSED),  # NAT64 of the metadata address
        ("64:ff9b::100.100.100.200", REFUSED, REFUSED),
        ("64:ff9b::c0a8:101", REFUSED, ALLOWED),  # NAT64 of 192.168.1.1
        ("64:ff9b::808:808", ALLOWED, ALLOWED),  # NAT64 of 8.8.8.8
    ]
    assert wrong_verdicts(table) == []


def test_teredo_and_local_use_nat64_are_refused_outright():
    """Threat: tunnels whose embedded IPv4 address cannot be recovered reliably reach hidden hosts."""
    table = [
        ("2001:0:4136:e378:8000:63bf:3fff:fdd2", REFUSED, REFUSED),  # Teredo
        ("2001::1", REFUSED, REFUSED),
        ("64:ff9b:1::7f00:1", REFUSED, REFUSED),  # local-use NAT64 (RFC 8215)
        ("64:ff9b:1::808:808", REFUSED, REFUSED),
    ]
    assert wrong_verdicts(table) == []


def test_unspecified_addresses_never_reach_this_machine():
    """Threat: connecting to 0.0.0.0 or :: reaches the registry's own loopback listeners."""
    table = [
        ("0.0.0.0", REFUSED, REFUSED),
        ("0.1.2.3", REFUSED, REFUSED),
        ("::", REFUSED, REFUSED),
        ("::ffff:0:0", REFUSED, REFUSED),
    ]
    assert wrong_verdicts(table) == []
    assert wrong_verdicts(table, allow_loopback=True) == []


def test_shared_address_space_and_cloud_metadata_are_refused_whatever_the_settings():
    """Threat: cloud metadata services (credentials of the host) at 169.254.169.254, 100.100.100.200, fd00:ec2::254."""
    table = [
        ("169.254.169.254", REFUSED, REFUSED),
        ("100.100.100.200", REFUSED, REFUSED),
        ("192.0.0.192", REFUSED, REFUSED),
        ("fd00:ec2::254", REFUSED, REFUSED),  # inside fc00::/7, which allow-private opens
        ("fd00:ec2::253", REFUSED, REFUSED),
        ("100.64.0.1", REFUSED, REFUSED),
        ("100.127.255.254", REFUSED, REFUSED),
    ]
    assert wrong_verdicts(table) == []
    assert wrong_verdicts(table, allow_loopback=True) == []


def test_link_local_multicast_broadcast_reserved_and_documentation_ranges_are_refused():
    """Threat: special-purpose ranges that Python calls private (so a block list let allow-private open them)."""
    table = [
        ("169.254.1.1", REFUSED, REFUSED),
        ("fe80::1", REFUSED, REFUSED),
        ("fe80::1%eth0", REFUSED, REFUSED),
        ("224.0.0.1", REFUSED, REFUSED),
        ("239.255.255.250", REFUSED, REFUSED),
        ("ff02::1", REFUSED, REFUSED),
        ("255.255.255.255", REFUSED, REFUSED),
        ("240.0.0.1", REFUSED, REFUSED),
        ("4000::1", REFUSED, REFUSED),
        ("192.0.2.1", REFUSED, REFUSED),
        ("198.51.100.1", REFUSED, REFUSED),
        ("203.0.113.1", REFUSED, REFUSED),
        ("2001:db8::1", REFUSED, REFUSED),
        ("3fff::1", REFUSED, REFUSED),
        ("198.18.0.1", REFUSED, REFUSED),
        ("192.0.0.8", REFUSED, REFUSED),
        ("192.88.99.1", REFUSED, REFUSED),
        ("100::1", REFUSED, REFUSED),
        ("fec0::1", REFUSED, REFUSED),
        ("2001:10::1", REFUSED, REFUSED),
    ]
    assert wrong_verdicts(table) == []


def test_allow_private_opens_rfc1918_and_unique_local_only():
    """Threat: "allow private" read as "allow anything not public" (loopback, link-local, 100.64/10...)."""
    table = [
        ("10.1.2.3", REFUSED, ALLOWED),
        ("172.16.0.1", REFUSED, ALLOWED),
        ("172.31.255.254", REFUSED, ALLOWED),
        ("192.168.1.1", REFUSED, ALLOWED),
        ("fc00::1", REFUSED, ALLOWED),
        ("fd12:3456::1", REFUSED, ALLOWED),
        ("172.32.0.1", ALLOWED, ALLOWED),  # just outside 172.16.0.0/12: public
        ("127.0.0.1", REFUSED, REFUSED),
        ("::1", REFUSED, REFUSED),
        ("::ffff:127.0.0.1", REFUSED, REFUSED),
        ("169.254.169.254", REFUSED, REFUSED),
        ("100.64.0.1", REFUSED, REFUSED),
        ("0.0.0.0", REFUSED, REFUSED),
        ("::", REFUSED, REFUSED),
        ("192.0.2.1", REFUSED, REFUSED),
        ("2001::1", REFUSED, REFUSED),
    ]
    assert wrong_verdicts(table) == []


def test_the_test_only_loopback_switch_opens_loopback_and_nothing_else():
    """Threat: the development switch for loopback also opening unspecified or metadata addresses."""
    table = [
        ("127.0.0.1", ALLOWED, ALLOWED),
        ("127.8.9.10", ALLOWED, ALLOWED),
        ("::1", ALLOWED, ALLOWED),
        ("::ffff:127.0.0.1", ALLOWED, ALLOWED),  # mapped loopback is loopback
        ("0.0.0.0", REFUSED, REFUSED),
        ("::", REFUSED, REFUSED),
        ("169.254.169.254", REFUSED, REFUSED),
        ("10.0.0.1", REFUSED, ALLOWED),
    ]
    assert wrong_verdicts(table, allow_loopback=True) == []


def test_globally_routable_addresses_are_allowed_in_every_form_that_carries_them():
    """Threat (availability): an allow list so strict that real receivers on public addresses are refused."""
    table = [
        ("8.8.8.8", ALLOWED, ALLOWED),
        ("1.1.1.1", ALLOWED, ALLOWED),
        ("2606:4700:4700::1111", ALLOWED, ALLOWED),
        ("2a00:1450:4001::1", ALLOWED, ALLOWED),
        ("::ffff:1.1.1.1", ALLOWED, ALLOWED),
        ("2002:101:101::", ALLOWED, ALLOWED),
        ("64:ff9b::101:101", ALLOWED, ALLOWED),
    ]
    assert wrong_verdicts(table) == []


def test_a_name_is_refused_when_any_of_its_addresses_is_refused():
    """Threat: a name with one public and one internal address, where the connection may use either."""
    first_refused = rules.first_refused
    assert first_refused(["8.8.8.8", "127.0.0.1"], **DEFAULT) == ("127.0.0.1", "loopback")
    assert first_refused(["2606:4700::1", "::ffff:10.0.0.1"], **DEFAULT)[0] == "::ffff:10.0.0.1"
    assert first_refused(["8.8.8.8", "10.0.0.1", "169.254.169.254"], **PRIVATE)[0] == "169.254.169.254"
    assert first_refused(["8.8.8.8", "2606:4700::1"], **DEFAULT) is None
    assert first_refused(["8.8.8.8", "not-an-address"], **DEFAULT) == ("not-an-address", "not an IP address")


def test_every_wrapper_is_unwrapped_to_the_ipv4_address_it_carries():
    """Threat: a wrapper the rule does not recognise is judged as a harmless IPv6 address."""
    table = {
        "::ffff:127.0.0.1": "127.0.0.1",
        "::ffff:0:127.0.0.1": "127.0.0.1",
        "::127.0.0.1": "127.0.0.1",
        "2002:a9fe:a9fe::": "169.254.169.254",
        "64:ff9b::a9fe:a9fe": "169.254.169.254",
        "::1": None,
        "::": None,
        "2606:4700::1": None,
        "fd00:ec2::254": None,
    }
    unwrapped = {address: rules.embedded_ipv4(IPv6Address(address)) for address in table}
    assert unwrapped == {address: inner and IPv4Address(inner) for address, inner in table.items()}


def url_codes(urls: list[str], **settings) -> dict[str, list[str]]:
    """The problem codes check_url gives each URL."""
    return {url: [problem.code for problem in rules.check_url(url, **settings)] for url in urls}


def test_numeric_host_forms_are_refused_as_ambiguous_whatever_they_decode_to():
    """Threat: parser differentials: 2130706433, 0x7f.1, 127.1, 0177.0.0.1 and full-width digits all mean 127.0.0.1
    to the resolver while a check that reads them as names lets them through."""
    urls = [
        "https://2130706433/",
        "https://0x7f000001/",
        "https://0x7f.1/",
        "https://127.1/",
        "https://0177.0.0.1/",
        "https://017700000001/",
        "https://127.0.0.1./",
        "https://0x7f.0.0.1/",
        "https://\uff11\uff12\uff17.\uff10.\uff10.\uff11/",  # full-width digits: IDNA makes them 127.0.0.1
        "https://134744072/",  # 8.8.8.8 in decimal: still ambiguous
        "https://hooks.0x10/",
    ]
    for settings in (DEFAULT, PRIVATE, {"allow_loopback": True, "allow_private": True}):
        assert url_codes(urls, **settings) == {url: ["AMBIGUOUS_ADDRESS"] for url in urls}


def test_literal_forbidden_addresses_in_the_url_are_refused_as_written():
    """Threat: the audit's reproductions (mapped loopback, 0.0.0.0, mapped metadata) and their kin, as URL hosts."""
    urls = [
        "https://[::ffff:127.0.0.1]:9999/",
        "https://0.0.0.0:9999/",
        "https://[::ffff:169.254.169.254]/",
        "https://100.64.0.1/",
        "https://[2002:7f00:1::]/",
        "https://[64:ff9b::7f00:1]/",
        "https://127.0.0.1/",
        "https://[::1]/",
        "https://[::]/",
        "https://[fe80::1%25eth0]/",
        "https://[fd00:ec2::254]/",
        "https://localhost/",
        "https://hooks.localhost./",
    ]
    for settings in (DEFAULT, PRIVATE):
        assert url_codes(urls, **settings) == {url: ["FORBIDDEN_ADDRESS"] for url in urls}


def test_names_and_public_or_allowed_private_literals_pass_the_url_check():
    """Threat (availability): the URL check refusing names, whose addresses are judged at each delivery."""
    assert url_codes(
        [
            "https://hooks.example.com/x",
            "https://8.8.8.8/",
            "https://[2606:4700::1111]:8443/",
            "https://1.2.3.4.nip.io/",
        ],
        **DEFAULT,
    ) == {
        "https://hooks.example.com/x": [],
        "https://8.8.8.8/": [],
        "https://[2606:4700::1111]:8443/": [],
        "https://1.2.3.4.nip.io/": [],
    }
    assert url_codes(["https://10.0.0.1/", "https://[fd12::1]/"], **DEFAULT) == {
        "https://10.0.0.1/": ["FORBIDDEN_ADDRESS"],
        "https://[fd12::1]/": ["FORBIDDEN_ADDRESS"],
    }
    assert url_codes(["https://10.0.0.1/", "https://[fd12::1]/"], **PRIVATE) == {
        "https://10.0.0.1/": [],
        "https://[fd12::1]/": [],
    }
    assert url_codes(["https://example.com:0/"], **DEFAULT) == {"https://example.com:0/": ["INVALID_URL"]}


def test_hosts_another_parser_would_decode_differently_are_invalid():
    """Threat: parser differentials: percent-encoding in a host, which WHATWG parsers decode (127.0.0.1%2e is
    127.0.0.1.) while the resolver takes it literally."""
    urls = ["https://127.0.0.1%2e/", "https://%31%32%37.0.0.1/", "https://hooks%2eexample.com/"]
    assert url_codes(urls, **PRIVATE) == {url: ["INVALID_URL"] for url in urls}
