"""Tests for vpcep_lint.netaddr: parsing tables, VPCEP domain cases, brute-force properties."""
from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpcep_lint.netaddr import (
    ENDPOINT_CIDR,
    ENDPOINT_RANGE,
    AddressSet,
    Decision,
    FlowSpace,
    InvalidValue,
    Match,
    PortSet,
    Verdict,
    first_match,
    protocol_matches,
    protocol_of,
)
from vpcep_lint.reach import sg_order

PROPERTY = settings(max_examples=300, derandomize=True, deadline=None)

# ------------------------------------------------------------- parsing tables


@pytest.mark.parametrize(
    ("text", "cidrs"),
    [
        pytest.param("10.0.0.1", ["10.0.0.1/32"], id="ipv4-address"),
        pytest.param("10.0.0.0/8", ["10.0.0.0/8"], id="ipv4-cidr"),
        pytest.param("  10.0.0.0/8\n", ["10.0.0.0/8"], id="whitespace-stripped"),
        pytest.param("10.0.0.1/8", ["10.0.0.0/8"], id="host-bits-set-read-as-network"),
        pytest.param("198.19.128.0/17", ["198.19.128.0/17"], id="endpoint-cidr"),
        pytest.param("0.0.0.0/0", ["0.0.0.0/0"], id="ipv4-any"),
        pytest.param("10.0.0.7/32", ["10.0.0.7/32"], id="ipv4-host-prefix"),
        pytest.param(
            "10.0.0.1-10.0.0.6",
            ["10.0.0.1/32", "10.0.0.2/31", "10.0.0.4/31", "10.0.0.6/32"],
            id="ipv4-range-unaligned",
        ),
        pytest.param("10.0.0.0-10.0.0.255", ["10.0.0.0/24"], id="ipv4-range-aligned"),
        pytest.param("10.0.0.0 - 10.0.0.255", ["10.0.0.0/24"], id="ipv4-range-spaces"),
        pytest.param("10.0.0.5-10.0.0.5", ["10.0.0.5/32"], id="ipv4-range-one-address"),
        pytest.param("2001:db8::1", ["2001:db8::1/128"], id="ipv6-address"),
        pytest.param("2001:DB8::/32", ["2001:db8::/32"], id="ipv6-cidr-upper-case"),
        pytest.param("2001:db8::1/64", ["2001:db8::/64"], id="ipv6-host-bits-set"),
        pytest.param("::/0", ["::/0"], id="ipv6-any"),
        pytest.param(
            "2001:db8::1-2001:db8::3", ["2001:db8::1/128", "2001:db8::2/127"], id="ipv6-range"
        ),
        pytest.param("::ffff:10.0.0.1", ["::ffff:a00:1/128"], id="ipv4-mapped-stays-ipv6"),
    ],
)
def test_address_parse(text: str, cidrs: list[str]) -> None:
    assert AddressSet.parse(text).to_cidrs() == cidrs


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "10.0.0.300/24",
            "'10.0.0.300/24' is not a valid IPv4 or IPv6 address or prefix",
            id="octet-too-big",
        ),
        pytest.param(
            "198.19.128.0/33",
            "'198.19.128.0/33' is not a valid IPv4 or IPv6 address or prefix",
            id="ipv4-prefix-too-long",
        ),
        pytest.param(
            "2001:db8::/129",
            "'2001:db8::/129' is not a valid IPv4 or IPv6 address or prefix",
            id="ipv6-prefix-too-long",
        ),
        pytest.param("any", "'any' is not a valid IPv4 or IPv6 address or prefix", id="any"),
        pytest.param("", "empty address", id="empty"),
        pytest.param("   ", "empty address", id="blank"),
        pytest.param(None, "empty address", id="none"),
        pytest.param(
            "10.0.0.0/255.0.0.0",
            "'10.0.0.0/255.0.0.0' is not a valid IPv4 or IPv6 address or prefix",
            id="netmask-form",
        ),
        pytest.param(
            "010.0.0.1",
            "'010.0.0.1' is not a valid IPv4 or IPv6 address or prefix",
            id="leading-zero",
        ),
        pytest.param(
            "10.0.0.1,10.0.0.2",
            "'10.0.0.1,10.0.0.2' is not a valid IPv4 or IPv6 address or prefix",
            id="comma-list-is-not-one-value",
        ),
        pytest.param("10.0.0.9-10.0.0.1", "'10.0.0.9-10.0.0.1' is a reversed range", id="reversed"),
        pytest.param(
            "2001:db8::9-2001:db8::1",
            "'2001:db8::9-2001:db8::1' is a reversed range",
            id="ipv6-reversed",
        ),
        pytest.param(
            "10.0.0.1-2001:db8::1", "'10.0.0.1-2001:db8::1' mixes IPv4 and IPv6", id="mixed-range"
        ),
        pytest.param(
            "10.0.0.1-", "'10.0.0.1-' is not a valid IPv4 or IPv6 address range", id="range-no-end"
        ),
        pytest.param(
            "10.0.0.0/24-10.0.1.0/24",
            "'10.0.0.0/24-10.0.1.0/24' is not a valid IPv4 or IPv6 address range",
            id="range-of-cidrs",
        ),
    ],
)
def test_address_parse_rejects(text: str | None, message: str) -> None:
    with pytest.raises(InvalidValue) as error:
        AddressSet.parse(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "colon", "expected"),
    [
        pytest.param(None, False, "all ports", id="none-is-all"),
        pytest.param("", False, "all ports", id="empty-is-all"),
        pytest.param("  ", False, "all ports", id="blank-is-all"),
        pytest.param(80, False, "80", id="int"),
        pytest.param("80", False, "80", id="single"),
        pytest.param("80,443", False, "80, 443", id="list"),
        pytest.param("443,80", False, "80, 443", id="list-sorted"),
        pytest.param(" 80 , 443 ", False, "80, 443", id="spaces-around-items"),
        pytest.param("8000-9000", False, "8000-9000", id="range"),
        pytest.param("80,500,600-800", False, "80, 500, 600-800", id="mix"),
        pytest.param("80,81,82", False, "80-82", id="adjacent-merged"),
        pytest.param("600-800,700-900", False, "600-900", id="overlap-merged"),
        pytest.param("1-65535", False, "all ports", id="full-range"),
        pytest.param("65535", False, "65535", id="top-port"),
        pytest.param("1:100", True, "1-100", id="acl-colon"),
        pytest.param("1-100", True, "1-100", id="acl-dash-still-accepted"),
        pytest.param("22,1:10", True, "1-10, 22", id="acl-colon-list"),
    ],
)
def test_port_parse(text: str | int | None, colon: bool, expected: str) -> None:
    assert str(PortSet.parse(text, colon=colon)) == expected


