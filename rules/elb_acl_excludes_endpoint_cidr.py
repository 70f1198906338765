"""VPCEP003: an ELB backend's access control must let 198.19.128.0/17 in.

The user documentation is docs/rules/VPCEP003.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.domain import Backend, Domain, Inventory, PortSet, Resource, Service, Unknown
from vpcep_lint.reach import ENDPOINT_RANGE, access_control, listener_path, listener_ports
from vpcep_lint.rule import Finding, Rule, Severity


class ElbAccessControlExcludesEndpointCidr(Rule):
    id = "VPCEP003"
    title = "ELB listener access control shuts out 198.19.128.0/17"
    severity = Severity.ERROR
    tags = ("elb", "access-control")

    def check(self, inv: Inventory) -> Iterator[Finding | Unknown]:
        for service in Domain.of(inv).services:
            backend = service.backend
            if not service.may_be_lb:
                continue  # a VM or virtual IP backend: no listener, no access control
            yield from service.ipv6_path()
            if backend is None or service.mappings is None:
                elb = backend is None or backend.kind in ("elb", "lb")
                yield from [service.unknown] if service.unknown and elb else []
                continue
            if backend.kind not in ("elb", "lb"):
                continue
            wanted = PortSet.union_all(service.ports("service").values())
            for listener in backend.listeners:
                yield from self._listener(inv, service, backend, listener, wanted)

    def _listener(self, inv: Inventory, service: Service, backend: Backend, listener: Resource,
                  wanted: PortSet) -> Iterator[Finding | Unknown]:
        """What the listener's access control refuses of 198.19.128.0/17 on the service ports."""
        ports = listener_ports(listener)
        if ports is None:
            yield Unknown(listener, "the ports it listens on", "protocol_port")
            return
        control = access_control(inv, listener, ENDPOINT_RANGE) if ports.overlaps(wanted) else None
        if control is not None and control.refused is None:
            what = f"the addresses of the {control.kind} of {listener.address}"
            yield Unknown(control.control or listener, what)
        if control is None or control.refused is None or control.refused.is_empty():
            return
        name = control.control.address if control.control else ""
        verb = "leaves out" if control.kind == "whitelist" else "refuses"
        yield self.finding(
            listener,
            f"{control.kind} {name} {verb} {control.refused} on {listener.address} (port "
            f"{ports & wanted}), a listener of {backend.resource.address} behind "
            f"{service.address}{service.scope}",
            key=f"{service.address}|{listener.address}",
            related=[(service.resource, "service"), (backend.resource, "load balancer")]
            + ([(control.control, "access control")] if control.control is not None else []),
            path=listener_path(inv, service, listener, control, ports & wanted),
        )
