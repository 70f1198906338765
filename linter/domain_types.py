"""The parts of the endpoint domain (`vpcep_lint.domain` builds them and re-exports them).

Services with their port mappings and backend, NICs with their security groups and subnet,
subnets with their network ACLs, VPCs with their address space, endpoints, and peerings with the
routes through them. A part that cannot be known is None, or an `Unknown` with its reason.
"""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from .model import Resource
from .netaddr import AddressSet, PortSet
from .records import field, record


@record(frozen=True)
class Unknown:
    """A part of the domain that cannot be known statically, where it is written, and why."""

    resource: Resource
    what: str
    attribute: str | None = None
    why: str = "not known statically"
    kind: str = "value"
    """`value` (not known before apply), `subject` (its other side is not in the configuration),
    `undocumented` (Huawei's documents do not say)."""


@record(frozen=True)
class PortMapping:
    protocol: str
    service_port: int
    terminal_port: int


@record
class Subnet:
    resource: Resource
    cidr: AddressSet | None
    """None when not known statically."""
    acls: list[Resource] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address


@record
class Nic:
    """A network interface of a backend: the resource that owns it and, for an ECS, its index."""

    owner: Resource
    index: int | None = None
    groups: list[Resource] | None = None
    """The NIC's security groups in order; None when they cannot be known (e.g. the default group)."""
    subnet: Subnet | None = None

    @property
    def label(self) -> str:
        return self.owner.address + (f".network[{self.index}]" if self.index is not None else "")


@record
class Backend:
    kind: str
    """`nic` (an ECS NIC or a standalone one), `vip`, `elb` (dedicated), `lb` (shared)."""
    resource: Resource
    nics: list[Nic] = field(default_factory=list)
    subnets: list[Subnet] = field(default_factory=list)
    listeners: list[Resource] = field(default_factory=list)
    """The load balancer's listeners (`huaweicloud_elb_listener` or `huaweicloud_lb_listener`)."""

    @property
    def unfiltered(self) -> bool:
        """Its subnets are known and no network ACL is bound to them: no ACL blocks any path."""
        return bool(self.subnets) and not any(s.acls for s in self.subnets)


@record
class Service:
    resource: Resource
    mappings: list[PortMapping] | None
    """None when a port is not known statically."""
    backend: Backend | None
    """None when `port_id` does not lead to a backend in the configuration."""
    unknown: Unknown | None = None
    """Why the mappings or the backend are not known."""
    ipv6: bool = False
    """`ip_version = "ipv6"`: clients reach it over IPv6; the IPv6 source range is not documented."""

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def scope(self) -> str:
        """What a finding about 198.19.128.0/17 covers: for an ipv6 service, its IPv4 path only."""
        return " (its IPv4 path; the IPv6 path of an ipv6 service is not checked)" if self.ipv6 else ""

    def ipv6_path(self) -> Iterator[Unknown]:
        """What every backend check skips on an ipv6 service."""
        if self.ipv6:
            yield Unknown(self.resource, "its IPv6 path",
                          "ip_version", "Huawei documents no IPv6 source range for endpoint traffic", "undocumented")

    @property
    def may_be_lb(self) -> bool:
        """Whether its backend is, or may be, a load balancer (`server_type` "VM" or "VIP" is not)."""
        if self.backend is not None:
            return self.backend.kind in ("elb", "lb")
        server_type = self.resource.get("server_type")
        return not (isinstance(server_type, str) and server_type.upper() in ("VM", "VIP"))

    def ports(self, side: str = "service") -> dict[str, PortSet]:
        """Protocol -> the service ports (the backend's) or the terminal ports (the endpoint's)."""
        out: dict[str, PortSet] = {}
        for m in self.mappings or ():
            port = m.service_port if side == "service" else m.terminal_port
            out[m.protocol] = out.get(m.protocol, PortSet.empty()) | PortSet.single(port)
        return dict(sorted(out.items()))


@record
class Vpc:
    resource: Resource
    space: AddressSet | None
    """`cidr`, `secondary_cidrs` and the legacy `secondary_cidr`; None when not known statically."""
    subnets: list[Subnet] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.resource.address

    @property
    def region(self) -> Any:
        return self.resource.region

    @property
    def label(self) -> str:
        """Its address and, when known, its address space: `huaweicloud_vpc.app (192.168.0.0/16)`."""
        return self.address + (f" ({self.space})" if self.space is not None else "")

    def same_space(self, other: Vpc) -> str | None:
        """The expression both take their `cidr` from when it is unknown (`var.vpc_cidr`): their
        ranges overlap whatever its value. None otherwise."""
        key = self.resource.unknown_keys.get("cidr")
        return key if key is not None and key == other.resource.unknown_keys.get("cidr") else None

    def subnet_space(self) -> AddressSet | None:
        """The CIDRs of its subnets; None when one is not known."""
        if any(s.cidr is None for s in self.subnets):
            return None
        return AddressSet.union_all(s.cidr for s in self.subnets if s.cidr is not None)

    def holds(self, routes: list[Route]) -> bool:
        """Whether every route's destination lies in its own address space (a route to itself)."""
        space = self.space
        return space is not None and all(r.destination is not None and space.covers(r.destination) for r in routes)


@record
class Endpoint:
    resource: Resource
    service: Service | None
    vpc: Vpc | None
    subnet: Subnet | None
    unknown: Unknown | None = None
    """Set when its service is not in the configuration (a variable, a literal ID, a data source)."""

    @property
    def address(self) -> str:
        return self.resource.address


@record
class Route:
    """A route whose next hop is a peering: a `huaweicloud_vpc_route` or a route table's block."""

    resource: Resource
    attribute: str
    """`destination`, or `route` for a route table's block."""
    vpc: Vpc | None
    """The VPC whose route table holds it; None when not known."""
    destination: AddressSet | None
    """None when not known statically or not a valid CIDR."""
    destination_text: str | None
    carries: bool | None
    """False in a custom route table no subnet is associated with; None when that is not known."""
    table: Resource | None = None


@record
class Peering:
    resource: Resource
    local: Vpc
    peer: Vpc
    routes: list[Route] | None
    """Every route through the peering; None when some route table's routes are not known."""
    unknown: Unknown | None = None

    @property
    def address(self) -> str:
        return self.resource.address

    def sides(self) -> Iterator[tuple[str, Vpc, Vpc]]:
        yield "requester", self.local, self.peer
        yield "accepter", self.peer, self.local

    def routes_of(self, vpc: Vpc) -> list[Route]:
        return [r for r in self.routes or () if r.vpc is vpc]