@pytest.mark.parametrize(
    ("text", "colon", "message"),
    [
        pytest.param("80-", False, "'80-' is not a valid port or port range", id="open-range"),
        pytest.param("-80", False, "'-80' is not a valid port or port range", id="open-start"),
        pytest.param("0", False, "port 0 is outside 1-65535", id="zero"),
        pytest.param(0, False, "port 0 is outside 1-65535", id="int-zero"),
        pytest.param("70000", False, "port 70000 is outside 1-65535", id="too-big"),
        pytest.param(65536, False, "port 65536 is outside 1-65535", id="int-too-big"),
        pytest.param("1-65536", False, "port 65536 is outside 1-65535", id="range-end-too-big"),
        pytest.param("a", False, "'a' is not a valid port or port range", id="letters"),
        pytest.param("90-80", False, "'90-80' is a reversed port range", id="reversed"),
        pytest.param(":", False, "':' is not a valid port or port range", id="bare-colon"),
        pytest.param(":", True, "':' is not a valid port or port range", id="bare-colon-acl"),
        pytest.param(
            "1:100", False, "'1:100' is not a valid port or port range", id="colon-not-allowed"
        ),
        pytest.param(
            "1:100:200", True, "'1:100:200' is not a valid port or port range", id="two-colons"
        ),
        pytest.param(
            "80-90-100", False, "'80-90-100' is not a valid port or port range", id="two-dashes"
        ),
        pytest.param("80,,443", False, "'80,,443' has an empty item", id="empty-item"),
        pytest.param("80,", False, "'80,' has an empty item", id="trailing-comma"),
        pytest.param("٨٠", False, "'٨٠' is not a valid port or port range", id="non-ascii-digits"),
        pytest.param(True, False, "True is not a valid port or port range", id="bool"),
    ],
)
def test_port_parse_rejects(text: str | int, colon: bool, message: str) -> None:
    with pytest.raises(InvalidValue) as error:
        PortSet.parse(text, colon=colon)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("tcp", "tcp", id="tcp"),
        pytest.param("TCP", "tcp", id="tcp-upper-from-port-mapping"),
        pytest.param(" Udp ", "udp", id="udp-mixed-case"),
        pytest.param("icmp", "icmp", id="icmp"),
        pytest.param("ICMPv6", "icmpv6", id="icmpv6"),
        pytest.param(6, "tcp", id="number-6"),
        pytest.param("6", "tcp", id="string-6"),
        pytest.param(17, "udp", id="number-17"),
        pytest.param(1, "icmp", id="number-1"),
        pytest.param("58", "icmpv6", id="string-58"),
        pytest.param("47", "47", id="gre-by-number"),
        pytest.param(0, "0", id="number-0"),
        pytest.param(255, "255", id="number-255"),
        pytest.param(None, None, id="none-is-all"),
        pytest.param("", None, id="empty-is-all"),
        pytest.param("any", None, id="acl-any"),
        pytest.param("ANY", None, id="acl-any-upper"),
        pytest.param("all", None, id="all"),
        pytest.param("-1", None, id="api-minus-one"),
        pytest.param(-1, None, id="int-minus-one"),
    ],
)
def test_protocol_of(text: str | int | None, expected: str | None) -> None:
    assert protocol_of(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("tcpx", "'tcpx' is not a valid protocol", id="junk"),
        pytest.param("http", "'http' is not a valid protocol", id="listener-protocol"),
        pytest.param("-2", "'-2' is not a valid protocol", id="negative"),
        pytest.param("6.0", "'6.0' is not a valid protocol", id="decimal"),
        pytest.param(256, "protocol number 256 is outside 0-255", id="int-too-big"),
        pytest.param("300", "protocol number 300 is outside 0-255", id="string-too-big"),
        pytest.param(True, "True is not a valid protocol", id="bool"),
    ],
)
def test_protocol_of_rejects(text: str | int, message: str) -> None:
    with pytest.raises(InvalidValue) as error:
        protocol_of(text)
    assert str(error.value) == message


