"""Address sets, port sets and protocols: sorted, disjoint, merged integer intervals, so union,
intersection and difference never approximate. Pure: nothing here reads resources."""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from functools import lru_cache
from ipaddress import IPv4Address, IPv6Address
from typing import ClassVar

from .records import record

ENDPOINT_CIDR = "198.19.128.0/17"
"""Packets an endpoint forwards reach the service's backend from here (VPCEP guide and FAQ)."""

Intervals = tuple[tuple[int, int], ...]
"""Inclusive integer intervals, sorted, disjoint and never adjacent."""

_MAX_PORT = 65535
_PORT_ITEM = re.compile(r"([0-9]+)(?:([-:])([0-9]+))?")
_PREFIX_LENGTH = re.compile(r"[0-9]{1,3}")


class InvalidValue(ValueError):
    """An address, port or protocol that the cloud would not accept either."""


def merge_intervals(items: Iterable[tuple[int, int]]) -> Intervals:
    """Sort intervals and join the ones that overlap or touch."""
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(items):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return tuple(out)


def _intersect(a: Intervals, b: Intervals) -> Intervals:
    """Intersection of two normalized interval lists."""
    out: list[tuple[int, int]] = []
    i = j = 0
    while i < len(a) and j < len(b):
        lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
        if lo <= hi:
            out.append((lo, hi))
        if a[i][1] < b[j][1]:
            i += 1
        else:
            j += 1
    return tuple(out)


def _subtract(a: Intervals, b: Intervals) -> Intervals:
    """What of `a` is not in `b`."""
    out: list[tuple[int, int]] = []
    j = 0
    for lo, hi in a:
        while j < len(b) and b[j][1] < lo:
            j += 1
        k = j
        while k < len(b) and b[k][0] <= hi:
            if b[k][0] > lo:
                out.append((lo, b[k][0] - 1))
            lo = max(lo, b[k][1] + 1)
            k += 1
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


@record(frozen=True, repr=False)
class AddressSet:
    """A set of IPv4 and IPv6 addresses; the two families never mix."""

    v4: Intervals = ()
    v6: Intervals = ()

    @classmethod
    def parse(cls, text: str | None) -> AddressSet:
        """One address, CIDR or `first-last` range (address groups and ELB IP groups use ranges)."""
        if text is None or (isinstance(text, str) and not text.strip()):
            raise InvalidValue("empty address")
        if not isinstance(text, str):
            raise InvalidValue(f"{text!r} is not a valid IPv4 or IPv6 address or prefix")
        raw = text.strip()
        if "-" in raw:
            first, _, last = raw.partition("-")
            try:
                lo, hi = ipaddress.ip_address(first.strip()), ipaddress.ip_address(last.strip())
            except ValueError:
                raise InvalidValue(f"{raw!r} is not a valid IPv4 or IPv6 address range") from None
            if lo.version != hi.version:
                raise InvalidValue(f"{raw!r} mixes IPv4 and IPv6")
            if int(lo) > int(hi):
                raise InvalidValue(f"{raw!r} is a reversed range")
            interval = ((int(lo), int(hi)),)
            return cls(v4=interval) if lo.version == 4 else cls(v6=interval)
        _, slash, length = raw.partition("/")
        try:
            if slash and not _PREFIX_LENGTH.fullmatch(length):
                raise ValueError  # netmask forms such as /255.0.0.0 are not CIDRs
            # Host bits are allowed: the cloud stores 10.0.0.1/8 as 10.0.0.0/8.
            net = ipaddress.ip_network(raw, strict=False)
        except ValueError:
            raise InvalidValue(f"{raw!r} is not a valid IPv4 or IPv6 address or prefix") from None
        interval = ((int(net.network_address), int(net.broadcast_address)),)
        return cls(v4=interval) if net.version == 4 else cls(v6=interval)

    @classmethod
    def of(cls, *texts: str) -> AddressSet:
        return cls.union_all(cls.parse(t) for t in texts)

    @classmethod
    def union_all(cls, sets: Iterable[AddressSet]) -> AddressSet:
        items = list(sets)
        return cls(merge_intervals(i for s in items for i in s.v4), merge_intervals(i for s in items for i in s.v6))

    @classmethod
    def any_ipv4(cls) -> AddressSet:
        return cls(v4=((0, 2**32 - 1),))

    @classmethod
    def any_ipv6(cls) -> AddressSet:
        return cls(v6=((0, 2**128 - 1),))

    @classmethod
    def empty(cls) -> AddressSet:
        return cls()

    def __or__(self, other: AddressSet) -> AddressSet:
        return AddressSet(merge_intervals(self.v4 + other.v4), merge_intervals(self.v6 + other.v6))

    def __and__(self, other: AddressSet) -> AddressSet:
        return AddressSet(_intersect(self.v4, other.v4), _intersect(self.v6, other.v6))

    def __sub__(self, other: AddressSet) -> AddressSet:
        return AddressSet(_subtract(self.v4, other.v4), _subtract(self.v6, other.v6))

    def is_empty(self) -> bool:
        return not self.v4 and not self.v6

    def covers(self, other: AddressSet) -> bool:
        """True when every address of `other` is in this set."""
        return (other - self).is_empty()

    def overlaps(self, other: AddressSet) -> bool:
        return not (self & other).is_empty()

    def ipv4(self) -> AddressSet:
        return AddressSet(v4=self.v4)

    def ipv6(self) -> AddressSet:
        return AddressSet(v6=self.v6)

    def to_cidrs(self) -> list[str]:
        """The fewest CIDRs that make up the set, IPv4 first, each family in address order."""
        out: list[str] = []
        for lo, hi in self.v4:
            out += map(str, ipaddress.summarize_address_range(IPv4Address(lo), IPv4Address(hi)))
        for lo, hi in self.v6:
            out += map(str, ipaddress.summarize_address_range(IPv6Address(lo), IPv6Address(hi)))
        return out

    def __str__(self) -> str:
        return ", ".join(self.to_cidrs()) or "nothing"

    def __repr__(self) -> str:
        return f"AddressSet({str(self)!r})"


