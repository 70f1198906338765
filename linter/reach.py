"""Does a flow get through? Security groups, network ACLs and ELB access control as `Match` lists.

Each function turns resources into `netaddr.Match` rules for one protocol, with Huawei's
semantics, and leaves the verdict to `netaddr.first_match`. A value that is not known makes
the rule's part unknown, never denied.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from .domain import Subnet, Unknown
from .model import UNKNOWN, Inventory, Resource
from .netaddr import (
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
    parse_addresses,
    protocol_of,
)

__all__ = [  # the public API for rules, with vpcep_lint.rule and vpcep_lint.domain (docs/model.md)
    "ENDPOINT_CIDR", "ENDPOINT_RANGE", "AccessControl", "Decision", "FlowSpace", "Verdict", "access_control",
    "admits_no_address",
    "acl_decision", "acl_enabled", "listener_ports", "security_groups_decision", "sg_order", "subnet_acl_gaps",
]

SG_RULE = "huaweicloud_networking_secgroup_rule"
ADDRESS_GROUP = "huaweicloud_vpc_address_group"
NACL = "huaweicloud_vpc_network_acl"
LEGACY_NACL = "huaweicloud_network_acl"
LEGACY_NACL_RULE = "huaweicloud_network_acl_rule"
IPGROUP = "huaweicloud_elb_ipgroup"
LB_WHITELIST = "huaweicloud_lb_whitelist"


_addresses = parse_addresses


def address_group(inv: Inventory, rule: Resource, attribute: str) -> AddressSet | None:
    """The addresses of the `huaweicloud_vpc_address_group` a rule names; None when unknown."""
    groups = inv.target_resources(rule, attribute, ADDRESS_GROUP)
    if len(groups) != 1:
        return None
    g = groups[0]
    # the group holds `addresses` and the `ip` of every `ip_extra_set` block: the union of both
    items, extra = g.get("addresses"), g.blocks("ip_extra_set")
    if items is UNKNOWN or extra is UNKNOWN or (items is not None and not isinstance(items, list)):
        return None
    items = list(items or []) + [e.get("ip") for e in extra]
    out = AddressSet.empty()
    for item in items:
        a = _addresses(item)
        if a is None:
            return None
        out |= a
    return out


def _for_protocol(written: Any, protocol: str) -> bool | None:
    """Whether a rule written for `written` (unset: every protocol) applies to the flow's protocol;
    None when that is not known. An invalid protocol applies to nothing: the cloud rejects it."""
    if written is UNKNOWN:
        return None
    try:
        p = protocol_of(written)
    except InvalidValue:
        return False
    return p is None or p == protocol


@dataclass(frozen=True)
class GroupRule:
    priority: int | None
    match: Match


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def sg_rule_match(inv: Inventory, rule: Resource, protocol: str) -> GroupRule | None:
    """An ingress IPv4 rule as a Match for `protocol`; None when it cannot apply to the flow."""
    direction = rule.get("direction")
    ethertype = rule.get("ethertype")
    if isinstance(direction, str) and direction.lower() != "ingress":
        return None
    if isinstance(ethertype, str) and ethertype.lower() != "ipv4":
        return None
    label = rule.address
    if rule.get("remote_group_id") is not None:
        return None  # a peer group never admits 198.19.128.0/17
    applies = _for_protocol(rule.get("protocol"), protocol)
    if applies is False:
        return None
    unknown = direction is UNKNOWN or ethertype is UNKNOWN or applies is None
    ports: PortSet | None
    raw_ports = rule.get("ports")
    lo, hi = rule.get("port_range_min"), rule.get("port_range_max")
    if raw_ports is UNKNOWN or lo is UNKNOWN or hi is UNKNOWN:
        ports = None
    elif raw_ports is not None:
        try:
            ports = PortSet.parse(raw_ports)
        except InvalidValue:
            return None
    elif lo is not None or hi is not None:  # values already converted by the loaders
        if _int(lo) is None or (hi is not None and _int(hi) is None):
            return None  # not a number: the cloud rejects the rule
        try:
            ports = PortSet.range(lo, hi if hi is not None else lo)
        except InvalidValue:
            return None
    else:
        ports = PortSet.ALL
    addresses: AddressSet | None
    if rule.get("remote_ip_prefix") is not None:
        addresses = _addresses(rule.get("remote_ip_prefix"))
        if addresses is None and rule.get("remote_ip_prefix") is not UNKNOWN:
            return None  # not a valid prefix: the cloud rejects the rule
    elif rule.get("remote_address_group_id") is not None:
        addresses = address_group(inv, rule, "remote_address_group_id")
    else:
        addresses = AddressSet.any_ipv4() | AddressSet.any_ipv6()  # no remote: any address
    action = rule.get("action")
    allow: bool | None = None if action is UNKNOWN or unknown else (action is None or str(action).lower() == "allow")
    priority = rule.get("priority")
    return GroupRule(_int(priority), Match(allow, addresses, ports, label))


def group_rules(inv: Inventory, group: Resource) -> list[Resource]:
    """The `huaweicloud_networking_secgroup_rule` resources of a group."""
    return [r for r, path, _ in inv.referrers(group, SG_RULE) if path[:1] == ("security_group_id",)]


def recorded_rules(group: Resource, protocol: str) -> list[GroupRule]:
    """Rules a recorded group carries in its computed `rules` list (defaults included)."""
    out = []
    rules = group.get("rules")
    if not isinstance(rules, list):
        return out
    for i, raw in enumerate(rules):
        if not isinstance(raw, dict):
            continue
        fake = Resource(address=f"{group.address}.rules[{i}]", type=SG_RULE, name="", values=raw)
        gr = sg_rule_match(Inventory(), fake, protocol)  # remote address groups need resources
        if gr is not None:
            out.append(gr)
    return out


def sg_order(rules: Sequence[tuple[int | None, Match]]) -> list[Match]:
    """Security-group rules in the order `first_match` must try them."""

    def key(item: tuple[int | None, Match]) -> tuple[int, int, int]:
        priority, rule = item
        # 1 is the highest priority and the default. At equal priority deny beats allow, so
        # denies go first, then rules whose action is unknown (they might be denies), then allows;
        # within one action a fully known rule goes first, since same-action order cannot matter.
        action = {False: 0, None: 1, True: 2}[rule.allow]
        return (1 if priority is None else priority, action, 0 if rule.is_known else 1)

    return [rule for _, rule in sorted(rules, key=key)]


def security_groups_decision(
    inv: Inventory, groups: Sequence[Resource], protocol: str, space: FlowSpace
) -> Decision:
    """Groups in NIC order (first = highest), rules by priority within each; deny wins ties."""
    ordered: list[Match] = []
    for g in groups:
        rules = [gr for gr in (sg_rule_match(inv, r, protocol) for r in group_rules(inv, g)) if gr is not None]
        rules += recorded_rules(g, protocol)
        ordered += sg_order([(gr.priority, gr.match) for gr in rules])
    return first_match(space, ordered)


def admits_no_address(inv: Inventory, groups: Sequence[Resource]) -> bool:
    """True when no ingress rule of the groups can allow traffic from an address, of either IP
    version, on any port (only rules naming a peer group, or none at all): whatever the source
    range of a flow, the groups drop it."""
    for g in groups:
        recorded = g.get("rules")  # as `recorded_rules`: unknown in a create plan, read as none
        raws = [r.values for r in group_rules(inv, g)]
        raws += [r for r in recorded if isinstance(r, dict)] if isinstance(recorded, list) else []
        for raw in raws:
            direction, action = raw.get("direction"), raw.get("action")
            if isinstance(direction, str) and direction.lower() != "ingress":
                continue
            if isinstance(action, str) and action.lower() == "deny":
                continue
            if raw.get("remote_group_id") not in (None, "") and raw.get("remote_ip_prefix") in (None, ""):
                continue  # admits the members of a group only
            return False
    return True


# -- network ACLs -------------------------------------------------------------------------------

def acl_enabled(acl: Resource) -> bool | None:
    if acl.type == LEGACY_NACL:
        return True
    enabled = acl.get("enabled")
    if enabled is UNKNOWN:
        return None
    return enabled is None or enabled is True


def _acl_match(inv: Inventory, owner: Resource, raw: dict[str, Any], protocol: str, legacy: bool,
               label: str, destination: AddressSet | None) -> Match | None:
    if raw.get("enabled") is False:
        return None
    version = raw.get("ip_version")
    if version not in (None, 4, "4", UNKNOWN):
        return None
    applies = _for_protocol(raw.get("protocol"), protocol)
    if applies is False:
        return None
    unknown = version is UNKNOWN or applies is None
    ports: PortSet | None
    dport = raw.get("destination_port")
    if dport is UNKNOWN:
        ports = None
    else:
        try:
            ports = PortSet.parse(dport, colon=legacy)
        except InvalidValue:
            return None
    sport = raw.get("source_port")
    if sport is UNKNOWN or (sport is not None and not _all_ports(sport, legacy)):
        unknown = True  # clients pick their source port: a rule on source ports may or may not match
    src = raw.get("source_ip_address")
    addresses: AddressSet | None
    if src is UNKNOWN:
        addresses = None
    elif src is not None:
        addresses = _addresses(src)
        if addresses is None:
            return None
    elif raw.get("source_ip_address_group_id") is not None:
        addresses = None if owner is None else _rule_address_group(inv, owner, raw)
    else:
        addresses = AddressSet.any_ipv4()
    dst = raw.get("destination_ip_address")
    if dst is UNKNOWN:
        unknown = True
    elif dst is not None:
        d = _addresses(dst)
        if d is None:
            return None
        if destination is None or not d.covers(destination):
            if destination is not None and not d.overlaps(destination):
                return None  # aimed at other addresses than the backend's
            unknown = True
    action = raw.get("action")
    allow = None if (action is UNKNOWN or unknown) else str(action).lower() == "allow"
    return Match(allow, addresses, ports, label)


def _all_ports(text: Any, legacy: bool) -> bool:
    try:
        return PortSet.parse(text, colon=legacy).covers(PortSet.ALL)
    except InvalidValue:
        return False


def _rule_address_group(inv: Inventory, owner: Resource, raw: dict[str, Any]) -> AddressSet | None:
    for i, rule in enumerate(owner.blocks("ingress_rules") if owner.blocks("ingress_rules") is not UNKNOWN else []):
        if rule is raw:
            return address_group(inv, owner, f"ingress_rules[{i}].source_ip_address_group_id")
    return None


def acl_decision(inv: Inventory, acl: Resource, protocol: str, space: FlowSpace,
                 destination: AddressSet | None) -> Decision | None:
    """First match over the ACL's inbound rules, implicit deny at the end; None when unknown."""
    matches: list[Match] = []
    if acl.type == LEGACY_NACL:
        rule_ids = acl.get("inbound_rules")
        if rule_ids is None:
            return None  # no inbound policy is created: behaviour undocumented
        rules = inv.target_resources(acl, "inbound_rules", LEGACY_NACL_RULE)
        if rule_ids is UNKNOWN and not rules:
            return None
        if isinstance(rule_ids, list) and len(rules) < len(rule_ids):
            return None
        if not rules:
            return None
        for r in rules:
            m = _acl_match(inv, r, r.values, protocol, True, r.address, destination)
            if m is not None:
                matches.append(m)
    else:
        rules_raw = acl.blocks("ingress_rules")
        if rules_raw is UNKNOWN:
            return None
        for i, raw in enumerate(rules_raw):
            m = _acl_match(inv, acl, raw, protocol, False, f"{acl.address}.ingress_rules[{i}]", destination)
            if m is not None:
                matches.append(m)
    return first_match(space, matches)