@pytest.mark.parametrize(
    ("rule", "flow", "expected"),
    [
        pytest.param(None, "tcp", True, id="all-protocols-rule"),
        pytest.param("tcp", "tcp", True, id="same"),
        pytest.param("tcp", "udp", False, id="different"),
        pytest.param("6", "TCP", True, id="number-and-name"),
        pytest.param("icmp", "icmpv6", False, id="icmp-is-not-icmpv6"),
        pytest.param("47", "47", True, id="by-number"),
    ],
)
def test_protocol_matches(rule: str | None, flow: str, expected: bool) -> None:
    assert protocol_matches(rule, flow) is expected


# ------------------------------------------------------------- rendering and API


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(
            ENDPOINT_RANGE - AddressSet.parse("198.19.128.0/18"), "198.19.192.0/18", id="gap"
        ),
        pytest.param(AddressSet.empty(), "nothing", id="empty"),
        pytest.param(
            AddressSet.of("2001:db8::/32", "10.0.0.0/8", "1.0.0.0/8"),
            "1.0.0.0/8, 10.0.0.0/8, 2001:db8::/32",
            id="ipv4-first-sorted",
        ),
        pytest.param(
            AddressSet.of("10.0.0.0/25", "10.0.0.128/25"), "10.0.0.0/24", id="halves-merge"
        ),
        pytest.param(AddressSet.any_ipv4(), "0.0.0.0/0", id="any-ipv4"),
        pytest.param(AddressSet.any_ipv6(), "::/0", id="any-ipv6"),
        pytest.param(AddressSet.of("10.0.0.0/8", "::/0").ipv4(), "10.0.0.0/8", id="ipv4-part"),
        pytest.param(AddressSet.of("10.0.0.0/8", "::/0").ipv6(), "::/0", id="ipv6-part"),
        pytest.param(
            AddressSet.union_all([AddressSet.parse("10.0.0.1"), AddressSet.parse("10.0.0.0")]),
            "10.0.0.0/31",
            id="union-all",
        ),
        pytest.param(PortSet.range(8000, 9000) | PortSet.single(443), "443, 8000-9000", id="ports"),
        pytest.param(PortSet.ALL, "all ports", id="all-ports"),
        pytest.param(PortSet.empty(), "no ports", id="no-ports"),
        pytest.param(PortSet.ALL - PortSet.single(1), "2-65535", id="all-but-one"),
    ],
)
def test_str(value: object, expected: str) -> None:
    assert str(value) == expected


def test_endpoint_constants() -> None:
    assert ENDPOINT_CIDR == "198.19.128.0/17"
    assert ENDPOINT_RANGE == AddressSet.parse("198.19.128.0-198.19.255.255")


def test_families_do_not_mix() -> None:
    assert not AddressSet.any_ipv6().overlaps(AddressSet.parse("10.0.0.1"))
    assert not AddressSet.parse("::/0").covers(ENDPOINT_RANGE)
    # within a family the same calls do answer yes
    assert AddressSet.any_ipv6().overlaps(AddressSet.parse("2001:db8::1"))
    assert AddressSet.parse("0.0.0.0/0").covers(ENDPOINT_RANGE)


def test_port_membership() -> None:
    ports = PortSet.parse("80,600-800")
    assert 80 in ports and 700 in ports and 800 in ports
    assert 81 not in ports and "80" not in ports and 0 not in PortSet.ALL


@pytest.mark.parametrize(
    ("lo", "hi"), [pytest.param(0, 5, id="zero"), pytest.param(9, 8, id="reversed")]
)
def test_port_range_rejects(lo: int, hi: int) -> None:
    with pytest.raises(InvalidValue):
        PortSet.range(lo, hi)


