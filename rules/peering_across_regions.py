"""VPCEP008: a VPC peering between VPCs of different regions.

Why: a peering only joins VPCs of one region (VPCEP FAQ §2 and §4); across regions it is never
established. Each VPC's effective region is its `region` argument, else the region of the
provider configuration it uses.

Fix: keep peerings inside one region; join VPCs of different regions with Cloud Connect
(`huaweicloud_cc_connection`, a `huaweicloud_cc_network_instance` per VPC and a
`huaweicloud_cc_inter_region_bandwidth`), or publish the service behind a VPC endpoint in its
region and reach that over Cloud Connect.

Not flagged: VPCs whose region cannot be known statically.
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