ENDPOINT_RANGE = AddressSet.parse(ENDPOINT_CIDR)


def parse_addresses(text: object) -> AddressSet | None:
    """A CIDR, IP or range as written in a configuration; None when not a string or not valid."""
    return _parse_cached(text) if isinstance(text, str) else None


@lru_cache(maxsize=4096)
def _parse_cached(text: str) -> AddressSet | None:
    # an estate repeats the same few prefixes thousands of times; AddressSet is immutable
    try:
        return AddressSet.parse(text)
    except InvalidValue:
        return None
@lru_cache(maxsize=4096)
def _parse_ports(text: str, colon: bool) -> PortSet:
    return PortSet._parse(text, colon=colon)  # PortSet is immutable; an invalid text raises each time


ANY_ADDRESS = AddressSet.any_ipv4() | AddressSet.any_ipv6()


@record(frozen=True, repr=False)
class PortSet:
    """A set of TCP/UDP ports, 1 to 65535."""

    intervals: Intervals = ()
    ALL: ClassVar[PortSet]

    @classmethod
    def parse(cls, text: str | int | None, *, colon: bool = False) -> PortSet:
        """`80`, `"80,443"`, `"8000-9000"` or a mix; `colon` also admits the old ACL `"1:100"`."""
        if type(text) is str and cls is PortSet:  # an estate repeats the same few port lists
            return _parse_ports(text, colon)
        return cls._parse(text, colon=colon)

    @classmethod
    def _parse(cls, text: str | int | None, *, colon: bool = False) -> PortSet:
        if isinstance(text, bool):
            raise InvalidValue(f"{text!r} is not a valid port or port range")
        if isinstance(text, int):
            return cls.single(text)
        if text is not None and not isinstance(text, str):
            raise InvalidValue(f"{text!r} is not a valid port or port range")
        if text is None or not text.strip():
            return cls.ALL  # an omitted or empty port means every port, in rules and ACLs alike
        items: list[tuple[int, int]] = []
        for item in (part.strip() for part in text.split(",")):
            if not item:
                raise InvalidValue(f"{text.strip()!r} has an empty item")
            m = _PORT_ITEM.fullmatch(item)
            if not m or (m[2] == ":" and not colon):
                raise InvalidValue(f"{item!r} is not a valid port or port range")
            lo = int(m[1])
            hi = int(m[3]) if m[3] else lo
            if lo > hi:
                raise InvalidValue(f"{item!r} is a reversed port range")
            items.append(cls.range(lo, hi).intervals[0])
        return cls(merge_intervals(items))

    @classmethod
    def range(cls, lo: int, hi: int) -> PortSet:
        for port in (lo, hi):
            if not 1 <= port <= _MAX_PORT:
                raise InvalidValue(f"port {port} is outside 1-{_MAX_PORT}")
        if lo > hi:
            raise InvalidValue(f"'{lo}-{hi}' is a reversed port range")
        return cls(((lo, hi),))

    @classmethod
    def single(cls, port: int) -> PortSet:
        return cls.range(port, port)

    @classmethod
    def union_all(cls, sets: Iterable[PortSet]) -> PortSet:
        return cls(merge_intervals(i for s in sets for i in s.intervals))

    @classmethod
    def empty(cls) -> PortSet:
        return cls()

    def __or__(self, other: PortSet) -> PortSet:
        return PortSet(merge_intervals(self.intervals + other.intervals))

    def __and__(self, other: PortSet) -> PortSet:
        return PortSet(_intersect(self.intervals, other.intervals))

    def __sub__(self, other: PortSet) -> PortSet:
        return PortSet(_subtract(self.intervals, other.intervals))

    def is_empty(self) -> bool:
        return not self.intervals

    def covers(self, other: PortSet) -> bool:
        """True when every port of `other` is in this set."""
        return (other - self).is_empty()

    def overlaps(self, other: PortSet) -> bool:
        return not (self & other).is_empty()

    def __contains__(self, port: object) -> bool:
        return isinstance(port, int) and any(lo <= port <= hi for lo, hi in self.intervals)

    def __str__(self) -> str:
        if self == PortSet.ALL:
            return "all ports"
        parts = (str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in self.intervals)
        return ", ".join(parts) or "no ports"

    def __repr__(self) -> str:
        return f"PortSet({str(self)!r})"


