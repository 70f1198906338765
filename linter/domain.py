"""The endpoint domain, built once per Inventory: what rules ask about, with references followed.

Endpoint services with their port mappings and backend (an ECS NIC, a virtual IP or a load
balancer), each NIC with its security groups and subnet, endpoints with their service, VPC and
subnet, and peerings with both VPCs, their address space, subnets and routes. A part that cannot
be known carries an `Unknown` with its reason; a rule that skips the part yields it, and the
engine turns it into the run's "not checked" item. Every lookup follows resolved references only
(`Inventory.targets`), never names or guesses, except the security-group names of an ECS, which
the provider itself resolves by name. The parts are defined in `domain_types`.
"""
from __future__ import annotations

from typing import Any, TypeGuard

from .domain_types import Backend, Endpoint, Nic, Peering, PortMapping, Route, Service, Subnet, Unknown, Vpc
from .model import UNKNOWN, Inventory, Resource, split_path
from .netaddr import AddressSet, PortSet, parse_addresses

__all__ = [  # the public API for rules, with vpcep_lint.rule and vpcep_lint.reach (docs/model.md)
    "UNKNOWN", "AddressSet", "Backend", "Domain", "Endpoint", "Inventory", "Nic", "Peering", "PortMapping",
    "PortSet", "Resource", "Route", "Service", "Subnet", "Unknown", "Vpc",
]

INSTANCE = "huaweicloud_compute_instance"
ATTACH = "huaweicloud_compute_interface_attach"
INTERFACE = "huaweicloud_vpc_network_interface"
PORT = "huaweicloud_networking_port"
VIP = "huaweicloud_networking_vip"
VIP_ASSOCIATE = "huaweicloud_networking_vip_associate"
ELB = "huaweicloud_elb_loadbalancer"
LB = "huaweicloud_lb_loadbalancer"
ELB_LISTENER = "huaweicloud_elb_listener"
LB_LISTENER = "huaweicloud_lb_listener"
SUBNET = "huaweicloud_vpc_subnet"
VPC = "huaweicloud_vpc"
SECGROUP = "huaweicloud_networking_secgroup"
NACL = "huaweicloud_vpc_network_acl"
LEGACY_NACL = "huaweicloud_network_acl"
SERVICE = "huaweicloud_vpcep_service"
ENDPOINT = "huaweicloud_vpcep_endpoint"
APPROVAL = "huaweicloud_vpcep_approval"
PEERING = "huaweicloud_vpc_peering_connection"
ROUTE = "huaweicloud_vpc_route"
ROUTE_TABLE = "huaweicloud_vpc_route_table"
CC_CONNECTION = "huaweicloud_cc_connection"
CC_INSTANCE = "huaweicloud_cc_network_instance"


