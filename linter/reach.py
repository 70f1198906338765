"""Does a flow get through? Security groups, network ACLs and ELB access control as `Match` lists.

Each function turns resources into `netaddr.Match` rules for one protocol, with Huawei's
semantics, and leaves the verdict to `netaddr.first_match`. A value that is not known makes
the rule's part unknown, never denied. What is dropped comes back as `Gap`s that record the
entries that decide it, so a rule passes them on to its finding's path (`vpcep_lint.paths`).
ELB access control is in `reach_elb`, re-exported here.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
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
from .paths import (
    Gap,
    acl_path,
    approval_path,
    endpoint_acl_path,
    listed,
    listener_path,
    overlap_path,
    region_path,
    route_clash_path,
    route_path,
    security_group_path,
    status_path,
)
from .reach_elb import AccessControl, access_control, listener_ports
from .records import record

__all__ = [  # the public API for rules, with vpcep_lint.rule and vpcep_lint.domain (docs/model.md)
    "ENDPOINT_CIDR", "ENDPOINT_RANGE", "AccessControl", "Decision", "FlowSpace", "Gap", "Verdict", "access_control",
    "acl_decision", "acl_enabled", "admits_no_address", "gaps_of", "listener_ports", "security_group_gaps",
    "security_groups_decision", "sg_order", "subnet_acl_gaps",
    # the path of a finding, built from what decided it (vpcep_lint.paths)
    "acl_path", "approval_path", "endpoint_acl_path", "listed", "listener_path", "overlap_path", "region_path",
    "route_clash_path", "route_path", "security_group_path", "status_path",
]

SG_RULE = "huaweicloud_networking_secgroup_rule"
ADDRESS_GROUP = "huaweicloud_vpc_address_group"
NACL = "huaweicloud_vpc_network_acl"
LEGACY_NACL = "huaweicloud_network_acl"
LEGACY_NACL_RULE = "huaweicloud_network_acl_rule"


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


@record(frozen=True)
class GroupRule:
    priority: int | None
    match: Match


def _int(v: Any) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


class _Rejected(Exception):
    """A value the cloud rejects: the rule is never created, so it matches nothing."""


def _other_than(value: Any, wanted: str) -> bool:
    return isinstance(value, str) and value.lower() != wanted


def _sg_ports(rule: Resource) -> PortSet | None:
    """The ports of a security-group rule (values already converted by the loaders); None: unknown."""
    raw, lo, hi = rule.get("ports"), rule.get("port_range_min"), rule.get("port_range_max")
    if raw is UNKNOWN or lo is UNKNOWN or hi is UNKNOWN:
        return None
    try:
        if raw is not None:
            return PortSet.parse(raw)
        if lo is None and hi is None:
            return PortSet.ALL
        if _int(lo) is None or (hi is not None and _int(hi) is None):
            raise _Rejected  # not a number
        return PortSet.range(lo, hi if hi is not None else lo)
    except InvalidValue:
        raise _Rejected from None


def _sg_remote(inv: Inventory, rule: Resource) -> AddressSet | None:
    prefix = rule.get("remote_ip_prefix")
    if prefix is not None:
        addresses = _addresses(prefix)
        if addresses is None and prefix is not UNKNOWN:
            raise _Rejected  # not a valid prefix
        return addresses
    if rule.get("remote_address_group_id") is not None:
        return address_group(inv, rule, "remote_address_group_id")
    return AddressSet.any_ipv4() | AddressSet.any_ipv6()  # no remote: any address


def sg_rule_match(inv: Inventory, rule: Resource, protocol: str) -> GroupRule | None:
    """An ingress IPv4 rule as a Match for `protocol`; None when it cannot apply to the flow."""
    direction, ethertype = rule.get("direction"), rule.get("ethertype")
    if _other_than(direction, "ingress") or _other_than(ethertype, "ipv4"):
        return None
    if rule.get("remote_group_id") is not None:
        return None  # a peer group never admits 198.19.128.0/17
    applies = _for_protocol(rule.get("protocol"), protocol)
    if applies is False:
        return None
    try:
        ports, addresses = _sg_ports(rule), _sg_remote(inv, rule)
    except _Rejected:
        return None
    unknown = direction is UNKNOWN or ethertype is UNKNOWN or applies is None
    action = rule.get("action")
    allow: bool | None = None if action is UNKNOWN or unknown else (action is None or str(action).lower() == "allow")
    return GroupRule(_int(rule.get("priority")), Match(allow, addresses, ports, rule.address))


def group_rules(inv: Inventory, group: Resource) -> list[Resource]:
    """The `huaweicloud_networking_secgroup_rule` resources of a group."""
    return [r for r, path, _ in inv.referrers(group, SG_RULE) if path[:1] == ("security_group_id",)]


def recorded_rules(group: Resource, protocol: str) -> list[GroupRule]:
    """Rules a recorded group carries in its computed `rules` list (defaults included)."""
    out: list[GroupRule] = []
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


def gaps_of(decision: Decision, protocol: str) -> list[Gap]:
    """What a decision denies, pair by pair, with the deny entries that decided it."""
    return [Gap(a, protocol, p, decision.denied_by) for a, p in decision.denied.describe()]


def security_group_gaps(inv: Inventory, groups: Sequence[Resource],
                        flows: dict[str, PortSet] | None) -> list[Gap] | None:
    """What of 198.19.128.0/17 on `flows` (protocol -> ports) the groups drop; `flows` None: the
    ports are not known, and only groups that admit the range on no port at all are known to
    block (one gap on any port); None when that depends on the unknown ports."""
    if flows is None:
        decision = security_groups_decision(inv, groups, "tcp", FlowSpace.of(ENDPOINT_RANGE, PortSet.ALL))
        blocked = decision.allowed.is_empty() and decision.unknown.is_empty()
        return [Gap(ENDPOINT_RANGE, "tcp", None, decision.denied_by)] if blocked else None
    out = []
    for protocol, ports in flows.items():
        out += gaps_of(security_groups_decision(inv, groups, protocol, FlowSpace.of(ENDPOINT_RANGE, ports)), protocol)
    return out


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
    version = raw.get("ip_version")
    if raw.get("enabled") is False or version not in (None, 4, "4", UNKNOWN):
        return None
    applies = _for_protocol(raw.get("protocol"), protocol)
    if applies is False:
        return None
    try:
        ports = _acl_ports(raw.get("destination_port"), legacy)
        addresses = _acl_sources(inv, owner, raw)
        unsure = _acl_unsure(raw, legacy, destination)
    except _Rejected:
        return None
    action = raw.get("action")
    unknown = version is UNKNOWN or applies is None or unsure or action is UNKNOWN
    return Match(None if unknown else str(action).lower() == "allow", addresses, ports, label)


def _acl_ports(dport: Any, legacy: bool) -> PortSet | None:
    if dport is UNKNOWN:
        return None
    try:
        return PortSet.parse(dport, colon=legacy)
    except InvalidValue:
        raise _Rejected from None


def _acl_sources(inv: Inventory, owner: Resource, raw: dict[str, Any]) -> AddressSet | None:
    src = raw.get("source_ip_address")
    if src is UNKNOWN:
        return None
    if src is not None:
        addresses = _addresses(src)
        if addresses is None:
            raise _Rejected
        return addresses
    if raw.get("source_ip_address_group_id") is not None:
        return None if owner is None else _rule_address_group(inv, owner, raw)
    return AddressSet.any_ipv4()


def _acl_unsure(raw: dict[str, Any], legacy: bool, destination: AddressSet | None) -> bool:
    """Whether an entry may or may not match the flow: clients pick their source port, so an entry
    on source ports is unsure, and so is a destination that covers part of the backend's subnet.
    An entry aimed at other addresses than the backend's raises `_Rejected` (it never matches)."""
    sport = raw.get("source_port")
    unsure = sport is UNKNOWN or (sport is not None and not _all_ports(sport, legacy))
    dst = raw.get("destination_ip_address")
    if dst is UNKNOWN:
        return True
    if dst is None:
        return unsure
    d = _addresses(dst)
    if d is None:
        raise _Rejected
    if destination is not None and not d.overlaps(destination):
        raise _Rejected
    return unsure or destination is None or not d.covers(destination)


