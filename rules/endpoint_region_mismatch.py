"""VPCEP006: a VPC endpoint created in another region than its endpoint service.

The user documentation is docs/rules/VPCEP006.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory, Resource
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import ENDPOINT, service_of, vpc_of

CC_CONNECTION = "huaweicloud_cc_connection"
CC_INSTANCE = "huaweicloud_cc_network_instance"


class EndpointRegionMismatch(Rule):
    id = "VPCEP006"
    title = "VPC endpoint in another region than its service"
    severity = Severity.ERROR
    tags = ("region",)

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for endpoint in inv.of_type(ENDPOINT):
            service = service_of(inv, endpoint)
            if service is None:
                continue
            mine, theirs = endpoint.region, service.region
            if not isinstance(mine, str) or not isinstance(theirs, str) or mine == theirs:
                continue
            vpcs = [v for v in (vpc_of(inv, endpoint), vpc_of(inv, service)) if v is not None]
            cc = cloud_connection(inv, vpcs)
            hint = (
                f"; Cloud Connect {cc.address} joins both VPCs, so create the endpoint in {theirs} and reach it over it"
                if cc is not None
                else f"; create it in {theirs} and reach it from {mine} over Cloud Connect"
            )
            yield self.finding(
                endpoint,
                f"endpoint {endpoint.address} is in {mine} but its service {service.address} is in {theirs}{hint}",
                related=[(service, "service")] + ([(cc, "cloud connection")] if cc else []),
            )


def cloud_connection(inv: Inventory, vpcs: list[Resource]) -> Resource | None:
    """A `huaweicloud_cc_connection` with a network instance for every VPC given, if any."""
    if len(vpcs) < 2:
        return None
    for cc in inv.of_type(CC_CONNECTION):
        joined = set()
        for inst, path, _ in inv.referrers(cc, CC_INSTANCE):
            if path[:1] == ("cloud_connection_id",) and inst.get("type") in ("vpc", UNKNOWN, None):
                joined.update(v.address for v in inv.target_resources(inst, "instance_id"))
        if all(v.address in joined for v in vpcs):
            return cc
    return None
