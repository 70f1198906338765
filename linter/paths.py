"""The path of a finding: the hops endpoint traffic takes, and the entry where it stops.

A finding of VPCEP001-003 carries the path of the traffic it is about, in order: the endpoints
that use the service, the service and its port mapping, the backend (an ECS NIC, a virtual IP,
a load balancer and its listener), the security group, network ACL or access control, and the
entry that decides (the deny that matches first, or "no rule admits tcp/8080 from
198.19.128.0/17"). A finding of VPCEP004/005 carries the two VPCs, the overlapping subnets or the
routes, and the peering. Each `Step` names a resource, where it is written and one short message;
the step where the traffic stops says what is stopped (`blocked`). The reports show the path:
SARIF as a code flow, text with `--show-path`, JSON as `path`, Markdown as a Mermaid flowchart.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from .domain import Backend, Domain, Endpoint, Nic, Peering, Route, Service, Subnet, Vpc
from .model import Inventory, Resource, Span
from .netaddr import AddressSet, PortSet
from .reach_elb import AccessControl
from .records import record

MAX_ENDPOINTS = 3
"""Endpoints of one service named on a path; the rest are counted in the last one's message."""


@record(frozen=True)
class Step:
    """One hop of a finding's path."""

    role: str
    """What the resource is on the path: `endpoint`, `service`, `backend`, `nic`, `security group`,
    `network ACL`, `listener`, `access control`, `deciding entry`, `vpc`, `subnet`, `peering`, `route`."""
    address: str
    message: str
    span: Span | None = None
    blocked: str = ""
    """On the step where the traffic stops: what is stopped (`tcp/8080 from 198.19.128.0/17 denied`)."""


@record(frozen=True)
class Gap:
    """Traffic a filter drops, with the entries that decide it (recorded by `reach`)."""

    sources: AddressSet
    protocol: str
    ports: PortSet | None
    """None: on any port (the service's ports are not known, and none is admitted)."""
    by: tuple[str, ...] = ()
    """The deny entries that match it first; empty when no entry admits it (the implicit deny)."""

    @property
    def flow(self) -> str:
        return f"{self.protocol} on any port" if self.ports is None else f"{self.protocol}/{self.ports}"

    @property
    def verdict(self) -> str:
        return f"{self.flow} from {self.sources} denied"

    def __str__(self) -> str:
        return f"{self.sources} to {self.flow}"


Path = tuple[Step, ...]


def listed(gaps: Sequence[Gap] | Sequence[str]) -> str:
    """`A to tcp/80; A to tcp/443 are` (or `... is`): what a message says is blocked."""
    return f"{'; '.join(map(str, gaps))} {'is' if len(gaps) == 1 else 'are'}"


def step(role: str, resource: Resource, message: str, attribute: str | None = None, blocked: str = "") -> Step:
    return Step(role, resource.address, message, resource.span_of(attribute), blocked)


# -- the service side ---------------------------------------------------------------------------

def endpoint_steps(domain: Domain, service: Service) -> list[Step]:
    """The endpoints that use the service (at most `MAX_ENDPOINTS`), then the service itself."""
    endpoints = domain.endpoints_of(service)
    out = []
    for n, e in enumerate(endpoints[:MAX_ENDPOINTS]):
        where = f"in {e.vpc.address}" if e.vpc is not None else "in its VPC"
        more = len(endpoints) - MAX_ENDPOINTS if n == MAX_ENDPOINTS - 1 else 0
        out.append(step("endpoint", e.resource, f"endpoint {where}; its traffic reaches the backend from "
                        f"198.19.128.0/17" + (f" ({more} more endpoints use the service)" if more > 0 else "")))
    if service.mappings is None:
        mapping = "its ports are not known statically"
    else:
        mapping = "port mapping " + ", ".join(
            f"{m.protocol} {m.terminal_port} (endpoint) -> {m.service_port} (backend)" for m in service.mappings)
        mapping = mapping if service.mappings else "no port mapping"
    out.append(step("service", service.resource, mapping, "port_mapping"))
    return out


_KINDS = {"vip": "virtual IP", "elb": "dedicated load balancer", "lb": "shared load balancer"}


def backend_steps(backend: Backend, nic: Nic | None = None) -> list[Step]:
    """The backend: a load balancer, a virtual IP and the NIC behind it, or an ECS NIC."""
    out = []
    if backend.kind in _KINDS:
        out.append(step("backend", backend.resource, _KINDS[backend.kind] + (
            f" with {len(backend.nics)} NIC{'s' if len(backend.nics) != 1 else ''}" if backend.kind == "vip" else "")))
    if nic is not None:
        what = f"ECS NIC network[{nic.index}]" if nic.index is not None else "network interface"
        subnet = f" in {nic.subnet.address}" if nic.subnet is not None else ""
        out.append(Step("nic", nic.label, what + subnet, nic.owner.span))
    return out


