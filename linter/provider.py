"""What the huaweicloud provider declares, in one table: names, types, blocks and exported IDs.

Terraform converts every argument to the type the provider schema declares before the provider
sees it (`port_range_min = "80"` is the number 80, `enabled = "false"` is false). The loaders
apply `convert` once, to HCL, plan and state values alike, so rules and `reach` never convert.
Facts from the provider's schemas (huaweicloud/huaweicloud 1.97.1, `docs/json/resources/` and
the Go code under `huaweicloud/services/`); nothing here reads resources.
"""
from __future__ import annotations

from typing import Any

# Legacy names still accepted by the provider, mapped to the canonical resource type.
TYPE_ALIASES: dict[str, str] = {
    "huaweicloud_vpc_v1": "huaweicloud_vpc",
    "huaweicloud_vpc_subnet_v1": "huaweicloud_vpc_subnet",
    "huaweicloud_compute_instance_v2": "huaweicloud_compute_instance",
    "huaweicloud_ecs_instance_v1": "huaweicloud_compute_instance",
    "huaweicloud_compute_interface_attach_v2": "huaweicloud_compute_interface_attach",
    "huaweicloud_networking_secgroup_v2": "huaweicloud_networking_secgroup",
    "huaweicloud_compute_secgroup_v2": "huaweicloud_networking_secgroup",
    "huaweicloud_networking_secgroup_rule_v2": "huaweicloud_networking_secgroup_rule",
    "huaweicloud_networking_vip_v2": "huaweicloud_networking_vip",
    "huaweicloud_networking_vip_associate_v2": "huaweicloud_networking_vip_associate",
    "huaweicloud_networking_port_v2": "huaweicloud_networking_port",
    "huaweicloud_vpc_peering_connection_v2": "huaweicloud_vpc_peering_connection",
    "huaweicloud_vpc_peering_connection_accepter_v2": "huaweicloud_vpc_peering_connection_accepter",
    "huaweicloud_vpc_route_v2": "huaweicloud_vpc_route",
    "huaweicloud_lb_loadbalancer_v2": "huaweicloud_lb_loadbalancer",
    "huaweicloud_lb_listener_v2": "huaweicloud_lb_listener",
    "huaweicloud_lb_pool_v2": "huaweicloud_lb_pool",
    "huaweicloud_lb_member_v2": "huaweicloud_lb_member",
    "huaweicloud_lb_whitelist_v2": "huaweicloud_lb_whitelist",
}


def canonical_type(type_name: str) -> str:
    return TYPE_ALIASES.get(type_name, type_name)


# Attributes whose values are IDs other resources point at (besides `id`).
EXPORTED_IDS: dict[str, tuple[str, ...]] = {
    "huaweicloud_vpc_subnet": ("ipv4_subnet_id", "subnet_id", "ipv6_subnet_id"),
    "huaweicloud_compute_instance": ("network.*.port",),
    "huaweicloud_compute_interface_attach": ("port_id",),
    "huaweicloud_elb_loadbalancer": ("ipv4_port_id",),
    "huaweicloud_lb_loadbalancer": ("vip_port_id",),
    "huaweicloud_network_acl": ("inbound_policy_id", "outbound_policy_id"),
}

NUMBER, BOOL, STRING = "number", "bool", "string"

