"""The layers under the rules: one conversion of values, the set alignment, the domain view, and
the public API the rules (built-in or third-party) import."""
from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

from vpcep_lint import domain, reach
from vpcep_lint.api import Options, lint
from vpcep_lint.domain import Domain
from vpcep_lint.model import Inventory, Resource

QUOTED = FIXTURES / "model" / "quoted-values"
PUBLIC = {"vpcep_lint.rule", "vpcep_lint.domain", "vpcep_lint.reach"}


def inventory(path: Path) -> Inventory:
    report = lint([str(path)], Options(rules=[], cwd=str(path if path.is_dir() else path.parent)))
    assert not report.errors, [str(e) for e in report.errors]
    return report.inventories[0]


# (address, attribute path, the value Terraform converts it to)
CONVERTED = [
    ("huaweicloud_networking_secgroup.backend", "delete_default_rules", True),
    ("huaweicloud_networking_secgroup_rule.legacy", "port_range_min", 8000),
    ("huaweicloud_networking_secgroup_rule.legacy", "port_range_max", 8100),
    ("huaweicloud_networking_secgroup_rule.ports", "ports", "443"),
    ("huaweicloud_networking_secgroup_rule.ports", "priority", 5),
    ("huaweicloud_vpc_network_acl.backend", "enabled", False),
    ("huaweicloud_vpc_network_acl.backend", "ingress_rules[0].ip_version", 4),
    ("huaweicloud_vpc_network_acl.backend", "ingress_rules[0].destination_port", "8080"),
    ("huaweicloud_vpcep_service.api", "approval", True),
    ("huaweicloud_vpcep_service.api", "port_mapping[0].service_port", 8080),
    ("huaweicloud_vpcep_service.api", "port_mapping[0].terminal_port", 80),
    ("huaweicloud_lb_listener.shared", "protocol_port", 443),
    ("huaweicloud_lb_whitelist.shared", "enable_whitelist", False),
    ("huaweicloud_elb_listener.dedicated", "protocol_port", 8443),
    ("huaweicloud_elb_listener.dedicated", "ip_group_enable", "false"),
]


@pytest.mark.parametrize("form", ["hcl", "plan.json", "state.json", "plan-existing.json"])
def test_quoted_numbers_and_booleans_read_the_same_in_every_form(form: str) -> None:
    inv = inventory(QUOTED if form == "hcl" else QUOTED / form)
    got = [(a, p, _typed(inv.get(a), p)) for a, p, _ in CONVERTED]
    assert got == [(a, p, (v, type(v).__name__)) for a, p, v in CONVERTED]


def _typed(r: Resource | None, path: str) -> tuple[Any, str]:
    assert r is not None
    value = r.get(path)
    return value, type(value).__name__


def test_hcl_and_plan_models_are_equal_on_the_converted_values() -> None:
    hcl, plan = inventory(QUOTED), inventory(QUOTED / "plan.json")
    for address, path, _ in CONVERTED:
        h, p = hcl.get(address), plan.get(address)
        assert h is not None and p is not None
        assert h.get(path) == p.get(path), f"{address}.{path}"


def test_a_quoted_port_range_is_that_port_not_every_port(tmp_path: Path) -> None:
    from helpers import lint_hcl
    case = FIXTURES / "VPCEP001" / "bad" / "quoted-port-range-misses-service-port"
    src = (case / "main.tf").read_text()
    assert lint_hcl(tmp_path, src, "VPCEP001", with_provider=False) == ["VPCEP001 huaweicloud_networking_secgroup.backend"]