def entry_span(inv: Inventory, label: str) -> Span | None:
    """Where a deciding entry is written: a rule resource, or a block of one (`x.ingress_rules[2]`)."""
    found = inv.get(label)
    if found is not None:
        return found.span
    head, _, attribute = label.rpartition(".")
    owner = inv.get(head)
    while owner is None and "." in head:  # `module.m.x.y.rules[0]`: the owner is the longest known prefix
        head, _, rest = head.rpartition(".")
        attribute = f"{rest}.{attribute}"
        owner = inv.get(head)
    return owner.span_of(attribute) if owner is not None else None


def deciding_steps(inv: Inventory, gaps: Iterable[Gap], where: Resource, what: str) -> list[Step]:
    """The entries that decide each gap; where no entry admits it, a step on `where` saying so."""
    by_entry: dict[str, list[Gap]] = {}
    unmatched: list[Gap] = []
    for gap in gaps:
        for label in gap.by:
            by_entry.setdefault(label, []).append(gap)
        if not gap.by:
            unmatched.append(gap)
    out = [Step("deciding entry", label, f"the first entry that matches denies {_flows(found)}",
                entry_span(inv, label), _verdicts(found)) for label, found in by_entry.items()]
    if unmatched:
        out.append(step("deciding entry", where, f"no {what} admits {_flows(unmatched)}", None, _verdicts(unmatched)))
    return out


def _flows(gaps: Sequence[Gap]) -> str:
    return "; ".join(f"{g.flow} from {g.sources}" for g in gaps)


def _verdicts(gaps: Sequence[Gap]) -> str:
    return "; ".join(g.verdict for g in gaps)


def security_group_path(inv: Inventory, service: Service, nic: Nic, groups: Sequence[Resource],
                        gaps: Sequence[Gap]) -> Path:
    """VPCEP001: endpoints, service, backend NIC, its groups in order, the deciding entries."""
    domain = Domain.of(inv)
    backend = service.backend
    steps = endpoint_steps(domain, service) + (backend_steps(backend, nic) if backend is not None else [])
    steps += [step("security group", g, f"security group {n + 1} of {len(groups)} of the NIC; rules apply by priority, "
                   "deny first at equal priority") for n, g in enumerate(groups)]
    return tuple(steps + deciding_steps(inv, gaps, groups[-1], "rule of the groups"))


def acl_path(inv: Inventory, service: Service, subnet: Subnet, acl: Resource, gaps: Sequence[Gap]) -> Path:
    """VPCEP002 on the backend side: endpoints, service, backend, its subnet, the ACL, the entry."""
    domain = Domain.of(inv)
    backend = service.backend
    steps = endpoint_steps(domain, service) + (backend_steps(backend, _nic_in(backend, subnet)) if backend else [])
    steps += [_subnet_step(subnet), _acl_step(acl)]
    return tuple(steps + deciding_steps(inv, gaps, acl, "inbound entry"))


def endpoint_acl_path(inv: Inventory, endpoint: Endpoint, subnet: Subnet, acl: Resource, gaps: Sequence[Gap],
                      sources: str) -> Path:
    """VPCEP002 on the endpoint side: the clients, the endpoint, its subnet, the ACL, the entry."""
    steps = []
    if endpoint.vpc is not None:
        steps.append(step("vpc", endpoint.vpc.resource, f"clients in {sources}"))
    steps += [step("endpoint", endpoint.resource, "endpoint; its clients reach it on the terminal ports"),
              _subnet_step(subnet), _acl_step(acl)]
    return tuple(steps + deciding_steps(inv, gaps, acl, "inbound entry"))


def _nic_in(backend: Backend, subnet: Subnet) -> Nic | None:
    return next((n for n in backend.nics if n.subnet is subnet), None)


def _subnet_step(subnet: Subnet) -> Step:
    cidr = f" ({subnet.cidr})" if subnet.cidr is not None else ""
    return step("subnet", subnet.resource, f"subnet{cidr}; its network ACLs filter what enters it")


def _acl_step(acl: Resource) -> Step:
    return step("network ACL", acl, "inbound entries apply in order; anything no entry allows is denied")