PortSet.ALL = PortSet(((1, _MAX_PORT),))

_PROTOCOL_NAMES = {"tcp": "tcp", "udp": "udp", "icmp": "icmp", "icmpv6": "icmpv6"}
_PROTOCOL_NUMBERS = {6: "tcp", 17: "udp", 1: "icmp", 58: "icmpv6"}
# Spellings of "every protocol": an omitted rule protocol, the ACL's "any", and the API's -1.
_ANY_PROTOCOL = {"", "any", "all", "-1"}


def protocol_of(text: str | int | None) -> str | None:
    """Canonical protocol: tcp, udp, icmp, icmpv6 or a decimal number; None means every protocol."""
    if text is None:
        return None
    if isinstance(text, bool) or not isinstance(text, (str, int)):
        raise InvalidValue(f"{text!r} is not a valid protocol")
    raw = str(text).strip().lower()
    if raw in _ANY_PROTOCOL:
        return None
    if raw in _PROTOCOL_NAMES:
        return _PROTOCOL_NAMES[raw]
    if not re.fullmatch(r"[0-9]+", raw):
        raise InvalidValue(f"{str(text).strip()!r} is not a valid protocol")
    number = int(raw)
    if number > 255:
        raise InvalidValue(f"protocol number {number} is outside 0-255")
    return _PROTOCOL_NUMBERS.get(number, str(number))


def protocol_matches(rule_protocol: str | None, flow_protocol: str) -> bool:
    """Whether a rule written for `rule_protocol` (None: all) applies to a flow."""
    return rule_protocol is None or protocol_of(rule_protocol) == protocol_of(flow_protocol)
