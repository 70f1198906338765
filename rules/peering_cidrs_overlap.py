"""VPCEP004: a VPC peering between VPCs whose address space overlaps.

The user documentation is docs/rules/VPCEP004.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory
from vpcep_lint.netaddr import AddressSet, InvalidValue
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import subnets_of_vpc, vpc_cidrs, vpc_of

PEERING = "huaweicloud_vpc_peering_connection"


class PeeringCidrsOverlap(Rule):
    id = "VPCEP004"
    title = "VPC peering between VPCs whose CIDRs or subnets overlap"
    severity = Severity.ERROR
    tags = ("peering",)

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for peering in inv.of_type(PEERING):
            local, peer = vpc_of(inv, peering), vpc_of(inv, peering, "peer_vpc_id")
            if local is None or peer is None or local is peer:
                continue
            a, b = vpc_cidrs(local), vpc_cidrs(peer)
            if a is UNKNOWN or b is UNKNOWN:
                continue
            pairs = [(x, y) for x in a for y in b if _overlap(x, y)]
            if not pairs:
                continue
            subnet_pairs = []
            for sa in subnets_of_vpc(inv, local):
                for sb in subnets_of_vpc(inv, peer):
                    ca, cb = sa.get("cidr"), sb.get("cidr")
                    if isinstance(ca, str) and isinstance(cb, str) and _overlap(ca, cb):
                        subnet_pairs.append((sa, ca, sb, cb))
            related = [(local, "vpc"), (peer, "peer vpc")]
            if subnet_pairs:
                sa, ca, sb, cb = subnet_pairs[0]
                more = f" (and {len(subnet_pairs) - 1} more)" if len(subnet_pairs) > 1 else ""
                yield self.finding(
                    peering,
                    f"subnet {sa.address} ({ca}) overlaps subnet {sb.address} ({cb}){more}: "
                    f"the peering between {local.address} and {peer.address} cannot route",
                    key="subnets", related=related + [(sa, "subnet"), (sb, "peer subnet")],
                )
            else:
                x, y = pairs[0]
                yield self.finding(
                    peering,
                    f"{local.address} ({x}) and {peer.address} ({y}) overlap; no subnets overlap yet, "
                    f"but routes can only target non-overlapping subnets",
                    key="vpcs", severity=Severity.WARNING, related=related,
                )


def _overlap(x: str, y: str) -> bool:
    try:
        return AddressSet.parse(x).overlaps(AddressSet.parse(y))
    except InvalidValue:
        return False
