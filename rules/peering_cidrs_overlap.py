"""VPCEP004: a VPC peering between VPCs whose address space overlaps.

The user documentation is docs/rules/VPCEP004.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Unknown
from vpcep_lint.reach import overlap_path
from vpcep_lint.rule import Finding, Rule, Severity


class PeeringCidrsOverlap(Rule):
    id = "VPCEP004"
    title = "VPC peering between VPCs whose CIDRs or subnets overlap"
    severity = Severity.ERROR
    tags = ("peering",)

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        yield from Domain.of(inv).outside_peerings
        for peering in Domain.of(inv).peerings:
            local, peer = peering.local, peering.peer
            same = local.same_space(peer)
            if same is not None:  # unknown, but the same expression on both sides
                yield self.finding(
                    peering.resource,
                    f"{local.address} and {peer.address} both take their CIDR from {same}: they overlap whatever "
                    f"its value, and routes can only target non-overlapping subnets",
                    key="vpcs", severity=Severity.WARNING, path=overlap_path(peering, same=same),
                    related=[(local.resource, "vpc"), (peer.resource, "peer vpc")],
                )
                continue
            if local.space is None or peer.space is None:
                yield Unknown((local if local.space is None else peer).resource, "its address space", "cidr")
                continue
            if not local.space.overlaps(peer.space):
                continue
            related = [(local.resource, "vpc"), (peer.resource, "peer vpc")]
            pairs = [(a, b) for a in local.subnets for b in peer.subnets
                     if a.cidr is not None and b.cidr is not None and a.cidr.overlaps(b.cidr)]
            if pairs:
                a, b = pairs[0]
                more = f" (and {len(pairs) - 1} more)" if len(pairs) > 1 else ""
                yield self.finding(
                    peering.resource,
                    f"subnet {a.address} ({a.cidr}) overlaps subnet {b.address} ({b.cidr}){more}: "
                    f"the peering between {local.address} and {peer.address} cannot route",
                    key="subnets", related=related + [(a.resource, "subnet"), (b.resource, "peer subnet")],
                    path=overlap_path(peering, a, b),
                )
            else:
                yield self.finding(
                    peering.resource,
                    f"{local.address} ({local.space}) and {peer.address} ({peer.space}) overlap; no subnets "
                    f"overlap yet, but routes can only target non-overlapping subnets",
                    key="vpcs", severity=Severity.WARNING, related=related, path=overlap_path(peering),
                )
