"""VPCEP005: a VPC peering without routes on both sides.

The user documentation is docs/rules/VPCEP005.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from vpcep_lint.model import UNKNOWN, Inventory, Resource
from vpcep_lint.netaddr import AddressSet, InvalidValue
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import VPC, vpc_cidrs, vpc_of

PEERING = "huaweicloud_vpc_peering_connection"
ROUTE = "huaweicloud_vpc_route"
ROUTE_TABLE = "huaweicloud_vpc_route_table"


class PeeringRoutesMissing(Rule):
    id = "VPCEP005"
    title = "VPC peering without routes on both sides"
    severity = Severity.WARNING
    tags = ("peering", "routes")

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for peering in inv.of_type(PEERING):
            local, peer = vpc_of(inv, peering), vpc_of(inv, peering, "peer_vpc_id")
            if local is None or peer is None or local is peer:
                continue
            routes = _routes(inv, peering)
            if routes is UNKNOWN:
                continue
            for side, vpc, other in (("requester", local, peer), ("accepter", peer, local)):
                own, remote = _space(vpc), _space(other)
                if own is None or remote is None:
                    continue
                found = [d for v, d in routes if v is vpc and d is not None and d.overlaps(remote) and not own.covers(d)]
                unknown = any(v is vpc and d is None for v, d in routes) or any(v is UNKNOWN for v, _ in routes)
                if not found and not unknown:
                    yield self.finding(
                        peering,
                        f"the {side} VPC {vpc.address} has no route to {other.address} ({remote}) through {peering.address}",
                        key=side, related=[(vpc, "vpc without route"), (other, "peer vpc")],
                    )


def _space(vpc: Resource) -> AddressSet | None:
    cidrs = vpc_cidrs(vpc)
    if cidrs is UNKNOWN:
        return None
    try:
        return AddressSet.of(*cidrs)
    except InvalidValue:
        return None


def _dest(text: Any) -> AddressSet | None:
    if not isinstance(text, str):
        return None
    try:
        return AddressSet.parse(text)
    except InvalidValue:
        return None


def _routes(inv: Inventory, peering: Resource) -> list[tuple[Any, AddressSet | None]] | Any:
    """(VPC, destination) of every route whose next hop is the peering."""
    out: list[tuple[Any, AddressSet | None]] = []
    for route, path, _ in inv.referrers(peering, ROUTE, ROUTE_TABLE):
        if route.type == ROUTE and path[:1] == ("nexthop",):
            if route.get("type") not in ("peering", UNKNOWN):
                continue
            vpcs = inv.target_resources(route, "vpc_id", VPC)
            out.append((vpcs[0] if vpcs else UNKNOWN, _dest(route.get("destination"))))
        elif route.type == ROUTE_TABLE and len(path) >= 3 and path[0] == "route":
            blocks = route.blocks("route")
            if blocks is UNKNOWN:
                return UNKNOWN
            vpcs = inv.target_resources(route, "vpc_id", VPC)
            for i, block in enumerate(blocks):
                # a plan lists `route` (a set) in another order than the configuration: there
                # any peering route whose next hop is not known yet may be this one
                hop = block.get("nexthop")
                if i == path[1] or (inv.kind == "plan" and hop is UNKNOWN and block.get("type") in ("peering", UNKNOWN)):
                    out.append((vpcs[0] if vpcs else UNKNOWN, _dest(block.get("destination"))))
    return out