def test_describe_groups_ports_by_addresses() -> None:
    a, b = AddressSet.parse("10.0.0.0/24"), AddressSet.parse("10.0.1.0/24")
    space = (
        FlowSpace.of(a, PortSet.single(80))
        | FlowSpace.of(b, PortSet.single(90))
        | FlowSpace.of(a, PortSet.single(100))
    )
    assert [(str(x), str(p)) for x, p in space.describe()] == [
        ("10.0.0.0/24", "80, 100"),
        ("10.0.1.0/24", "90"),
    ]


def test_describe_names_the_remainder() -> None:
    space = FlowSpace.of(ENDPOINT_RANGE, PortSet.parse("80,443"))
    space -= FlowSpace.of(AddressSet.parse("198.19.128.0/18"), PortSet.single(80))
    assert [(str(x), str(p)) for x, p in space.describe()] == [
        ("198.19.192.0/18", "80"),
        ("198.19.128.0/17", "443"),
    ]


# ------------------------------------------------------------- VPCEP domain cases

FLOW = FlowSpace.of(ENDPOINT_RANGE, PortSet.single(8080))


def allow(addresses: str | None, ports: str | None = "8080", label: str = "") -> Match:
    return Match(
        True, None if addresses is None else AddressSet.parse(addresses), _ports(ports), label
    )


def deny(addresses: str | None, ports: str | None = "8080", label: str = "") -> Match:
    return Match(
        False, None if addresses is None else AddressSet.parse(addresses), _ports(ports), label
    )


def _ports(text: str | None) -> PortSet | None:
    return None if text is None else PortSet.parse(text)


@pytest.mark.parametrize(
    ("prefixes", "covered", "gap"),
    [
        pytest.param(["198.19.128.0/17"], True, "nothing", id="exact-17"),
        pytest.param(["0.0.0.0/0"], True, "nothing", id="any-ipv4"),
        pytest.param(["198.0.0.0/8"], True, "nothing", id="wider-8"),
        pytest.param(["198.19.128.0/18", "198.19.192.0/18"], True, "nothing", id="two-18s"),
        pytest.param(["198.19.128.0/18"], False, "198.19.192.0/18", id="one-18"),
        pytest.param(["198.19.0.0/17"], False, "198.19.128.0/17", id="neighbour-17"),
        pytest.param(["::/0"], False, "198.19.128.0/17", id="ipv6-only"),
        pytest.param([], False, "198.19.128.0/17", id="nothing"),
    ],
)
def test_endpoint_range_coverage(prefixes: list[str], covered: bool, gap: str) -> None:
    admitted = AddressSet.of(*prefixes)
    assert admitted.covers(ENDPOINT_RANGE) is covered
    assert str(ENDPOINT_RANGE - admitted) == gap
    decision = first_match(FLOW, [allow(p) for p in prefixes])
    assert decision.verdict is (Verdict.ALLOWED if covered else Verdict.DENIED)
    assert str(decision.denied) == ("nothing" if covered else f"{gap} on 8080")


@pytest.mark.parametrize(
    ("rules", "verdict"),
    [
        pytest.param([(1, allow("198.19.128.0/17"))], Verdict.ALLOWED, id="allow-17"),
        pytest.param([(1, allow("198.19.128.0/17", "80"))], Verdict.DENIED, id="wrong-port"),
        pytest.param([(1, allow("198.19.128.0/17", None))], Verdict.UNKNOWN, id="unknown-ports"),
        pytest.param([(1, allow("198.19.128.0/17", "1-65535"))], Verdict.ALLOWED, id="all-ports"),
        pytest.param(
            [(2, allow("198.19.128.0/17")), (1, deny("198.19.0.0/16"))],
            Verdict.DENIED,
            id="higher-priority-16-deny-beats-17-allow",
        ),
        pytest.param(
            [(1, allow("198.19.128.0/17")), (50, deny("198.19.0.0/16"))],
            Verdict.ALLOWED,
            id="lower-priority-deny-shadowed",
        ),
        pytest.param(
            [(5, allow("198.19.128.0/17")), (5, deny("198.19.0.0/16"))],
            Verdict.DENIED,
            id="equal-priority-deny-beats-allow",
        ),
        pytest.param(
            [(2, deny("198.19.0.0/16")), (None, allow("198.19.128.0/17"))],
            Verdict.ALLOWED,
            id="no-priority-counts-as-1",
        ),
        pytest.param(
            [(1, deny("198.19.0.0/16")), (None, allow("198.19.128.0/17"))],
            Verdict.DENIED,
            id="no-priority-ties-with-1",
        ),
        pytest.param(
            [(1, allow(None)), (2, deny("198.19.0.0/16"))],
            Verdict.UNKNOWN,
            id="remote-group-only-then-deny",
        ),
        pytest.param(
            [(1, allow("198.19.128.0/17")), (1, allow(None))],
            Verdict.ALLOWED,
            id="known-allow-goes-before-unknown-allow",
        ),
        pytest.param(
            [(1, Match(None, ENDPOINT_RANGE, PortSet.single(8080))), (1, deny("198.19.0.0/16"))],
            Verdict.DENIED,
            id="equal-priority-known-deny-beats-unknown-action",
        ),
        pytest.param(
            [(1, allow("198.19.128.0/17")), (1, Match(None, ENDPOINT_RANGE, None))],
            Verdict.UNKNOWN,
            id="unknown-action-might-be-a-deny",
        ),
        pytest.param(
            [(1, allow("198.19.128.0/17")), (1, deny("198.19.128.0/17", "80"))],
            Verdict.ALLOWED,
            id="deny-on-other-port",
        ),
    ],
)
def test_security_group(rules: list[tuple[int | None, Match]], verdict: Verdict) -> None:
    assert first_match(FLOW, sg_order(rules)).verdict is verdict


