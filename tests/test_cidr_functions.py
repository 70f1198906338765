"""cidrsubnet/cidrhost on integers give what `ipaddress` gives, for every kind of prefix text."""
from __future__ import annotations

import ipaddress
import random

import pytest

from vpcep_lint.loaders.cidr_functions import cidrhost, cidrsubnet
from vpcep_lint.loaders.functions import call
from vpcep_lint.model import UNKNOWN


def _subnet_by_ipaddress(prefix: str, newbits: int, netnum: int) -> str:
    net = ipaddress.ip_network(prefix, strict=False)
    new_prefix = net.prefixlen + newbits
    if new_prefix > net.max_prefixlen or netnum >= 2 ** newbits or netnum < 0:
        raise ValueError("out of range")
    return f"{ipaddress.ip_address(int(net.network_address) + netnum * 2 ** (net.max_prefixlen - new_prefix))}/{new_prefix}"


def _host_by_ipaddress(prefix: str, hostnum: int) -> str:
    net = ipaddress.ip_network(prefix, strict=False)
    if hostnum < 0:
        hostnum += net.num_addresses
    if not 0 <= hostnum < net.num_addresses:
        raise ValueError("out of range")
    return str(net.network_address + hostnum)


def _outcome(fn, *args):  # type: ignore[no-untyped-def]
    try:
        return fn(*args)
    except ValueError as exc:
        return type(exc)


PREFIXES = [
    "10.4.0.0/16", "10.4.7.9/16", "0.0.0.0/0", "255.255.255.255/32", "192.168.1.0/24", "10.0.0.0/8",
    "10.0.0.1/31", "172.16.0.0/12", "10.4.0.0/08", "10.4.0.0/33", "10.4.0.256/16", "010.4.0.0/16",
    "10.04.0.0/16", "10.4.0/16", "10.4.0.0", "10.4.0.0/", "10.4.0.0/255.255.0.0", " 10.4.0.0/16",
    "10.4.0.0/16 ", "fd00::/8", "2001:db8::/32", "::/0", "10.4.0.0/+16", "1.2.3.4/032", "١٠.4.0.0/16",
]


@pytest.mark.parametrize("prefix", PREFIXES)
def test_same_as_ipaddress_on_edge_prefixes(prefix: str) -> None:
    for newbits in (0, 1, 4, 8, 16, 24, 33, 40):
        for netnum in (-1, 0, 1, 2, 255, 256, 65535, 1 << 24):
            assert _outcome(cidrsubnet, prefix, newbits, netnum) == _outcome(_subnet_by_ipaddress, prefix, newbits, netnum)
    for hostnum in (-300, -2, -1, 0, 1, 2, 254, 255, 256, 65536, 1 << 32):
        assert _outcome(cidrhost, prefix, hostnum) == _outcome(_host_by_ipaddress, prefix, hostnum)


def test_same_as_ipaddress_on_random_prefixes() -> None:
    rng = random.Random(7)
    for _ in range(3000):
        prefix = f"{'.'.join(str(rng.randrange(256)) for _ in range(4))}/{rng.randrange(34)}"
        newbits, netnum, hostnum = rng.randrange(12), rng.randrange(-2, 1 << 12), rng.randrange(-70000, 70000)
        assert _outcome(cidrsubnet, prefix, newbits, netnum) == _outcome(_subnet_by_ipaddress, prefix, newbits, netnum)
        assert _outcome(cidrhost, prefix, hostnum) == _outcome(_host_by_ipaddress, prefix, hostnum)


def test_a_call_out_of_range_is_unknown() -> None:
    assert call("cidrsubnet", ["10.4.0.0/16", 8, 1]) == "10.4.1.0/24"
    assert call("cidrhost", ["10.4.1.0/24", -1]) == "10.4.1.255"
    assert call("cidrsubnet", ["10.4.0.0/16", 8, 256]) is UNKNOWN
    assert call("cidrsubnet", ["10.4.0.0/16", 10**9, 1]) is UNKNOWN  # no 2**1e9 is built
    assert call("cidrhost", ["10.4.0.0/016", 70000]) is UNKNOWN
