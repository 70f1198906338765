"""VPCEP001: the backend's security groups must admit 198.19.128.0/17 on every service port.

The user documentation is docs/rules/VPCEP001.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Inventory, Nic, Resource, Service, Unknown
from vpcep_lint.reach import Gap, admits_no_address, listed, security_group_gaps, security_group_path
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
                ports = service.ports("service") if service.mappings is not None else None
                gaps = None if nic.groups is None else security_group_gaps(inv, nic.groups, ports)
                if nic.groups is None:
                    yield Unknown(service.resource, f"the security groups of {nic.label}", "port_id")
                elif gaps is None and service.unknown is not None:
                    yield service.unknown
                elif gaps:
                    yield self._finding(inv, service, nic, nic.groups, gaps, nic.label in closed)

    def _finding(self, inv: Inventory, service: Service, nic: Nic, groups: list[Resource], gaps: list[Gap],
                 closed: bool) -> Finding:
        scope = service.scope
        if service.ipv6 and closed:  # the verdict holds for its IPv6 path too
            scope = (f"; {'they admit' if len(groups) > 1 else 'it admits'} no source address range on any port, so "
                     f"the IPv6 path of the ipv6 service is blocked too")
        return self.finding(
            groups[0],
            f"{listed(gaps)} not allowed by the security "
            f"group{'s' if len(groups) > 1 else ''} {', '.join(g.address for g in groups)} of {nic.label}, "
            f"the backend of {service.address}{scope}",
            key=f"{service.address}|{nic.label}",
            related=[(service.resource, "service"), (nic.owner, "backend")]
            + [(g, "security group") for g in groups[1:]],
            path=security_group_path(inv, service, nic, groups, gaps),
        )