def test_sg_order() -> None:
    rules = [
        (2, allow("10.0.0.0/8", label="allow-2")),
        (None, allow("10.0.0.0/8", label="allow-none")),
        (1, allow(None, label="allow-unknown-remote")),
        (1, Match(None, AddressSet.any_ipv4(), None, "unknown-action")),
        (1, allow("10.0.0.0/8", label="allow-1")),
        (1, deny(None, label="deny-unknown-remote")),
        (1, deny("10.0.0.0/8", label="deny-1")),
        (2, allow("10.0.0.1", label="allow-2-later")),
    ]
    assert [m.label for m in sg_order(rules)] == [
        "deny-1",
        "deny-unknown-remote",
        "unknown-action",
        "allow-none",
        "allow-1",
        "allow-unknown-remote",
        "allow-2",
        "allow-2-later",
    ]


@pytest.mark.parametrize(
    ("rules", "verdict"),
    [
        pytest.param([], Verdict.DENIED, id="no-rules-implicit-deny"),
        pytest.param(
            [deny("198.19.0.0/16"), allow("198.19.128.0/17")],
            Verdict.DENIED,
            id="deny-before-allow",
        ),
        pytest.param(
            [allow("198.19.128.0/17"), deny("198.19.0.0/16")],
            Verdict.ALLOWED,
            id="allow-before-deny",
        ),
        pytest.param(
            [allow("198.19.128.0/18"), deny("0.0.0.0/0"), allow("198.19.192.0/18")],
            Verdict.DENIED,
            id="second-half-denied-before-its-allow",
        ),
        pytest.param(
            [allow(None), deny("0.0.0.0/0")], Verdict.UNKNOWN, id="unknown-remote-before-deny"
        ),
        pytest.param(
            [Match(None, ENDPOINT_RANGE, None), deny("0.0.0.0/0")],
            Verdict.UNKNOWN,
            id="unknown-action",
        ),
        pytest.param(
            [allow(None, "22"), allow("198.19.128.0/17")],
            Verdict.ALLOWED,
            id="unknown-remote-on-other-port-ignored",
        ),
        pytest.param(
            [allow("198.19.128.0/18"), allow(None)], Verdict.UNKNOWN, id="half-allowed-half-unknown"
        ),
        pytest.param(
            [allow("198.19.128.0/18"), allow(None, "80")],
            Verdict.DENIED,
            id="unknown-rule-cannot-match-the-rest",
        ),
    ],
)
def test_network_acl(rules: list[Match], verdict: Verdict) -> None:
    assert first_match(FLOW, rules).verdict is verdict


def test_unknown_rule_keeps_the_rest_out_of_denied() -> None:
    decision = first_match(
        FLOW, [allow(None, label="group-ref"), deny("0.0.0.0/0", label="deny-all")]
    )
    assert decision.unknown == FLOW
    assert decision.denied.is_empty() and decision.allowed.is_empty()
    assert decision.unknown_by == ("group-ref",) and decision.denied_by == ()


def test_decision_names_the_denying_rule() -> None:
    rules = [
        deny("198.19.192.0/18", label="deny-upper"),
        allow("198.19.128.0/18"),
        deny("0.0.0.0/0"),
    ]
    decision = first_match(FLOW, rules)
    assert decision.denied_by == ("deny-upper",)
    assert str(decision.allowed) == "198.19.128.0/18 on 8080"
    assert str(decision.denied) == "198.19.192.0/18 on 8080"