# -- ELB access control ---------------------------------------------------------------------------

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
        try:
            out |= PortSet.range(lo, hi if hi is not None else lo)
        except (InvalidValue, TypeError):
            continue  # not a valid range: the cloud rejects it
    return out


@dataclass(frozen=True)
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


def subnet_acl_gaps(inv: Inventory, subnet: Subnet, sources: AddressSet,
                    flows: dict[str, PortSet] | None) -> Iterator[tuple[Resource, list[str] | Unknown]]:
    """What each enabled ACL of the subnet blocks of `sources` on `flows` (protocol -> ports), as
    "A to tcp/P" texts; `flows` None: the ports are not known, and only an ACL that admits
    `sources` on no port at all is known to block."""
    for acl in subnet.acls if not sources.is_empty() else ():
        enabled = acl_enabled(acl)
        if enabled is None:
            yield acl, Unknown(acl, "whether it is enabled", "enabled")
            continue
        if not enabled:
            continue
        gaps: list[str] = []
        for protocol, ports in (flows or {"tcp": PortSet.ALL}).items():
            decision = acl_decision(inv, acl, protocol, FlowSpace.of(sources, ports), subnet.cidr)
            if decision is None:
                yield acl, Unknown(acl, "its inbound rules", "inbound_rules" if acl.type == LEGACY_NACL else "ingress_rules")
                break
            if flows is None and decision.allowed.is_empty() and decision.unknown.is_empty():
                gaps.append(f"{sources} to tcp on any port")
            elif flows is not None:
                gaps += [f"{a} to {protocol}/{p}" for a, p in decision.denied.describe()]
        if gaps:
            yield acl, gaps
