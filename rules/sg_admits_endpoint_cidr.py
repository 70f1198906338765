"""VPCEP001: the backend's security groups must admit 198.19.128.0/17 on every service port.

Why: traffic that reaches an endpoint service's backend through a VPC endpoint comes from
198.19.128.0/17 (VPCEP FAQ §1, check 1). If the security groups of the backend ECS's NIC do not
allow that range in on the port the service maps to (`port_mapping.service_port`), the endpoint
is created and accepted but connections time out.

Checked for services whose `port_id` is an ECS NIC (`huaweicloud_compute_instance` network port,
`huaweicloud_compute_interface_attach`, `huaweicloud_vpc_network_interface`) or a virtual IP
(the NICs it is associated with). Security-group semantics: groups in the NIC's order, rules by
priority (1 first), deny before allow at equal priority, unset action = allow, unset protocol or
ports = all; `remote_group_id` rules never admit the range; what no rule allows is dropped.

Fix: add an ingress rule to the NIC's first security group, for example

    resource "huaweicloud_networking_secgroup_rule" "vpcep_ingress" {
      security_group_id = huaweicloud_networking_secgroup.backend.id
      direction         = "ingress"
      ethertype         = "IPv4"
      protocol          = "tcp"
      ports             = "8080"            # the port_mapping's service_port
      remote_ip_prefix  = "198.19.128.0/17"
    }

Not flagged: groups, rules, ports or backends that cannot be known before apply (a group ID from
a variable without a value, the region's default group when no group is set).
"""
from __future__ import annotations

from collections.abc import Iterator

from vpcep_lint.model import UNKNOWN, Inventory
from vpcep_lint.netaddr import ENDPOINT_RANGE, FlowSpace, PortSet
from vpcep_lint.reach import security_groups_decision
from vpcep_lint.rule import Finding, Rule, Severity
from vpcep_lint.topology import SERVICE, backend, port_mappings, security_groups


class BackendSecurityGroupAdmitsEndpointCidr(Rule):
    id = "VPCEP001"
    title = "Backend security group admits 198.19.128.0/17 on the service ports"
    severity = Severity.ERROR
    tags = ("security-group",)

    def check(self, inv: Inventory) -> Iterator[Finding]:
        for service in inv.of_type(SERVICE):
            mappings = port_mappings(service)
            b = backend(inv, service)
            if mappings is UNKNOWN or b is None or b.kind not in ("nic", "vip"):
                if mappings is UNKNOWN or b is None:
                    yield from self.unknown(service, "the backend or its ports", attribute="port_id")
                continue
            for nic in b.nics:
                groups = security_groups(inv, nic)
                if groups is UNKNOWN or not groups:
                    yield from self.unknown(service, f"the security groups of {nic.label}", attribute="port_id")
                    continue
                gaps = []
                for protocol in sorted({m.protocol for m in mappings}):
                    ports = PortSet.empty()
                    for m in mappings:
                        if m.protocol == protocol:
                            ports |= PortSet.single(m.service_port)
                    decision = security_groups_decision(inv, groups, protocol, FlowSpace.of(ENDPOINT_RANGE, ports))
                    gaps += [f"{a} to {protocol}/{p}" for a, p in decision.denied.describe()]
                if gaps:
                    names = ", ".join(g.address for g in groups)
                    yield self.finding(
                        groups[0],
                        f"{'; '.join(gaps)} {'is' if len(gaps) == 1 else 'are'} not allowed by the security "
                        f"group{'s' if len(groups) > 1 else ''} {names} of {nic.label}, the backend of {service.address}",
                        key=f"{service.address}|{nic.label}",
                        related=[(service, "service"), (nic.owner, "backend")] + [(g, "security group") for g in groups[1:]],
                    )