@pytest.mark.parametrize(
    ("allowed", "denied", "unknown", "verdict"),
    [
        pytest.param(FLOW, FlowSpace.empty(), FlowSpace.empty(), Verdict.ALLOWED, id="allowed"),
        pytest.param(
            FlowSpace.empty(),
            FlowSpace.empty(),
            FlowSpace.empty(),
            Verdict.ALLOWED,
            id="nothing-asked",
        ),
        pytest.param(FlowSpace.empty(), FlowSpace.empty(), FLOW, Verdict.UNKNOWN, id="unknown"),
        pytest.param(FlowSpace.empty(), FLOW, FLOW, Verdict.DENIED, id="denied-beats-unknown"),
    ],
)
def test_decision_verdict(
    allowed: FlowSpace, denied: FlowSpace, unknown: FlowSpace, verdict: Verdict
) -> None:
    assert Decision(allowed, denied, unknown).verdict is verdict


# ------------------------------------------------------------- properties against brute force
# Small universes: the first 2**bits addresses of 10.0.0.0/24 and of 2001:db8::/120, ports 1..top.

V4_BASE = int(ipaddress.IPv4Address("10.0.0.0"))
V6_BASE = int(ipaddress.IPv6Address("2001:db8::"))
Address = tuple[int, int]  # (IP version, integer value)
Pair = tuple[Address, int]


def _spell(version: int, value: int) -> str:
    return str(ipaddress.IPv4Address(value) if version == 4 else ipaddress.IPv6Address(value))


@functools.cache
def _one(address: Address) -> AddressSet:
    return AddressSet.parse(_spell(*address))


@st.composite
def address_piece(
    draw: st.DrawFn, bits: int = 8, versions: tuple[int, ...] = (4, 6)
) -> tuple[str, frozenset[Address]]:
    """One spelling (address, CIDR with host bits maybe set, range) and the addresses it means."""
    version = draw(st.sampled_from(versions))
    base, width = (V4_BASE, 32) if version == 4 else (V6_BASE, 128)
    kind = draw(st.sampled_from(["address", "cidr", "range"]))
    span = draw(st.sampled_from([min(3, bits), bits]))  # often crowd the first 8 addresses
    a = draw(st.integers(0, 2**span - 1))
    if kind == "address":
        lo = hi = a
        text = _spell(version, base + a)
    elif kind == "cidr":
        host_bits = draw(st.integers(0, span))
        lo = a - a % 2**host_bits
        hi = lo + 2**host_bits - 1
        text = f"{_spell(version, base + a)}/{width - host_bits}"
    else:
        hi = draw(st.integers(a, 2**span - 1))
        lo = a
        text = f"{_spell(version, base + lo)}-{_spell(version, base + hi)}"
    return text, frozenset((version, base + i) for i in range(lo, hi + 1))


@st.composite
def address_set(draw: st.DrawFn, bits: int = 8) -> tuple[AddressSet, frozenset[Address]]:
    pieces = draw(st.lists(address_piece(bits), max_size=3))
    return AddressSet.of(*(t for t, _ in pieces)), frozenset().union(*(s for _, s in pieces))


@st.composite
def port_set(draw: st.DrawFn, top: int = 64, colon: bool = False) -> tuple[str, frozenset[int]]:
    """A port-list spelling inside 1..top and the ports it means."""
    parts, ports = [], set()
    for lo, extra in draw(_port_items(top)):
        hi = min(lo + extra, top)
        sep = draw(_RANGE_SEPARATORS) if colon else "-"
        parts.append(str(lo) if lo == hi and draw(st.booleans()) else f"{lo}{sep}{hi}")
        ports |= set(range(lo, hi + 1))
    return draw(_LIST_SEPARATORS).join(parts), frozenset(ports)


_RANGE_SEPARATORS = st.sampled_from("-:")
_LIST_SEPARATORS = st.sampled_from([",", ", ", " , "])


@functools.cache
def _port_items(top: int) -> st.SearchStrategy[list[tuple[int, int]]]:
    """(first port, length - 1) items; built once, as building strategies is slow."""
    starts = st.integers(1, min(12, top)) | st.integers(1, top)  # crowd low ports: items touch
    return st.lists(st.tuples(starts, st.integers(0, 9)), min_size=1, max_size=4)


def addresses_of(value: AddressSet) -> frozenset[Address]:
    """Every address in the set, read back through to_cidrs."""
    out: set[Address] = set()
    for cidr in value.to_cidrs():
        net = ipaddress.ip_network(cidr)
        assert net.num_addresses <= 2**8, f"{cidr} leaves the test universe"
        out |= {(net.version, int(a)) for a in net}
    return frozenset(out)


def minimal_cidrs(addresses: frozenset[Address]) -> list[str]:
    """The oracle for to_cidrs: ipaddress's own collapse, IPv4 first."""
    v4 = sorted(ipaddress.IPv4Network(v) for version, v in addresses if version == 4)
    v6 = sorted(ipaddress.IPv6Network(v) for version, v in addresses if version == 6)
    out = [str(n) for n in ipaddress.collapse_addresses(v4)]
    out += [str(n) for n in ipaddress.collapse_addresses(v6)]
    return out