class Domain:
    """The view of one Inventory; build it with `Domain.of(inv)` (made once, then reused)."""

    def __init__(self, inv: Inventory) -> None:
        self.inv = inv
        self._subnets: dict[str, Subnet] = {}
        self._vpcs: dict[str, Vpc] = {}
        self.services = [self._service(r) for r in inv.of_type(SERVICE)]
        by_address = {s.address: s for s in self.services}
        self.endpoints = [self._endpoint(r, by_address) for r in inv.of_type(ENDPOINT)]
        self._endpoints_by_service: dict[int, list[Endpoint]] | None = None
        self.outside_peerings: list[Unknown] = []
        """Peerings a VPC of which is not in the configuration: every peering rule yields these."""
        self.peerings = [p for p in (self._peering(r) for r in inv.of_type(PEERING)) if p is not None]

    @staticmethod
    def same_region(a: Resource, b: Resource) -> bool | None:
        """Whether two resources are in one region; None when that is not known. Two resources
        on the same provider configuration that set no region are, whatever its value."""
        if isinstance(a.region, str) and isinstance(b.region, str):
            return a.region == b.region
        if a.region_from is not None and a.region_from == b.region_from:
            return True
        return None

    def endpoints_of(self, service: Service) -> list[Endpoint]:
        """The endpoints that use `service`, in order (indexed on first use, not searched per finding)."""
        index = self._endpoints_by_service
        if index is None:
            index = self._endpoints_by_service = {}
            for e in self.endpoints:
                if e.service is not None:
                    index.setdefault(id(e.service), []).append(e)
        return list(index.get(id(service), ()))

    @classmethod
    def of(cls, inv: Inventory) -> Domain:
        found = inv.derived.get("domain")
        if not isinstance(found, Domain):
            found = inv.derived["domain"] = cls(inv)
        return found

    # -- VPCs and subnets ---------------------------------------------------------------------
    def subnet(self, resource: Resource) -> Subnet:
        s = self._subnets.get(resource.address)
        if s is None:
            s = self._subnets[resource.address] = Subnet(
                resource, parse_addresses(resource.get("cidr")), _acls_of(self.inv, resource))
        return s

    def vpc(self, resource: Resource) -> Vpc:
        v = self._vpcs.get(resource.address)
        if v is None:
            v = self._vpcs[resource.address] = Vpc(resource, _vpc_space(resource))
            subnets = [r for r, path, _ in self.inv.referrers(resource, SUBNET) if path[:1] == ("vpc_id",)]
            v.subnets = [self.subnet(s) for s in _unique(subnets)]
        return v

    def vpc_at(self, resource: Resource, attribute: str = "vpc_id") -> Vpc | None:
        found = self.inv.target_resources(resource, attribute, VPC)
        return self.vpc(found[0]) if found else None

    def subnet_at(self, resource: Resource, attribute: str) -> Subnet | None:
        found = self.inv.target_resources(resource, attribute, SUBNET)
        return self.subnet(found[0]) if found else None

    # -- services and backends ------------------------------------------------------------------
    def _service(self, r: Resource) -> Service:
        mappings, backend = _port_mappings(r), self._backend(r)
        unknown = Unknown(r, "the backend or its ports", "port_id") if mappings is None or backend is None else None
        version = r.get("ip_version")
        return Service(r, mappings, backend, unknown, isinstance(version, str) and version.lower() == "ipv6")

    def _backend(self, service: Resource) -> Backend | None:
        inv = self.inv
        for target, attribute in inv.targets(service, "port_id"):
            if target.type in (ELB, LB) and attribute == ("ipv4_port_id" if target.type == ELB else "vip_port_id"):
                kind, subnet_attr = ("elb", "ipv4_subnet_id") if target.type == ELB else ("lb", "vip_subnet_id")
                listener_type = ELB_LISTENER if kind == "elb" else LB_LISTENER
                listeners = [x for x, path, _ in inv.referrers(target, listener_type)
                             if path[:1] == ("loadbalancer_id",)]
                subnets = [self.subnet(s) for s in inv.target_resources(target, subnet_attr, SUBNET)]
                return Backend(kind, target, subnets=subnets, listeners=_unique(listeners))
            if target.type == VIP and attribute == "id":
                nics: list[Nic] = []
                for assoc, path, _ in inv.referrers(target, VIP_ASSOCIATE):
                    if path[:1] == ("vip_id",):
                        nics += [n for n in (self._nic(o, a) for o, a in inv.targets(assoc, "port_ids")) if n]
                subnets = [self.subnet(s) for s in inv.target_resources(target, "network_id", SUBNET)]
                return Backend("vip", target, nics, subnets)
            nic = self._nic(target, attribute)
            if nic is not None:
                return Backend("nic", target, [nic], [nic.subnet] if nic.subnet else [])
        return None

    def _nic(self, target: Resource, attribute: str) -> Nic | None:
        """The NIC a port ID attribute names (`network[0].port`, an attachment's `port_id`...)."""
        nic: Nic | None = None
        if target.type == INSTANCE:
            parts = split_path(attribute)
            if len(parts) >= 3 and parts[0] == "network" and isinstance(parts[1], int) and parts[2] == "port":
                nic = Nic(target, parts[1])
        elif (target.type == ATTACH and attribute in ("port_id", "id")) or (
                target.type in (INTERFACE, PORT) and attribute == "id"):
            nic = Nic(target)
        if nic is not None:
            nic.groups = _security_groups(self.inv, nic.owner)
            nic.subnet = self._nic_subnet(nic)
        return nic

    def _nic_subnet(self, nic: Nic) -> Subnet | None:
        owner = nic.owner
        if owner.type == INSTANCE and nic.index is not None:
            return self.subnet_at(owner, f"network[{nic.index}].uuid")
        if owner.type == ATTACH:
            found = self.subnet_at(owner, "network_id")
            if found is not None:
                return found
            for target, attr in self.inv.targets(owner, "port_id"):
                inner = self._nic(target, attr) if target is not owner else None
                if inner is not None:
                    return inner.subnet
            return None
        return self.subnet_at(owner, "subnet_id" if owner.type == INTERFACE else "network_id")

    # -- endpoints ------------------------------------------------------------------------------
    def _endpoint(self, r: Resource, services: dict[str, Service]) -> Endpoint:
        found = self.inv.target_resources(r, "service_id", SERVICE)
        service = services.get(found[0].address) if found else None
        outside = None if service is not None else Unknown(r, "its service", "service_id", "not in the configuration",
                                                           "subject")
        return Endpoint(r, service, self.vpc_at(r), self.subnet_at(r, "network_id"), outside)

    def approvals(self, endpoint: Endpoint) -> bool | None:
        """True when a `huaweicloud_vpcep_approval` of its service lists the endpoint; None when
        that cannot be known."""
        if endpoint.service is None:
            return None
        unknown = False
        for approval, path, _ in self.inv.referrers(endpoint.service.resource, APPROVAL):
            if path[:1] != ("service_id",):
                continue
            listed = self.inv.target_resources(approval, "endpoints", ENDPOINT)
            if endpoint.resource in listed:
                return True
            unknown |= approval.get("endpoints") is UNKNOWN and not listed
        return None if unknown else False

    def cloud_connection(self, vpcs: list[Vpc]) -> Resource | None:
        """A `huaweicloud_cc_connection` with a network instance for every VPC given, if any."""
        if len(vpcs) < 2:
            return None
        for cc in self.inv.of_type(CC_CONNECTION):
            joined: set[Any] = set()
            for inst, path, _ in self.inv.referrers(cc, CC_INSTANCE):
                if path[:1] == ("cloud_connection_id",) and inst.get("type") in ("vpc", UNKNOWN, None):
                    joined.update(v.address for v in self.inv.target_resources(inst, "instance_id"))
            if all(v.address in joined for v in vpcs):
                return cc
        return None

    # -- peerings and routes --------------------------------------------------------------------
    def _peering(self, r: Resource) -> Peering | None:
        local, peer = self.vpc_at(r), self.vpc_at(r, "peer_vpc_id")
        if local is None or peer is None:
            what = "its VPCs" if local is None and peer is None else "its VPC" if local is None else "its peer VPC"
            self.outside_peerings.append(Unknown(r, what, "vpc_id" if local is None else "peer_vpc_id",
                                                 "not in the configuration", "subject"))
            return None
        if local is peer:
            return None
        routes = self._routes(r)
        unknown = Unknown(r, "the routes through it", None) if routes is None else None
        return Peering(r, local, peer, routes, unknown)

    def _routes(self, peering: Resource) -> list[Route] | None:
        out: list[Route] = []
        for route, path, _ in self.inv.referrers(peering, ROUTE, ROUTE_TABLE):
            if route.type == ROUTE and path[:1] == ("nexthop",):
                if route.get("type") not in ("peering", UNKNOWN):
                    continue
                table = self.inv.target_resources(route, "route_table_id", ROUTE_TABLE)
                table_id = route.get("route_table_id")
                # no route_table_id: the VPC's default table; a literal ID (a state reads the
                # default table's back) names an existing table; from a variable: not known
                unknown_table = table_id is UNKNOWN or route.has_unresolved("route_table_id")
                carries = self._carries(table[0]) if table else (None if unknown_table else True)
                dest = route.get("destination")
                out.append(Route(route, "destination", self.vpc_at(route), parse_addresses(dest),
                                 dest if isinstance(dest, str) else None, carries, table[0] if table else None))
            elif route.type == ROUTE_TABLE and len(path) >= 3 and path[0] == "route" and isinstance(path[1], int):
                blocks = route.blocks("route")
                if blocks is UNKNOWN:
                    return None
                if path[1] >= len(blocks):
                    continue
                dest = blocks[path[1]].get("destination")
                out.append(Route(route, "route", self.vpc_at(route), parse_addresses(dest),
                                 dest if isinstance(dest, str) else None, self._carries(route), route))
        return out

    def _carries(self, table: Resource) -> bool | None:
        """A custom route table steers only the subnets associated with it (Huawei VPC guide)."""
        if self.inv.target_resources(table, "subnets", SUBNET):
            return True
        subnets = table.get("subnets")
        return None if subnets is UNKNOWN or table.has_unresolved("subnets") else bool(subnets)


