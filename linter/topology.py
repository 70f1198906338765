"""Who is connected to whom: an endpoint service's backend, its NICs, groups, subnets and VPCs.

Every lookup follows resolved references only (`Inventory.targets`), never names or guesses,
and answers UNKNOWN when the configuration does not say.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from vpcep_lint.model import UNKNOWN, Inventory, Resource, split_path

INSTANCE = "huaweicloud_compute_instance"
ATTACH = "huaweicloud_compute_interface_attach"
INTERFACE = "huaweicloud_vpc_network_interface"
PORT = "huaweicloud_networking_port"
VIP = "huaweicloud_networking_vip"
VIP_ASSOCIATE = "huaweicloud_networking_vip_associate"
ELB = "huaweicloud_elb_loadbalancer"
LB = "huaweicloud_lb_loadbalancer"
SUBNET = "huaweicloud_vpc_subnet"
VPC = "huaweicloud_vpc"
SECGROUP = "huaweicloud_networking_secgroup"
SERVICE = "huaweicloud_vpcep_service"
ENDPOINT = "huaweicloud_vpcep_endpoint"


@dataclass
class Nic:
    """A network interface of a backend: the resource that owns it and, for an ECS, its index."""

    owner: Resource
    index: int | None = None

    @property
    def label(self) -> str:
        return self.owner.address + (f".network[{self.index}]" if self.index is not None else "")


@dataclass
class Backend:
    kind: str
    """`nic` (an ECS NIC), `vip`, `elb` (dedicated), `lb` (shared)."""
    resource: Resource
    nics: list[Nic] = field(default_factory=list)


@dataclass(frozen=True)
class PortMapping:
    protocol: str
    service_port: int
    terminal_port: int


def port_mappings(service: Resource) -> list[PortMapping] | Any:
    """The service's mappings; UNKNOWN when any port is not known."""
    blocks = service.blocks("port_mapping")
    if blocks is UNKNOWN:
        return UNKNOWN
    out = []
    for b in blocks:
        sp, tp, proto = _number(b.get("service_port")), _number(b.get("terminal_port")), b.get("protocol")
        if sp is UNKNOWN or tp is UNKNOWN or proto is UNKNOWN or not _is_port(sp):
            return UNKNOWN
        out.append(PortMapping(str(proto or "TCP").lower(), int(sp), int(tp) if _is_port(tp) else int(sp)))
    return out