# The typed arguments the rules read; a dotted name is an argument of a nested block
# (`port_mapping.service_port`). Strings are listed where users write numbers or bools
# (`ports = 8080`, `ip_group_enable = false`).
TYPES: dict[str, dict[str, str]] = {
    "huaweicloud_vpcep_service": {
        "approval": BOOL, "enable_policy": BOOL,
        "port_mapping.service_port": NUMBER, "port_mapping.terminal_port": NUMBER,
    },
    "huaweicloud_vpcep_endpoint": {"enable_dns": BOOL, "enable_whitelist": BOOL},
    "huaweicloud_networking_secgroup": {"delete_default_rules": BOOL, "rules.priority": NUMBER},
    "huaweicloud_networking_secgroup_rule": {
        "port_range_min": NUMBER, "port_range_max": NUMBER, "priority": NUMBER, "ports": STRING,
    },
    "huaweicloud_vpc_address_group": {"ip_version": NUMBER, "max_capacity": NUMBER},
    "huaweicloud_vpc_network_acl": {
        "enabled": BOOL, "ingress_rules.ip_version": NUMBER, "egress_rules.ip_version": NUMBER,
        "ingress_rules.destination_port": STRING, "ingress_rules.source_port": STRING,
    },
    "huaweicloud_network_acl_rule": {
        "enabled": BOOL, "ip_version": NUMBER, "destination_port": STRING, "source_port": STRING,
    },
    "huaweicloud_elb_listener": {
        "protocol_port": NUMBER, "port_ranges.start_port": NUMBER, "port_ranges.end_port": NUMBER,
        "ip_group_enable": STRING,
    },
    "huaweicloud_lb_listener": {"protocol_port": NUMBER},
    "huaweicloud_lb_whitelist": {"enable_whitelist": BOOL},
    "huaweicloud_networking_vip": {"ip_version": NUMBER},
    "huaweicloud_compute_instance": {"network.source_dest_check": BOOL},
    "huaweicloud_vpc_peering_connection_accepter": {"accept": BOOL},
}

LIST, SET = "list", "set"

# Nested blocks and how Terraform nests them. A set's elements have no order: a plan lists them
# in another order than the configuration, and the plan loader aligns them (`align_sets`).
BLOCKS: dict[str, dict[str, str]] = {
    "huaweicloud_vpcep_service": {"port_mapping": LIST},
    "huaweicloud_compute_instance": {"network": LIST},
    "huaweicloud_vpc_address_group": {"ip_extra_set": SET},
    "huaweicloud_vpc_network_acl": {"ingress_rules": LIST, "egress_rules": LIST, "associated_subnets": SET},
    "huaweicloud_elb_listener": {"port_ranges": SET},
    "huaweicloud_elb_ipgroup": {"ip_list": SET},
    "huaweicloud_vpc_route_table": {"route": SET},
}

# Optional numbers the provider reads back as 0 when unset (terraform-plugin-sdk cannot tell 0
# from unset): 0 means unset in every form, as the provider itself treats it.
ZERO_MEANS_UNSET: dict[str, frozenset[str]] = {
    "huaweicloud_networking_secgroup_rule": frozenset({"port_range_min", "port_range_max", "priority"}),
    "huaweicloud_networking_secgroup": frozenset({"rules.priority"}),
    "huaweicloud_elb_listener": frozenset({"protocol_port"}),
}


def set_blocks(rtype: str) -> list[str]:
    return [name for name, nesting in BLOCKS.get(rtype, {}).items() if nesting == SET]


def convert(rtype: str, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with every known scalar converted to the schema's type, in place."""
    types = TYPES.get(rtype)
    zeros = ZERO_MEANS_UNSET.get(rtype, frozenset())
    if not types:
        return values
    for path, kind in types.items():
        head, _, tail = path.partition(".")
        if not tail:
            if head in values:
                values[head] = _to(kind, values[head], path in zeros)
            continue
        blocks = values.get(head)
        if isinstance(blocks, dict):
            blocks = [blocks]
        if isinstance(blocks, list):
            for block in blocks:
                if isinstance(block, dict) and tail in block:
                    block[tail] = _to(kind, block[tail], path in zeros)
    return values


def _to(kind: str, value: Any, zero_unset: bool) -> Any:
    """Terraform's conversion of a string to a number or bool; anything else is kept as written
    (an unknown, or a value Terraform would reject: the rules read it as invalid)."""
    if kind == NUMBER:
        if isinstance(value, str):
            text = value.strip()
            try:
                number = float(text) if any(c in text for c in ".eE") else int(text, 10)
            except ValueError:
                return value
            value = int(number) if isinstance(number, float) and number.is_integer() else number
        if zero_unset and value == 0 and not isinstance(value, bool):
            return None
        return value
    if kind == BOOL and isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip(), value)
    if kind == STRING and isinstance(value, bool):
        return "true" if value else "false"
    if kind == STRING and isinstance(value, int):
        return str(value)
    return value