def _all_ports(text: Any, legacy: bool) -> bool:
    try:
        return PortSet.parse(text, colon=legacy).covers(PortSet.ALL)
    except InvalidValue:
        return False


def _rule_address_group(inv: Inventory, owner: Resource, raw: dict[str, Any]) -> AddressSet | None:
    blocks = owner.blocks("ingress_rules")
    for i, rule in enumerate(blocks if blocks is not UNKNOWN else []):
        if rule is raw:
            return address_group(inv, owner, f"ingress_rules[{i}].source_ip_address_group_id")
    return None


def acl_decision(inv: Inventory, acl: Resource, protocol: str, space: FlowSpace,
                 destination: AddressSet | None) -> Decision | None:
    """First match over the ACL's inbound rules, implicit deny at the end; None when unknown."""
    if acl.type == LEGACY_NACL:
        found = _legacy_matches(inv, acl, protocol, destination)
        if found is None:
            return None
        return first_match(space, found)
    rules_raw = acl.blocks("ingress_rules")
    if rules_raw is UNKNOWN:
        return None
    matches = [_acl_match(inv, acl, raw, protocol, False, f"{acl.address}.ingress_rules[{i}]", destination)
               for i, raw in enumerate(rules_raw)]
    return first_match(space, [m for m in matches if m is not None])