def _is_port(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 65535


def _number(v: Any) -> Any:
    """Terraform converts `"8080"` to the number the schema wants; so do we."""
    if isinstance(v, str) and v.strip().isdigit():
        return int(v)
    return v


def nic_of(inv: Inventory, target: Resource, attribute: str) -> Nic | None:
    """The NIC a port ID attribute names (`network[0].port`, an attachment's `port_id`...)."""
    if target.type == INSTANCE:
        parts = split_path(attribute)
        if len(parts) >= 3 and parts[0] == "network" and isinstance(parts[1], int) and parts[2] == "port":
            return Nic(target, parts[1])
        return None
    if target.type == ATTACH and attribute in ("port_id", "id"):
        return Nic(target)
    if target.type in (INTERFACE, PORT) and attribute == "id":
        return Nic(target)
    return None


def backend(inv: Inventory, service: Resource) -> Backend | None:
    """The resource behind `port_id`; None when it is not in the configuration or not known."""
    for target, attribute in inv.targets(service, "port_id"):
        if target.type == ELB and attribute == "ipv4_port_id":
            return Backend("elb", target)
        if target.type == LB and attribute == "vip_port_id":
            return Backend("lb", target)
        if target.type == VIP and attribute == "id":
            nics: list[Nic] = []
            for assoc in vip_associations(inv, target):
                for owner, attr in inv.targets(assoc, "port_ids"):
                    nic = nic_of(inv, owner, attr)
                    if nic is not None:
                        nics.append(nic)
            return Backend("vip", target, nics)
        nic = nic_of(inv, target, attribute)
        if nic is not None:
            return Backend("nic", target, [nic])
    return None


def vip_associations(inv: Inventory, vip: Resource) -> list[Resource]:
    return [r for r, path, _ in inv.referrers(vip, VIP_ASSOCIATE) if path[:1] == ("vip_id",)]


def security_groups(inv: Inventory, nic: Nic) -> list[Resource] | Any:
    """The NIC's groups in order; UNKNOWN when they cannot be known (e.g. the default group)."""
    owner = nic.owner
    ids = owner.get("security_group_ids")
    groups = inv.target_resources(owner, "security_group_ids", SECGROUP)
    if ids == [] and not groups:
        ids = None  # a state reads unset IDs back as []; the names may still say
    if ids is None and owner.type == INSTANCE:
        names = owner.get("security_groups")
        if isinstance(names, list) and names and all(isinstance(n, str) for n in names):
            by_name = [g for g in inv.of_type(SECGROUP) if g.get("name") in names]
            named = [next((g for g in by_name if g.get("name") == n), None) for n in names]
            if all(g is not None for g in named):
                return named
            return UNKNOWN
        # the server's own security_groups, read back as names in a state
    if ids is None:
        return UNKNOWN  # no group given: the region's default group, not in the configuration
    if ids is UNKNOWN:
        if owner.has_unresolved("security_group_ids"):
            return UNKNOWN  # some group comes from a variable or a data source
        return groups or UNKNOWN
    if isinstance(ids, list):
        if len(groups) < len([i for i in ids if i is not None]):
            return UNKNOWN  # some group is not in the configuration
        return groups
    return UNKNOWN


def subnet_of_nic(inv: Inventory, nic: Nic) -> Resource | None:
    owner = nic.owner
    if owner.type == INSTANCE and nic.index is not None:
        found = inv.target_resources(owner, ("network", nic.index, "uuid"), SUBNET)
        return found[0] if found else None
    if owner.type == ATTACH:
        found = inv.target_resources(owner, "network_id", SUBNET)
        if found:
            return found[0]
        for target, attr in inv.targets(owner, "port_id"):
            inner = nic_of(inv, target, attr)
            if inner is not None and inner.owner is not owner:
                return subnet_of_nic(inv, inner)
        return None
    if owner.type == INTERFACE:
        found = inv.target_resources(owner, "subnet_id", SUBNET)
        return found[0] if found else None
    if owner.type == PORT:
        found = inv.target_resources(owner, "network_id", SUBNET)
        return found[0] if found else None
    return None


def backend_subnets(inv: Inventory, b: Backend) -> list[Resource]:
    """The subnets (the `huaweicloud_vpc_subnet` resources) the backend's addresses live in."""
    out: list[Resource] = []
    if b.kind == "elb":
        out = inv.target_resources(b.resource, "ipv4_subnet_id", SUBNET)
    elif b.kind == "lb":
        out = inv.target_resources(b.resource, "vip_subnet_id", SUBNET)
    elif b.kind == "vip":
        out = inv.target_resources(b.resource, "network_id", SUBNET)
    else:
        for nic in b.nics:
            s = subnet_of_nic(inv, nic)
            if s is not None:
                out.append(s)
    unique: list[Resource] = []
    for s in out:
        if s not in unique:
            unique.append(s)
    return unique


def service_of(inv: Inventory, endpoint: Resource) -> Resource | None:
    found = inv.target_resources(endpoint, "service_id", SERVICE)
    return found[0] if found else None


def endpoints_of(inv: Inventory, service: Resource) -> list[Resource]:
    return [r for r, path, _ in inv.referrers(service, ENDPOINT) if path[:1] == ("service_id",)]


def vpc_of(inv: Inventory, resource: Resource, attribute: str = "vpc_id") -> Resource | None:
    found = inv.target_resources(resource, attribute, VPC)
    return found[0] if found else None


def vpc_cidrs(vpc: Resource) -> list[str] | Any:
    """The VPC's address space: `cidr`, `secondary_cidrs` and the legacy `secondary_cidr`."""
    cidr = vpc.get("cidr")
    if cidr is UNKNOWN or not isinstance(cidr, str):
        return UNKNOWN
    out = [cidr]
    secondary = vpc.get("secondary_cidrs")
    if secondary is UNKNOWN:
        return UNKNOWN
    if isinstance(secondary, list):
        if any(not isinstance(s, str) for s in secondary):
            return UNKNOWN
        out += secondary
    legacy = vpc.get("secondary_cidr")
    if legacy is UNKNOWN:
        return UNKNOWN
    if isinstance(legacy, str) and legacy not in out:
        out.append(legacy)
    return out


def subnets_of_vpc(inv: Inventory, vpc: Resource) -> list[Resource]:
    return [r for r, path, _ in inv.referrers(vpc, SUBNET) if path[:1] == ("vpc_id",)]
