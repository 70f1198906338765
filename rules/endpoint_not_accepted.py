"""VPCEP007: a VPC endpoint that will not be, or was not, accepted by its service.

The user documentation is docs/rules/VPCEP007.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory, Resource
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import ENDPOINT, SERVICE, service_of

APPROVAL = "huaweicloud_vpcep_approval"
RECORDED = {"pendingAcceptance": Severity.WARNING, "rejected": Severity.WARNING, "failed": Severity.ERROR}


class EndpointNotAccepted(Rule):
    id = "VPCEP007"
    title = "VPC endpoint that stays pending, or was rejected or failed"
    severity = Severity.WARNING
    tags = ("approval", "state")

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type(SERVICE):
            if service.recorded and service.get("status") == "failed":
                yield self.finding(service, f"endpoint service {service.address} is recorded as failed",
                                   attribute="status", key="status", severity=Severity.ERROR)
        for endpoint in inv.of_type(ENDPOINT):
            status = endpoint.get("status") if endpoint.recorded else None
            if isinstance(status, str):
                if status in RECORDED:
                    yield self.finding(endpoint, f"endpoint {endpoint.address} is recorded as {status}",
                                       attribute="status", key="status", severity=RECORDED[status])
                continue
            service = service_of(inv, endpoint)
            if service is None or service.get("approval") is not True:
                continue
            approved = approval_state(inv, service, endpoint)
            if approved is False:
                yield self.finding(
                    endpoint,
                    f"service {service.address} requires approval and no huaweicloud_vpcep_approval accepts "
                    f"{endpoint.address}: it will stay pending acceptance",
                    key="approval",
                    related=[(service, "service")],
                )


def approval_state(inv: Inventory, service: Resource, endpoint: Resource) -> bool | None:
    """True when an approval lists the endpoint, None when that cannot be known."""
    unknown = False
    for approval, path, _ in inv.referrers(service, APPROVAL):
        if path[:1] != ("service_id",):
            continue
        listed = inv.target_resources(approval, "endpoints", ENDPOINT)
        if endpoint in listed:
            return True
        if approval.get("endpoints") is UNKNOWN and not listed:
            unknown = True
    return None if unknown else False