def _legacy_matches(inv: Inventory, acl: Resource, protocol: str, destination: AddressSet | None) -> list[Match] | None:
    """A `huaweicloud_network_acl`'s inbound rule resources as Matches; None when not all are known."""
    rule_ids = acl.get("inbound_rules")
    if rule_ids is None:
        return None  # no inbound policy is created: behaviour undocumented
    rules = inv.target_resources(acl, "inbound_rules", LEGACY_NACL_RULE)
    if not rules or (isinstance(rule_ids, list) and len(rules) < len(rule_ids)):
        return None
    matches = [_acl_match(inv, r, r.values, protocol, True, r.address, destination) for r in rules]
    return [m for m in matches if m is not None]


def subnet_acl_gaps(inv: Inventory, subnet: Subnet, sources: AddressSet,
                    flows: dict[str, PortSet] | None) -> Iterator[tuple[Resource, list[Gap] | Unknown]]:
    """What each enabled ACL of the subnet blocks of `sources` on `flows` (protocol -> ports), as
    `Gap`s ("A to tcp/P", with the entries that decide); `flows` None: the ports are not known,
    and only an ACL that admits `sources` on no port at all is known to block."""
    for acl in subnet.acls if not sources.is_empty() else ():
        enabled = acl_enabled(acl)
        if enabled is None:
            yield acl, Unknown(acl, "whether it is enabled", "enabled")
            continue
        if not enabled:
            continue
        gaps: list[Gap] = []
        for protocol, ports in (flows or {"tcp": PortSet.ALL}).items():
            decision = acl_decision(inv, acl, protocol, FlowSpace.of(sources, ports), subnet.cidr)
            if decision is None:
                attribute = "inbound_rules" if acl.type == LEGACY_NACL else "ingress_rules"
                yield acl, Unknown(acl, "its inbound rules", attribute)
                break
            if flows is None and decision.allowed.is_empty() and decision.unknown.is_empty():
                gaps.append(Gap(sources, "tcp", None, decision.denied_by))
            elif flows is not None:
                gaps += gaps_of(decision, protocol)
        if gaps:
            yield acl, gaps
