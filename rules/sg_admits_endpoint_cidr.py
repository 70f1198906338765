"""VPCEP001: the backend's security groups must admit 198.19.128.0/17 on every service port.

The user documentation is docs/rules/VPCEP001.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory
from vpcep_lint.netaddr import ENDPOINT_RANGE, FlowSpace, PortSet
from vpcep_lint.reach import security_groups_decision
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import SERVICE, backend, port_mappings, security_groups


class BackendSecurityGroupAdmitsEndpointCidr(Rule):
    id = "VPCEP001"
    title = "Backend security group admits 198.19.128.0/17 on the service ports"
    severity = Severity.ERROR
    tags = ("security-group",)

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type(SERVICE):
            mappings = port_mappings(service)
            b = backend(inv, service)
            if mappings is UNKNOWN or b is None or b.kind not in ("nic", "vip"):
                if mappings is UNKNOWN or b is None:
                    yield from self.unknown(service, "the backend or its ports", attribute="port_id")
                continue
            for nic in b.nics:
                groups = security_groups(inv, nic)
                if groups is UNKNOWN or not groups:
                    yield from self.unknown(service, f"the security groups of {nic.label}", attribute="port_id")
                    continue
                gaps = []
                for protocol in sorted({m.protocol for m in mappings}):
                    ports = PortSet.empty()
                    for m in mappings:
                        if m.protocol == protocol:
                            ports |= PortSet.single(m.service_port)
                    decision = security_groups_decision(inv, groups, protocol, FlowSpace.of(ENDPOINT_RANGE, ports))
                    gaps += [f"{a} to {protocol}/{p}" for a, p in decision.denied.describe()]
                if gaps:
                    names = ", ".join(g.address for g in groups)
                    yield self.finding(
                        groups[0],
                        f"{'; '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} not allowed by the security "
                        f"group{'s' if len(groups) > 1 else ''} {names} of {nic.label}, the backend of {service.address}",
                        key=f"{service.address}|{nic.label}",
                        related=[(service, "service"), (nic.owner, "backend")] + [(g, "security group") for g in groups[1:]],
                    )
