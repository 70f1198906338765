"""VPCEP003: an ELB backend's access control must let 198.19.128.0/17 in.

The user documentation is docs/rules/VPCEP003.md, the one source that `--explain` prints and
SARIF carries; keep what this rule checks and that page in step.
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory, Resource
from vpcep_lint.netaddr import ENDPOINT_CIDR, ENDPOINT_RANGE, AddressSet
from vpcep_lint.reach import ip_group_addresses, whitelist_addresses
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import SERVICE, backend, port_mappings

ELB_LISTENER = "huaweicloud_elb_listener"
LB_LISTENER = "huaweicloud_lb_listener"
LB_WHITELIST = "huaweicloud_lb_whitelist"


class ElbAccessControlExcludesEndpointCidr(Rule):
    id = "VPCEP003"
    title = "ELB listener access control shuts out 198.19.128.0/17"
    severity = Severity.ERROR
    tags = ("elb", "access-control")

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type(SERVICE):
            mappings = port_mappings(service)
            b = backend(inv, service)
            if mappings is UNKNOWN or b is None or b.kind not in ("elb", "lb"):
                continue
            ports = {m.service_port for m in mappings}
            listener_type = ELB_LISTENER if b.kind == "elb" else LB_LISTENER
            for listener, path, _ in inv.referrers(b.resource, listener_type):
                port = listener.get("protocol_port")
                if path[:1] != ("loadbalancer_id",) or not isinstance(port, int) or port not in ports:
                    continue
                problem = self._dedicated(inv, listener) if b.kind == "elb" else self._shared(inv, listener)
                if problem is not None:
                    text, control = problem
                    yield self.finding(
                        listener,
                        f"{text} on {listener.address} (port {listener.get('protocol_port')}), a listener of "
                        f"{b.resource.address} behind {service.address}",
                        key=f"{service.address}|{listener.address}",
                        related=[(service, "service"), (b.resource, "load balancer")]
                        + ([(control, "access control")] if control is not None else []),
                    )

    @staticmethod
    def _dedicated(inv: Inventory, listener: Resource) -> tuple[str, Resource | None] | None:
        policy, enabled = listener.get("access_policy"), listener.get("ip_group_enable")
        if policy is None or policy is UNKNOWN or enabled is UNKNOWN:
            return None
        if str(enabled).lower() == "false":
            return None
        group, addresses = ip_group_addresses(inv, listener)
        if addresses is None:
            return None
        if policy == "white" and not addresses.covers(ENDPOINT_RANGE):
            missing = ENDPOINT_RANGE - addresses
            return f"whitelist {group.address if group else ''} leaves out {missing}", group
        if policy == "black" and addresses.overlaps(ENDPOINT_RANGE):
            return f"blacklist {group.address if group else ''} refuses {addresses & ENDPOINT_RANGE}", group
        return None

    @staticmethod
    def _shared(inv: Inventory, listener: Resource) -> tuple[str, Resource | None] | None:
        for wl, path, _ in inv.referrers(listener, LB_WHITELIST):
            if path[:1] != ("listener_id",):
                continue
            enabled = wl.get("enable_whitelist")
            if enabled is UNKNOWN or enabled is not True:
                continue
            addresses = whitelist_addresses(wl.get("whitelist"))
            if addresses is None:
                continue
            if not addresses.covers(ENDPOINT_RANGE):
                missing = ENDPOINT_RANGE - addresses if not addresses.is_empty() else AddressSet.parse(ENDPOINT_CIDR)
                return f"whitelist {wl.address} leaves out {missing}", wl
        return None
