"""VPCEP006: a VPC endpoint created in another region than its endpoint service.

The user documentation is docs/rules/VPCEP006.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Unknown
from vpcep_lint.reach import region_path
from vpcep_lint.rule import Finding, Rule, Severity


class EndpointRegionMismatch(Rule):
    id = "VPCEP006"
    title = "VPC endpoint in another region than its service"
    severity = Severity.ERROR
    tags = ("region",)

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        domain = Domain.of(inv)
        for endpoint in domain.endpoints:
            service = endpoint.service
            if service is None:
                yield from [endpoint.unknown] if endpoint.unknown else []
                continue
            mine, theirs = endpoint.resource.region, service.resource.region
            same = domain.same_region(endpoint.resource, service.resource)
            if same is None:
                yield Unknown(service.resource if isinstance(mine, str) else endpoint.resource, "its region", "region")
                continue
            if same:
                continue
            vpcs = [v for v in (endpoint.vpc, domain.vpc_at(service.resource)) if v is not None]
            cc = domain.cloud_connection(vpcs)
            hint = (
                f"; Cloud Connect {cc.address} joins both VPCs, so create the endpoint in {theirs} "
                f"and reach it from {mine} through that connection"
                if cc is not None
                else f"; create it in {theirs} and reach it from {mine} over Cloud Connect"
            )
            yield self.finding(
                endpoint.resource,
                f"endpoint {endpoint.address} is in {mine} but its service {service.address} is in {theirs}{hint}",
                related=[(service.resource, "service")] + ([(cc, "cloud connection")] if cc else []),
                path=region_path(endpoint.resource, service.resource),
            )