@PROPERTY
@given(address_set(), address_set())
def test_address_set_matches_brute_force(
    a: tuple[AddressSet, frozenset[Address]], b: tuple[AddressSet, frozenset[Address]]
) -> None:
    (x, xs), (y, ys) = a, b
    assert addresses_of(x) == xs
    assert x.to_cidrs() == minimal_cidrs(xs)
    assert addresses_of(x | y) == xs | ys
    assert addresses_of(x & y) == xs & ys
    assert addresses_of(x - y) == xs - ys
    assert x.covers(y) is (ys <= xs)
    assert x.overlaps(y) is bool(xs & ys)
    assert x.is_empty() is (not xs)
    assert (x == y) is (xs == ys)
    if xs == ys:
        assert hash(x) == hash(y)
    assert addresses_of(x.ipv4()) == {m for m in xs if m[0] == 4}
    assert addresses_of(x.ipv6()) == {m for m in xs if m[0] == 6}
    assert AddressSet.union_all([x, y]) == x | y
    one_by_one = AddressSet.union_all(_one(m) for m in xs)
    assert one_by_one == x  # the stored form is canonical, however the set was built


TOP = 64


@PROPERTY
@given(port_set(TOP), port_set(TOP, colon=True))
def test_port_set_matches_brute_force(
    a: tuple[str, frozenset[int]], b: tuple[str, frozenset[int]]
) -> None:
    x, y = PortSet.parse(a[0]), PortSet.parse(b[0], colon=True)
    xs, ys = a[1], b[1]
    universe = range(0, TOP + 2)  # 0 and TOP + 1 are never members
    assert {p for p in universe if p in x} == xs
    assert {p for p in universe if p in y} == ys
    assert {p for p in universe if p in x | y} == xs | ys
    assert {p for p in universe if p in x & y} == xs & ys
    assert {p for p in universe if p in x - y} == xs - ys
    assert x.covers(y) is (ys <= xs)
    assert x.overlaps(y) is bool(xs & ys)
    assert (x == y) is (xs == ys)
    assert (x - x).is_empty() and not x.is_empty()
    assert PortSet.parse(",".join(map(str, sorted(xs)))) == x  # canonical, however built
    assert PortSet.parse(str(x).replace(" ", "")) == x  # __str__ prints a spelling parse accepts


FLOW_BITS, FLOW_TOP = 6, 32


@st.composite
def flow_space(
    draw: st.DrawFn, versions: tuple[int, ...] = (4, 6), bits: int = FLOW_BITS, top: int = FLOW_TOP
) -> tuple[FlowSpace, frozenset[Pair]]:
    """A union of up to three boxes and the (address, port) pairs it holds."""
    space, pairs = FlowSpace.empty(), set()
    boxes = st.tuples(address_piece(bits, versions), port_set(top))
    for (atext, addresses), (ptext, ports) in draw(st.lists(boxes, max_size=3)):
        space |= FlowSpace.of(AddressSet.parse(atext), PortSet.parse(ptext))
        pairs |= {(a, p) for a in addresses for p in ports}
    return space, frozenset(pairs)


def pairs_of(space: FlowSpace) -> frozenset[Pair]:
    """Every pair in the space, read back through describe(), checking its promises on the way."""
    out: set[Pair] = set()
    seen: list[AddressSet] = []
    for addresses, ports in space.describe():
        assert not addresses.is_empty() and not ports.is_empty()
        assert addresses not in seen, "describe() repeated an address set"
        seen.append(addresses)
        assert PortSet.range(1, FLOW_TOP).covers(ports)
        new = {
            (a, p) for a in addresses_of(addresses) for p in range(1, FLOW_TOP + 1) if p in ports
        }
        assert not out & new, "describe() parts overlap"
        out |= new
    return frozenset(out)


@PROPERTY
@given(flow_space(), flow_space())
def test_flow_space_matches_brute_force(
    a: tuple[FlowSpace, frozenset[Pair]], b: tuple[FlowSpace, frozenset[Pair]]
) -> None:
    (x, xs), (y, ys) = a, b
    assert pairs_of(x) == xs
    assert pairs_of(x | y) == xs | ys
    assert pairs_of(x & y) == xs & ys
    assert pairs_of(x - y) == xs - ys
    assert x.is_empty() is (not xs)
    assert (x == y) is (xs == ys)  # the stored form is canonical
    assert (x | y) == (y | x)
    rows = FlowSpace.empty()
    for port in range(1, FLOW_TOP + 1):
        addresses = AddressSet.union_all(_one(a) for a, p in xs if p == port)
        rows |= FlowSpace.of(addresses, PortSet.single(port))
    assert rows == x  # canonical, however built


