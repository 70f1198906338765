"""`cidrsubnet` and `cidrhost` of the evaluator, as Terraform computes them.

Most prefixes are IPv4 `a.b.c.d/n`: read and computed on integers. Anything else (IPv6, a
netmask, a bare address, what is not an address) is left to `ipaddress`, whose errors make the
call unknown; both give the same text for the same prefix.
"""
from __future__ import annotations

import ipaddress
import re
from typing import Any

_IPV4_PREFIX = re.compile(r"([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})")


def _ipv4_prefix(prefix: Any) -> tuple[int, int] | None:
    """`a.b.c.d/n` as (network address, n), on integers, when it is exactly what `ipaddress` reads
    so (no leading zeros, octets to 255, n to 32); None for anything else, which `ipaddress` reads."""
    m = _IPV4_PREFIX.fullmatch(prefix) if type(prefix) is str else None
    if m is None:
        return None
    address = 0
    for octet in m.groups()[:4]:
        if (len(octet) > 1 and octet[0] == "0") or int(octet) > 255:
            return None
        address = address << 8 | int(octet)
    bits = int(m[5])
    if bits > 32:
        return None
    return address & ~((1 << (32 - bits)) - 1), bits


def _dotted(address: int) -> str:
    return f"{address >> 24}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


def cidrsubnet(prefix: str, newbits: int, netnum: int) -> str:
    v4 = _ipv4_prefix(prefix) if newbits >= 0 else None
    if v4 is not None:  # the common case, without ipaddress objects
        address, bits = v4
        new_prefix = bits + newbits
        if new_prefix > 32 or netnum >= 1 << newbits or netnum < 0:
            raise ValueError("out of range")
        return f"{_dotted(address + (netnum << (32 - new_prefix)))}/{new_prefix}"
    net = ipaddress.ip_network(prefix, strict=False)
    new_prefix = net.prefixlen + int(newbits)
    if new_prefix > net.max_prefixlen or netnum >= 2 ** int(newbits) or netnum < 0:
        raise ValueError("out of range")
    step = 2 ** (net.max_prefixlen - new_prefix)
    base = int(net.network_address) + int(netnum) * step
    return f"{ipaddress.ip_address(base)}/{new_prefix}"


def cidrhost(prefix: str, hostnum: int) -> str:
    v4 = _ipv4_prefix(prefix)
    if v4 is not None:
        address, bits = v4
        size = 1 << (32 - bits)
        if hostnum < 0:
            hostnum += size
        if not 0 <= hostnum < size:
            raise ValueError("out of range")
        return _dotted(address + hostnum)
    net = ipaddress.ip_network(prefix, strict=False)
    if hostnum < 0:
        hostnum += net.num_addresses
    if not 0 <= hostnum < net.num_addresses:
        raise ValueError("out of range")
    return str(net.network_address + int(hostnum))