def test_plan_set_blocks_follow_the_configuration_order() -> None:
    """A route table's `route` is a set: the plan lists it in another order than the
    configuration, whose i-th block the references (the next hop) belong to."""
    case = FIXTURES / "VPCEP005" / "good" / "route-table-with-several-peerings"
    hcl = inventory(case)
    for form in ("plan.json", "plan-existing.json"):
        other = inventory(case / form)
        for table in hcl.of_type("huaweicloud_vpc_route_table"):
            twin = other.get(table.address)
            assert twin is not None
            mine = [b.get("destination") for b in table.blocks("route")]
            theirs = [b.get("destination") for b in twin.blocks("route")]
            assert mine == theirs, (form, table.address)
            routes = {k: v for k, v in table.refs.items() if k[0] == "route"}
            assert len(routes) == 4
            assert routes == {k: v for k, v in twin.refs.items() if k[0] == "route"}, (form, table.address)


def test_the_domain_is_built_once_per_inventory_and_again_after_a_change() -> None:
    inv = inventory(FIXTURES / "VPCEP005" / "good" / "routes-both-sides")
    first = Domain.of(inv)
    assert Domain.of(inv) is first
    assert [p.address for p in first.peerings] == ["huaweicloud_vpc_peering_connection.app_db"]
    inv.add(Resource(address="huaweicloud_vpc.extra", type="huaweicloud_vpc", name="extra"))
    assert Domain.of(inv) is not first


def rule_files() -> list[Path]:
    return sorted(p for p in (ROOT / "rules").glob("*.py") if p.name != "__init__.py")


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: p.name)
def test_rules_import_only_the_public_api(path: Path) -> None:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("vpcep_lint"):
            assert node.module in PUBLIC, f"{path.name} imports {node.module}"
            exported = {"vpcep_lint.domain": domain.__all__, "vpcep_lint.reach": reach.__all__}.get(node.module)
            if exported is not None:
                assert {a.name for a in node.names} <= set(exported), path.name
        elif isinstance(node, ast.Import):
            assert not any(a.name.startswith("vpcep_lint") for a in node.names), path.name


@pytest.mark.parametrize("path", rule_files(), ids=lambda p: p.name)
def test_every_rule_reads_as_a_short_sentence_and_never_asks_the_input_kind(path: Path) -> None:
    source = path.read_text()
    tree = ast.parse(source)
    start = tree.body[0].end_lineno if isinstance(tree.body[0], ast.Expr) else 0
    code = [line for line in source.splitlines()[start:] if line.strip() and not line.strip().startswith("#")]
    assert len(code) < 60, f"{path.name}: {len(code)} lines of code"
    assert "inv.kind" not in source and "ipaddress" not in source and "AddressSet.parse" not in source


PEERED = """
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc_subnet" "a" {
  name       = "a"
  cidr       = "10.0.1.0/24"
  gateway_ip = "10.0.1.1"
  vpc_id     = huaweicloud_vpc.a.id
}
resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "172.16.0.0/16"
}
resource "huaweicloud_vpc_peering_connection" "ab" {
  name        = "ab"
  vpc_id      = huaweicloud_vpc.a.id
  peer_vpc_id = huaweicloud_vpc.b.id
}
resource "huaweicloud_vpc_route" "a" {
  vpc_id      = huaweicloud_vpc.a.id
  destination = "%s"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.ab.id
}
resource "huaweicloud_vpc_route" "b" {
  vpc_id      = huaweicloud_vpc.b.id
  destination = "10.0.0.0/16"
  type        = "peering"
  nexthop     = huaweicloud_vpc_peering_connection.ab.id
}
"""


@pytest.mark.parametrize("destination,found", [
    pytest.param("0.0.0.0/0", [], id="a-default-route-wider-than-the-subnets-is-accepted-and-carries"),
    pytest.param("10.0.1.0/24", ["VPCEP005 huaweicloud_vpc_route.a"], id="a-route-equal-to-an-own-subnet-is-rejected"),
    pytest.param("10.0.1.128/25", ["VPCEP005 huaweicloud_vpc_route.a"], id="a-route-inside-an-own-subnet-is-rejected"),
])
def test_a_peering_route_is_rejected_only_inside_a_subnet_route(tmp_path: Path, destination: str, found: list[str]) -> None:
    from helpers import lint_hcl
    assert lint_hcl(tmp_path, PEERED % destination, "VPCEP005") == found
