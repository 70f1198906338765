"""VPCEP008: a VPC peering between VPCs of different regions.

The user documentation is docs/rules/VPCEP008.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Unknown
from vpcep_lint.reach import region_path
from vpcep_lint.rule import Finding, Rule, Severity


class PeeringAcrossRegions(Rule):
    id = "VPCEP008"
    title = "VPC peering between VPCs of different regions"
    severity = Severity.ERROR
    tags = ("peering", "region")

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        domain = Domain.of(inv)
        yield from domain.outside_peerings
        for peering in domain.peerings:
            local, peer = peering.local, peering.peer
            a, b = local.region, peer.region
            same = domain.same_region(local.resource, peer.resource)
            if same is None:
                yield Unknown((local if not isinstance(a, str) else peer).resource, "its region", "region")
            elif not same:
                yield self.finding(
                    peering.resource,
                    f"{local.address} is in {a} and {peer.address} in {b}: a peering only joins VPCs of one region",
                    related=[(local.resource, "vpc"), (peer.resource, "peer vpc")],
                    path=region_path(local.resource, peer.resource, peering.resource),
                )
