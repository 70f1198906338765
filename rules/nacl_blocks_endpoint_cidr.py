"""VPCEP002: a network ACL on a subnet of the endpoint path must not block it.

The user documentation is docs/rules/VPCEP002.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory, Resource
from vpcep_lint.netaddr import ENDPOINT_RANGE, AddressSet, FlowSpace, InvalidValue, PortSet
from vpcep_lint.reach import acl_decision, acl_enabled, acls_of_subnet
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import (
    ENDPOINT, SERVICE, backend, backend_subnets, port_mappings, service_of, vpc_cidrs, vpc_of,
)


class NetworkAclBlocksEndpointCidr(Rule):
    id = "VPCEP002"
    title = "Network ACL on the backend's or the endpoint's subnet blocks the endpoint traffic"
    severity = Severity.ERROR
    tags = ("network-acl",)

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type(SERVICE):
            mappings = port_mappings(service)
            b = backend(inv, service)
            if mappings is UNKNOWN or b is None:
                continue
            for subnet in backend_subnets(inv, b):
                flows = [(m.protocol, m.service_port) for m in mappings]
                for acl, gaps in self._gaps(inv, subnet, ENDPOINT_RANGE, flows):
                    yield self.finding(
                        acl,
                        f"{'; '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} blocked by {acl.address} on "
                        f"{subnet.address}, the subnet of {b.resource.address} behind {service.address}",
                        key=f"{service.address}|{subnet.address}",
                        related=[(service, "service"), (b.resource, "backend"), (subnet, "subnet")],
                    )
        for endpoint in inv.of_type(ENDPOINT):
            yield from self._endpoint_side(inv, endpoint)

    def _endpoint_side(self, inv: Inventory, endpoint: Resource) -> Iterator[Finding]:
        subnets = inv.target_resources(endpoint, "network_id", "huaweicloud_vpc_subnet")
        service = service_of(inv, endpoint)
        vpc = vpc_of(inv, endpoint)
        if not subnets or service is None or vpc is None:
            return
        mappings = port_mappings(service)
        cidrs = vpc_cidrs(vpc)
        if mappings is UNKNOWN or cidrs is UNKNOWN:
            return
        try:
            clients = AddressSet.of(*cidrs)
        except InvalidValue:
            return
        flows = [(m.protocol, m.terminal_port) for m in mappings]
        for acl, gaps in self._gaps(inv, subnets[0], clients, flows):
            yield self.finding(
                acl,
                f"{'; '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} blocked by {acl.address} on "
                f"{subnets[0].address}, the subnet of endpoint {endpoint.address}",
                key=f"{endpoint.address}|{subnets[0].address}",
                related=[(endpoint, "endpoint"), (subnets[0], "subnet"), (service, "service")],
            )

    def _gaps(self, inv: Inventory, subnet: Resource, sources: AddressSet,
              flows: list[tuple[str, int]]) -> Iterator[tuple[Resource, list[str]]]:
        destination = None
        cidr = subnet.get("cidr")
        if isinstance(cidr, str):
            try:
                destination = AddressSet.parse(cidr)
            except InvalidValue:
                destination = None
        for acl in acls_of_subnet(inv, subnet):
            if acl_enabled(acl) is not True:
                continue
            gaps: list[str] = []
            for protocol in sorted({p for p, _ in flows}):
                ports = PortSet.empty()
                for p, port in flows:
                    if p == protocol:
                        ports |= PortSet.single(port)
                decision = acl_decision(inv, acl, protocol, FlowSpace.of(sources, ports), destination)
                if decision is None:
                    break
                gaps += [f"{a} to {protocol}/{p}" for a, p in decision.denied.describe()]
            if gaps:
                yield acl, gaps

