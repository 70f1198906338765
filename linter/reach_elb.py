"""ELB access control: which of the endpoint's addresses a listener's whitelist or blacklist refuses.

Part of the decision layer (`reach` re-exports it): a dedicated ELB listener's IP group with its
`access_policy`, a shared ELB listener's `huaweicloud_lb_whitelist`, and the ports a listener
receives. A value that is not known makes the answer unknown, never refused.
"""
from __future__ import annotations

from typing import Any

from .model import UNKNOWN, Inventory, Resource
from .netaddr import AddressSet, InvalidValue, PortSet, parse_addresses
from .records import record

IPGROUP = "huaweicloud_elb_ipgroup"
LB_WHITELIST = "huaweicloud_lb_whitelist"

_addresses = parse_addresses


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def ip_group_addresses(inv: Inventory, listener: Resource) -> tuple[Resource | None, AddressSet | None]:
    groups = inv.target_resources(listener, "ip_group", IPGROUP)
    if len(groups) != 1:
        return None, None
    g = groups[0]
    items = g.blocks("ip_list")
    if items is UNKNOWN:
        return g, None
    out = AddressSet.empty()
    for item in items:
        a = _addresses(item.get("ip"))
        if a is None:
            return g, None
        out |= a
    return g, out


def whitelist_addresses(text: Any) -> AddressSet | None:
    """A shared-ELB whitelist string: comma-separated IPs and CIDRs (unset or empty: nobody)."""
    if text is UNKNOWN:
        return None
    if text is None:
        return AddressSet.empty()
    out = AddressSet.empty()
    for item in str(text).split(","):
        if not item.strip():
            continue
        a = _addresses(item.strip())
        if a is None:
            return None
        out |= a
    return out


def listener_ports(listener: Resource) -> PortSet | None:
    """The ports a listener receives: `protocol_port`, else its `port_ranges` (dedicated TCP/UDP
    range listeners); None when not known statically."""
    port = listener.get("protocol_port")
    if port is UNKNOWN:
        return None
    if _int(port) is not None:
        try:
            return PortSet.single(port)
        except InvalidValue:
            return PortSet.empty()
    ranges = listener.blocks("port_ranges")
    if ranges is UNKNOWN:
        return None
    out = PortSet.empty()
    for r in ranges:
        lo, hi = r.get("start_port"), r.get("end_port")
        if lo is UNKNOWN or hi is UNKNOWN:
            return None
        if lo is None:
            continue  # not a valid range: the cloud rejects it
        try:
            out |= PortSet.range(lo, hi if hi is not None else lo)
        except (InvalidValue, TypeError):
            continue  # not a valid range: the cloud rejects it
    return out


@record(frozen=True)
class AccessControl:
    """A listener's access control: what of `flow_sources` it refuses (None: not known)."""

    kind: str
    """`whitelist` or `blacklist`."""
    control: Resource | None
    """The IP group (dedicated ELB) or the `huaweicloud_lb_whitelist` (shared ELB)."""
    refused: AddressSet | None


def access_control(inv: Inventory, listener: Resource, sources: AddressSet) -> AccessControl | None:
    """The access control in force on a listener (ELB user guide: a whitelist admits only its
    addresses, an empty one nobody; a blacklist refuses its addresses, an empty one nobody);
    None when the listener has none."""
    if listener.type == "huaweicloud_elb_listener":
        return _dedicated(inv, listener, sources)
    for wl, path, _ in inv.referrers(listener, LB_WHITELIST):
        if path[:1] != ("listener_id",):
            continue
        enabled = wl.get("enable_whitelist")
        if enabled is UNKNOWN:
            return AccessControl("whitelist", wl, None)
        if enabled is not True:
            continue  # unset means false: access control off
        addresses = whitelist_addresses(wl.get("whitelist"))
        return AccessControl("whitelist", wl, None if addresses is None else sources - addresses)
    return None


def _dedicated(inv: Inventory, listener: Resource, sources: AddressSet) -> AccessControl | None:
    policy, enabled = listener.get("access_policy"), listener.get("ip_group_enable")
    if policy is None:
        return None
    kind = "whitelist" if policy == "white" else "blacklist" if policy == "black" else ""
    if policy is UNKNOWN or enabled is UNKNOWN:
        return AccessControl(kind or "access control", None, None)
    if not kind or str(enabled).lower() == "false":
        return None  # unset `ip_group_enable` means enabled (the API default)
    group, addresses = ip_group_addresses(inv, listener)
    if addresses is None:
        return AccessControl(kind, group, None)
    refused = sources - addresses if kind == "whitelist" else sources & addresses
    return AccessControl(kind, group, refused)


