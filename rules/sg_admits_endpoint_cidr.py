"""VPCEP001: the backend's security groups must admit 198.19.128.0/17 on every service port.

The user documentation is docs/rules/VPCEP001.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Nic, PortSet, Resource, Service, Unknown
from vpcep_lint.reach import ENDPOINT_RANGE, FlowSpace, admits_no_address, security_groups_decision
from vpcep_lint.rule import Finding, Rule, Severity


class BackendSecurityGroupAdmitsEndpointCidr(Rule):
    id = "VPCEP001"
    title = "Backend security group admits 198.19.128.0/17 on the service ports"
    severity = Severity.ERROR
    tags = ("security-group",)

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        for service in Domain.of(inv).services:
            backend = service.backend
            nics = backend.nics if backend is not None and backend.kind in ("nic", "vip") else []
            closed = {nic.label for nic in nics if nic.groups is not None and admits_no_address(inv, nic.groups)}
            if not (service.ipv6 and nics and len(closed) == len(nics)):
                yield from service.ipv6_path()  # unless no NIC admits anything from anywhere
            if backend is None and service.unknown is not None:
                yield service.unknown
            for nic in nics:
                gaps = None if nic.groups is None else self.gaps(inv, service, nic.groups)
                if nic.groups is None:
                    yield Unknown(service.resource, f"the security groups of {nic.label}", "port_id")
                elif gaps is None and service.unknown is not None:
                    yield service.unknown
                elif gaps:
                    yield self._finding(service, nic, nic.groups, gaps, nic.label in closed)

    @staticmethod
    def gaps(inv: Inventory, service: Service, groups: list[Resource]) -> list[str] | None:
        """What of the endpoint traffic the groups drop; None when it depends on unknown ports."""
        if service.mappings is None:
            # a group that admits the range on no port at all blocks the service, whatever its ports
            decision = security_groups_decision(inv, groups, "tcp", FlowSpace.of(ENDPOINT_RANGE, PortSet.ALL))
            blocked = decision.allowed.is_empty() and decision.unknown.is_empty()
            return [f"{ENDPOINT_RANGE} to tcp on any port"] if blocked else None
        gaps = []
        for protocol, ports in service.ports("service").items():
            decision = security_groups_decision(inv, groups, protocol, FlowSpace.of(ENDPOINT_RANGE, ports))
            gaps += [f"{a} to {protocol}/{p}" for a, p in decision.denied.describe()]
        return gaps

    def _finding(self, service: Service, nic: Nic, groups: list[Resource], gaps: list[str], closed: bool) -> Finding:
        scope = service.scope
        if service.ipv6 and closed:  # the verdict holds for its IPv6 path too
            scope = (f"; {'they admit' if len(groups) > 1 else 'it admits'} no source address range on any port, so the IPv6 "
                     f"path of the ipv6 service is blocked too")
        return self.finding(
            groups[0],
            f"{'; '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} not allowed by the security "
            f"group{'s' if len(groups) > 1 else ''} {', '.join(g.address for g in groups)} of {nic.label}, "
            f"the backend of {service.address}{scope}",
            key=f"{service.address}|{nic.label}",
            related=[(service.resource, "service"), (nic.owner, "backend")] + [(g, "security group") for g in groups[1:]],
        )