# Rules live in a smaller universe, mostly IPv4, so that rules and flows overlap often.
RULE_VERSIONS, RULE_BITS, RULE_TOP = (4, 4, 4, 6), 3, 8
OracleRule = tuple[bool | None, frozenset[Address] | None, frozenset[int] | None]
"""allow, addresses, ports as plain sets; None where the linter cannot see the value."""


@dataclass(frozen=True)
class DrawnRule:
    priority: int | None
    seen: Match  # as the linter sees it: one part may be hidden (None)
    truth: Match  # as the cloud has it
    seen_oracle: OracleRule
    truth_oracle: OracleRule


@st.composite
def drawn_rule(draw: st.DrawFn) -> DrawnRule:
    allow = draw(st.booleans())
    atext, addresses = draw(address_piece(RULE_BITS, RULE_VERSIONS))
    ptext, ports = draw(port_set(RULE_TOP))
    truth = Match(allow, AddressSet.parse(atext), PortSet.parse(ptext))
    hidden = draw(st.sampled_from(["", "", "allow", "addresses", "ports"]))
    return DrawnRule(
        priority=draw(st.sampled_from([None, 1, 2])),  # ties are where the ordering matters
        seen=Match(
            None if hidden == "allow" else truth.allow,
            None if hidden == "addresses" else truth.addresses,
            None if hidden == "ports" else truth.ports,
        ),
        truth=truth,
        seen_oracle=(
            None if hidden == "allow" else allow,
            None if hidden == "addresses" else addresses,
            None if hidden == "ports" else ports,
        ),
        truth_oracle=(allow, addresses, ports),
    )


RULE_LISTS = st.lists(drawn_rule(), min_size=1, max_size=6)


def could_match(rule: OracleRule, pair: Pair) -> bool:
    _, addresses, ports = rule
    return (addresses is None or pair[0] in addresses) and (ports is None or pair[1] in ports)


def brute_first_match(pairs: frozenset[Pair], rules: list[OracleRule]) -> dict[str, set[Pair]]:
    out: dict[str, set[Pair]] = {"allowed": set(), "denied": set(), "unknown": set()}
    for pair in pairs:
        outcome = "denied"  # matched by no rule
        for rule in rules:
            if could_match(rule, pair):
                outcome = "unknown" if None in rule else "allowed" if rule[0] else "denied"
                break
        out[outcome].add(pair)
    return out


def brute_security_group(
    pairs: frozenset[Pair], rules: list[tuple[int | None, OracleRule]]
) -> dict[str, set[Pair]]:
    """Huawei's rule: the best priority among matching rules decides; there deny beats allow."""
    out: dict[str, set[Pair]] = {"allowed": set(), "denied": set()}
    for pair in pairs:
        hits = [(priority or 1, rule[0]) for priority, rule in rules if could_match(rule, pair)]
        best = min((p for p, _ in hits), default=None)
        allowed = best is not None and all(a for p, a in hits if p == best)
        out["allowed" if allowed else "denied"].add(pair)
    return out


def decided(decision: Decision) -> dict[str, frozenset[Pair]]:
    return {
        "allowed": pairs_of(decision.allowed),
        "denied": pairs_of(decision.denied),
        "unknown": pairs_of(decision.unknown),
    }


@PROPERTY
@given(flow_space(RULE_VERSIONS, RULE_BITS, RULE_TOP), RULE_LISTS)
def test_first_match_matches_brute_force(
    space: tuple[FlowSpace, frozenset[Pair]], rules: list[DrawnRule]
) -> None:
    flow, pairs = space
    decision = first_match(flow, [r.seen for r in rules])
    got = decided(decision)
    expected = brute_first_match(pairs, [r.seen_oracle for r in rules])
    assert got == expected
    assert decision.verdict is (
        Verdict.DENIED
        if expected["denied"]
        else Verdict.UNKNOWN
        if expected["unknown"]
        else Verdict.ALLOWED
    )
    # What was decided despite hidden values agrees with the rules as the cloud has them.
    truth = brute_first_match(pairs, [r.truth_oracle for r in rules])
    assert got["allowed"] <= truth["allowed"] and got["denied"] <= truth["denied"]


@PROPERTY
@given(flow_space(RULE_VERSIONS, RULE_BITS, RULE_TOP), RULE_LISTS)
def test_sg_order_gives_security_group_semantics(
    space: tuple[FlowSpace, frozenset[Pair]], rules: list[DrawnRule]
) -> None:
    flow, pairs = space
    truth = brute_security_group(pairs, [(r.priority, r.truth_oracle) for r in rules])
    exact = decided(first_match(flow, sg_order([(r.priority, r.truth) for r in rules])))
    assert exact == {**truth, "unknown": set()}
    partial = decided(first_match(flow, sg_order([(r.priority, r.seen) for r in rules])))
    assert partial["allowed"] <= truth["allowed"] and partial["denied"] <= truth["denied"]