def listener_path(inv: Inventory, service: Service, listener: Resource, access: AccessControl, ports: PortSet) -> Path:
    """VPCEP003: endpoints, service, load balancer, listener, its IP group or whitelist."""
    domain = Domain.of(inv)
    control, kind, refused = access.control, access.kind, access.refused
    steps = endpoint_steps(domain, service) + (backend_steps(service.backend) if service.backend else [])
    steps.append(step("listener", listener, f"listener on port {ports}; access control: {kind}"))
    verb = "leaves out" if kind == "whitelist" else "lists"
    blocked = f"tcp/{ports} from {refused} denied"
    if control is not None:
        steps.append(step("access control", control, f"{kind} that {verb} {refused}", None, blocked))
    else:
        steps.append(step("access control", listener, f"{kind} that {verb} {refused}", "access_policy", blocked))
    return tuple(steps)


# -- peerings -----------------------------------------------------------------------------------

def _vpc_step(vpc: Vpc, role: str = "vpc") -> Step:
    space = f" ({vpc.space})" if vpc.space is not None else ""
    return step(role, vpc.resource, f"VPC{space}")


def overlap_path(peering: Peering, a: Subnet | None = None, b: Subnet | None = None, same: str | None = None) -> Path:
    """VPCEP004: one VPC (and its subnet), the peering, the other VPC (and the subnet that overlaps);
    `same`: both VPCs take their unknown CIDR from that one expression."""
    local, peer = peering.local, peering.peer
    what = f"{a.cidr} overlaps {b.cidr}" if a is not None and b is not None else f"{local.space} overlaps {peer.space}"
    what = f"both take their CIDR from {same}" if same is not None else what
    steps = [_vpc_step(local)]
    if a is not None:
        steps.append(step("subnet", a.resource, f"subnet ({a.cidr})"))
    steps.append(step("peering", peering.resource, "peering between the two VPCs"))
    steps.append(_vpc_step(peer, "peer vpc"))
    if b is not None:
        steps.append(step("subnet", b.resource, f"subnet ({b.cidr}) overlaps {a.address if a else local.address}", None,
                          f"{what}: cannot route"))
    else:
        space = f" ({peer.space})" if peer.space is not None else ""
        steps[-1] = Step("peer vpc", peer.address, f"VPC{space} overlaps {local.address}", peer.resource.span, what)
    return tuple(steps)


def route_path(peering: Peering, vpc: Vpc, other: Vpc) -> Path:
    """VPCEP005: the VPC without a route, its routes through the peering, the peering, the peer VPC."""
    steps = [_vpc_step(vpc)]
    for r in peering.routes_of(vpc):
        steps.append(step("route", r.resource, f"route to {r.destination_text} through the peering", r.attribute))
    steps.append(step("peering", peering.resource, f"peering from {vpc.address} to {other.address}", None,
                      f"no route to {other.label}"))
    steps.append(_vpc_step(other, "peer vpc"))
    return tuple(steps)


def route_clash_path(peering: Peering, vpc: Vpc, route: Route, clash: Subnet | None = None) -> Path:
    """VPCEP005 on one route: the VPC, the route that cannot carry (it lies in subnet `clash`, or
    its route table steers no subnet), the peering."""
    why = (f"inside {clash.address} ({clash.cidr}): rejected" if clash is not None
           else "no subnet associated with its route table: carries nothing")
    return (_vpc_step(vpc), step("route", route.resource, f"route to {route.destination_text}", route.attribute, why),
            step("peering", peering.resource, "peering the route should lead to"))


def region_path(first: Resource, second: Resource, link: Resource | None = None) -> Path:
    """VPCEP006/008: the two resources in different regions, and what links them."""
    steps = [step("vpc" if first.type.endswith("_vpc") else "endpoint", first, f"in {first.region}")]
    if link is not None:
        steps.append(step("peering", link, "joins VPCs of one region only"))
    blocked = f"{first.region} to {second.region}: not reachable"
    steps.append(step("peer vpc" if second.type.endswith("_vpc") else "service", second, f"in {second.region}", None,
                      blocked))
    return tuple(steps)


def status_path(resource: Resource, status: str, service: Service | None = None) -> Path:
    """VPCEP007 on a recorded status: the endpoint (or the service) as the cloud recorded it."""
    steps = [step("endpoint" if service is not None else "service", resource, f"recorded as {status}", "status",
                  f"recorded as {status}: no traffic")]
    if service is not None:
        steps.append(step("service", service.resource, "the endpoint's service"))
    return tuple(steps)


def approval_path(endpoint: Endpoint, service: Service) -> Path:
    """VPCEP007: the endpoint, the service that requires approval, the approval that does not list it."""
    return (step("endpoint", endpoint.resource, "endpoint waiting for acceptance"),
            step("service", service.resource, "requires approval (approval = true)", "approval",
                 "no huaweicloud_vpcep_approval lists the endpoint: pending"))
