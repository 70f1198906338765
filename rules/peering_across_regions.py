"""VPCEP008: a VPC peering between VPCs of different regions.

The user documentation is docs/rules/VPCEP008.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import Inventory
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import vpc_of

PEERING = "huaweicloud_vpc_peering_connection"


class PeeringAcrossRegions(Rule):
    id = "VPCEP008"
    title = "VPC peering between VPCs of different regions"
    severity = Severity.ERROR
    tags = ("peering", "region")

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for peering in inv.of_type(PEERING):
            local, peer = vpc_of(inv, peering), vpc_of(inv, peering, "peer_vpc_id")
            if local is None or peer is None:
                continue
            a, b = local.region, peer.region
            if isinstance(a, str) and isinstance(b, str) and a != b:
                yield self.finding(
                    peering,
                    f"{local.address} is in {a} and {peer.address} in {b}: a peering only joins VPCs of one region",
                    related=[(local, "vpc"), (peer, "peer vpc")],
                )
