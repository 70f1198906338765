"""VPCEP007: a VPC endpoint that will not be, or was not, accepted by its service.

The user documentation is docs/rules/VPCEP007.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import UNKNOWN, Domain, Endpoint, Inventory, Unknown
from vpcep_lint.reach import approval_path, status_path
from vpcep_lint.rule import Finding, Rule, Severity

RECORDED = {"pendingAcceptance": Severity.WARNING, "rejected": Severity.WARNING, "failed": Severity.ERROR}


class EndpointNotAccepted(Rule):
    id = "VPCEP007"
    title = "VPC endpoint that stays pending, or was rejected or failed"
    severity = Severity.WARNING
    tags = ("approval", "state")

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        domain = Domain.of(inv)
        for service in domain.services:
            if service.resource.recorded and service.resource.get("status") == "failed":
                yield self.finding(service.resource, f"endpoint service {service.address} is recorded as failed",
                                   attribute="status", key="status", severity=Severity.ERROR,
                                   path=status_path(service.resource, "failed"))
        for endpoint in domain.endpoints:
            status = endpoint.resource.get("status") if endpoint.resource.recorded else None
            if isinstance(status, str):
                if status in RECORDED:
                    yield self.finding(endpoint.resource, f"endpoint {endpoint.address} is recorded as {status}",
                                       attribute="status", key="status", severity=RECORDED[status],
                                       path=status_path(endpoint.resource, status, endpoint.service))
                continue
            yield from self._approval(domain, endpoint)

    def _approval(self, domain: Domain, endpoint: Endpoint) -> Iterator[Finding | Unknown]:
        """An endpoint of a service that requires approval stays pending unless an approval accepts it."""
        target = endpoint.service
        if target is None:
            yield from [endpoint.unknown] if endpoint.unknown is not None else []
            return
        required = target.resource.get("approval")
        approved = domain.approvals(endpoint) if required is True or required is UNKNOWN else True
        if approved is not True and required is UNKNOWN:  # accepted either way only when approved
            yield Unknown(target.resource, "whether it requires approval", attribute="approval")
        elif approved is None:
            yield Unknown(endpoint.resource, f"whether an approval of {target.address} lists it")
        elif approved is False:
            yield self.finding(
                endpoint.resource,
                f"service {target.address} requires approval and no huaweicloud_vpcep_approval accepts "
                f"{endpoint.address}: it will stay pending acceptance",
                key="approval",
                related=[(target.resource, "service")],
                path=approval_path(endpoint, target),
            )
