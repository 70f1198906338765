"""VPCEP002: a network ACL on a subnet of the endpoint path must not block it.

The user documentation is docs/rules/VPCEP002.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Domain, Endpoint, Inventory, Unknown
from vpcep_lint.reach import ENDPOINT_RANGE, acl_path, endpoint_acl_path, listed, subnet_acl_gaps
from vpcep_lint.rule import Finding, Rule, Severity


class NetworkAclBlocksEndpointCidr(Rule):
    id = "VPCEP002"
    title = "Network ACL on the backend's or the endpoint's subnet blocks the endpoint traffic"
    severity = Severity.ERROR
    tags = ("network-acl",)

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        for service in Domain.of(inv).services:
            backend = service.backend
            yield from () if backend is not None and backend.unfiltered else service.ipv6_path()
            if backend is None:
                yield from [service.unknown] if service.unknown is not None else []
                continue
            for subnet in backend.subnets:
                found = list(subnet_acl_gaps(inv, subnet, ENDPOINT_RANGE, service.ports("service") or None))
                yield from [service.unknown] if service.unknown and subnet.acls and not found else []  # ports decide
                for acl, gaps in found:
                    if isinstance(gaps, Unknown):
                        yield gaps
                        continue
                    yield self.finding(
                        acl, f"{listed(gaps)} blocked by {acl.address} on {subnet.address}, the subnet of "
                        f"{backend.resource.address} behind {service.address}{service.scope}",
                        key=f"{service.address}|{subnet.address}",
                        related=[(service.resource, "service"), (backend.resource, "backend"),
                                 (subnet.resource, "subnet")],
                        path=acl_path(inv, service, subnet, acl, gaps))
        for endpoint in Domain.of(inv).endpoints:
            yield from self._endpoint_side(inv, endpoint)

    def _endpoint_side(self, inv: Inventory, endpoint: Endpoint) -> Iterator[Finding | Unknown]:
        """The endpoint's clients are the other subnets of its VPC (traffic inside a subnet is
        never filtered): blocking one is an error, blocking space no subnet uses yet a note."""
        service, vpc, subnet = endpoint.service, endpoint.vpc, endpoint.subnet
        yield from [endpoint.unknown] if endpoint.unknown and subnet is not None and subnet.acls else []  # its ports
        if service is None or vpc is None or subnet is None or not subnet.acls or service.mappings is None:
            return
        subnets = vpc.subnet_space()
        if vpc.space is None or subnets is None or subnet.cidr is None:
            yield Unknown(endpoint.resource, f"the subnets of {vpc.address}", "vpc_id")
            return
        for sources, unused in ((subnets - subnet.cidr, False), (vpc.space - subnets, True)):
            for acl, gaps in subnet_acl_gaps(inv, subnet, sources, service.ports("terminal")):
                if isinstance(gaps, Unknown):
                    yield gaps
                    continue
                said = [f"{', '.join(sorted({g.flow for g in gaps}))} from the address space of {vpc.address} that "
                        "no subnet uses yet"] if unused else gaps  # no client there yet: name the ports only
                yield self.finding(
                    acl, f"{listed(said)} blocked by {acl.address} on {subnet.address}, the subnet of endpoint "
                    f"{endpoint.address}",
                    key=f"{endpoint.address}|{subnet.address}" + ("|unused" if unused else ""),
                    severity=Severity.NOTE if unused else None,
                    related=[(endpoint.resource, "endpoint"), (subnet.resource, "subnet"),
                             (service.resource, "service")],
                    path=endpoint_acl_path(inv, endpoint, subnet, acl, gaps, str(sources)))