def _port_mappings(service: Resource) -> list[PortMapping] | None:
    blocks = service.blocks("port_mapping")
    if blocks is UNKNOWN:
        return None
    out = []
    for b in blocks:
        sp, tp, proto = b.get("service_port"), b.get("terminal_port"), b.get("protocol")
        if sp is UNKNOWN or tp is UNKNOWN or proto is UNKNOWN or not _is_port(sp):
            return None
        out.append(PortMapping(str(proto or "TCP").lower(), sp, tp if _is_port(tp) else sp))
    return out


def _is_port(v: Any) -> TypeGuard[int]:
    return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 65535


def _security_groups(inv: Inventory, owner: Resource) -> list[Resource] | None:
    ids = owner.get("security_group_ids")
    groups = inv.target_resources(owner, "security_group_ids", SECGROUP)
    if ids == [] and not groups:
        ids = None  # a state reads unset IDs back as []; the names may still say
    if ids is None and owner.type == INSTANCE:
        names = owner.get("security_groups")
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            by_name = [g for g in inv.of_type(SECGROUP) if g.get("name") in names]
            named = [next((g for g in by_name if g.get("name") == n), None) for n in names]
            return [g for g in named if g is not None] if all(g is not None for g in named) else None
    if ids is None:
        return None  # no group given: the region's default group, not in the configuration
    if ids is UNKNOWN:
        if owner.has_unresolved("security_group_ids"):
            return None  # some group comes from a variable or a data source
        return groups or None
    if isinstance(ids, list) and len(groups) >= len([i for i in ids if i is not None]):
        return groups or None
    return None  # some group is not in the configuration


def _acls_of(inv: Inventory, subnet: Resource) -> list[Resource]:
    out = [r for r, path, _ in inv.referrers(subnet, NACL) if path[:1] == ("associated_subnets",)]
    out += [r for r, path, _ in inv.referrers(subnet, LEGACY_NACL) if path[:1] == ("subnets",)]
    return _unique(out)


def _vpc_space(vpc: Resource) -> AddressSet | None:
    texts: list[Any] = [vpc.get("cidr")]
    secondary, legacy = vpc.get("secondary_cidrs"), vpc.get("secondary_cidr")
    if secondary is UNKNOWN or (secondary is not None and not isinstance(secondary, list)):
        return None
    texts += secondary or []
    if legacy is not None:
        texts.append(legacy)
    parsed = [parse_addresses(t) for t in texts]
    if any(p is None for p in parsed):
        return None
    return AddressSet.union_all(p for p in parsed if p is not None)


def _unique(items: list[Resource]) -> list[Resource]:
    out: list[Resource] = []
    for r in items:
        if r not in out:
            out.append(r)
    return out
