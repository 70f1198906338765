"""VPCEP005: a VPC peering without routes on both sides.

The user documentation is docs/rules/VPCEP005.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Peering, Route, Unknown, Vpc
from vpcep_lint.reach import route_clash_path, route_path
from vpcep_lint.rule import Finding, Rule, Severity


class PeeringRoutesMissing(Rule):
    id = "VPCEP005"
    title = "VPC peering without routes on both sides"
    severity = Severity.WARNING
    tags = ("peering", "routes")

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        yield from Domain.of(inv).outside_peerings
        for peering in Domain.of(inv).peerings:
            if peering.routes is None or any(r.vpc is None for r in peering.routes):
                yield peering.unknown or Unknown(peering.resource, "the VPC of a route through it")
                continue
            for side, vpc, other in peering.sides():
                routes = peering.routes_of(vpc)
                verdicts = [self._route(peering, vpc, other, r) for r in routes]
                if any(v is True for v in verdicts):
                    continue
                if any(isinstance(v, Unknown) for v in verdicts):
                    yield next(v for v in verdicts if isinstance(v, Unknown))
                    continue
                yield from (v for v in verdicts if isinstance(v, Finding))
                missed = [r.destination_text for r, v in zip(routes, verdicts, strict=True) if v is False]
                if verdicts and not missed:
                    continue  # every route is wrong and said so at the route
                text = (f"has no route to {other.label} through {peering.address}" if not missed else
                        f"routes only {', '.join(str(m) for m in missed)} through {peering.address}: "
                        f"{'its own address space, ' if vpc.holds(routes) else ''}none of it in {other.label}")
                yield self.finding(peering.resource, f"the {side} VPC {vpc.address} {text}", key=side,
                                   related=[(vpc.resource, "vpc without route"), (other.resource, "peer vpc")],
                                   path=route_path(peering, vpc, other))

    def _route(self, peering: Peering, vpc: Vpc, other: Vpc, route: Route) -> bool | Unknown | Finding:
        """True: the route carries traffic to `other`; False: it targets other addresses."""
        if (dest := route.destination) is None:
            return Unknown(route.resource, "the destination of a route through the peering", route.attribute)
        # a custom route may not overlap a subnet's system route: the cloud rejects one equal to or
        # inside a subnet; a wider one (0.0.0.0/0 to a NAT gateway is the common case) is accepted,
        # and the subnet's route wins for its addresses (longest prefix)
        clash = [s for s in vpc.subnets if s.cidr is not None and s.cidr.covers(dest)]
        if clash:
            return self.finding(
                route.resource, f"route to {route.destination_text} through {peering.address} lies in subnet "
                f"{clash[0].address} ({clash[0].cidr}) of {vpc.address}: the cloud rejects a custom route "
                f"inside a subnet's system route",
                attribute=route.attribute, key=f"{peering.address}|{route.destination_text}", severity=Severity.ERROR,
                path=route_clash_path(peering, vpc, route, clash[0]))
        if vpc.space is None or (vpc.space.overlaps(dest) and vpc.subnet_space() is None):
            return Unknown(vpc.resource, "its subnets", "cidr")
        if route.carries is None:
            return Unknown(route.table or route.resource, "the subnets its routes steer", "subnets")
        if route.carries is False and route.table is not None:
            return self.finding(
                route.table, f"route table {route.table.address} holds the route to {route.destination_text} through "
                f"{peering.address} but no subnet is associated with it: the route carries nothing",
                attribute="subnets", key=f"{peering.address}|{route.destination_text}",
                path=route_clash_path(peering, vpc, route))
        if other.space is None:
            return Unknown(other.resource, "its address space", "cidr")
        return dest.overlaps(other.space)

