"""ACME001: every VPC endpoint service says what it offers and who owns it.

Why: at ACME, consumers request access to an endpoint service from the console, where its
`description` is all they see. A service without one gets connection requests nobody can judge,
and they stay pending.

Fix: set `description` on the `huaweicloud_vpcep_service`, for example

    resource "huaweicloud_vpcep_service" "orders" {
      name        = "orders"
      description = "Order API (tcp/80), owned by team-orders"
      ...
    }

A description computed at apply time, or read from a variable without a value, is not reported.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import UNKNOWN, Inventory
from vpcep_lint.rule import Finding, Rule, Severity


class EndpointServiceNeedsDescription(Rule):
    """VPC endpoint service without a description."""

    id = "ACME001"
    title = "VPC endpoint service without a description"
    severity = Severity.WARNING

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type("huaweicloud_vpcep_service"):
            description = service.get("description")
            if description is UNKNOWN:
                continue
            if description is None or not str(description).strip():
                yield self.finding(service, "endpoint service has no description", attribute="description")
