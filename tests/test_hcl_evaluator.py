"""What the HCL evaluator decides although some values are unknown (issue 12, section 2)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from vpcep_lint.api import Options, lint
from vpcep_lint.model import UNKNOWN, Inventory


def load(tmp_path: Path, files: dict[str, str]) -> tuple[Inventory, list[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = lint([str(tmp_path)], Options(rules=[], cwd=str(tmp_path)))
    assert not report.errors, [str(e) for e in report.errors]
    inv = report.inventories[0]
    return inv, [f"{u.what}: {u.why}" for u in inv.unchecked]


def test_unknowns_from_the_same_expression_share_a_key_and_others_do_not(tmp_path: Path) -> None:
    inv, _ = load(tmp_path, {"main.tf": """
        variable "cidr" { type = string }
        variable "other" { type = string }
        module "m" {
          source = "./m"
          cidr   = var.cidr
        }
        resource "huaweicloud_vpc" "a" { cidr = var.cidr }
        resource "huaweicloud_vpc" "c" { cidr = var.other }
        resource "huaweicloud_vpc_subnet" "s1" { cidr = cidrsubnet(huaweicloud_vpc.a.cidr, 8, 1) }
        resource "huaweicloud_vpc_subnet" "s2" { cidr = cidrsubnet(var.cidr, 8, 1) }
        resource "huaweicloud_vpc_subnet" "s3" { cidr = cidrsubnet(var.cidr, 8, 2) }
        resource "huaweicloud_vpc_subnet" "s4" { cidr = "${var.cidr}-x" }
    """, "m/main.tf": """
        variable "cidr" { type = string }
        resource "huaweicloud_vpc" "b" { cidr = var.cidr }
    """})
    keys = {r.address: r.unknown_keys.get("cidr") for r in inv.resources}
    assert all(r.get("cidr") is UNKNOWN for r in inv.resources)  # every other reader sees UNKNOWN
    assert keys["huaweicloud_vpc.a"] == keys["module.m.huaweicloud_vpc.b"] == "var.cidr"  # through the module input
    assert keys["huaweicloud_vpc.c"] == "var.other"
    assert keys["huaweicloud_vpc_subnet.s1"] == keys["huaweicloud_vpc_subnet.s2"] == "cidrsubnet(var.cidr,8,1)"
    assert keys["huaweicloud_vpc_subnet.s3"] == "cidrsubnet(var.cidr,8,2)"
    assert keys["huaweicloud_vpc_subnet.s4"] is None  # a template computes with it: no longer the same value


def test_comparing_an_unknown_stays_unknown(tmp_path: Path) -> None:
    inv, notes = load(tmp_path, {"main.tf": """
        variable "cidr" { type = string }
        resource "huaweicloud_vpc" "a" {
          count = var.cidr == "10.0.0.0/16" ? 2 : 1
          cidr  = "10.0.0.0/16"
        }
        resource "huaweicloud_vpc" "b" { cidr = contains(["x"], var.cidr) ? "1" : "2" }
    """})
    assert sorted(r.address for r in inv.resources) == ["huaweicloud_vpc.a", "huaweicloud_vpc.b"]
    assert inv.get("huaweicloud_vpc.b").get("cidr") is UNKNOWN
    assert any(n.startswith("count of huaweicloud_vpc.a") for n in notes)


def test_known_length_and_keys_of_collections_with_unknown_elements(tmp_path: Path) -> None:
    inv, notes = load(tmp_path, {"main.tf": """
        variable "on" { default = true }
        resource "huaweicloud_vpc" "v" { cidr = "10.0.0.0/16" }
        locals {
          ids  = [huaweicloud_vpc.v.id, huaweicloud_vpc.v.id]
          nets = { app = huaweicloud_vpc.v.id, db = huaweicloud_vpc.v.id }
        }
        resource "huaweicloud_vpc_subnet" "n" {
          count = length(local.ids)
          cidr  = cidrsubnet("10.0.0.0/16", 8, count.index)
        }
        resource "huaweicloud_vpc_subnet" "k" {
          for_each = toset(keys(local.nets))
          cidr     = "10.0.9.0/24"
        }
        resource "huaweicloud_vpc_subnet" "c" {
          for_each = var.on ? local.nets : {}
          vpc_id   = each.value
        }
        resource "huaweicloud_vpc_subnet" "u" {
          count = length(toset(local.ids))
          cidr  = "10.0.8.0/24"
        }
    """})
    addresses = [r.address for r in inv.resources]
    assert "huaweicloud_vpc_subnet.n[1]" in addresses
    assert inv.get("huaweicloud_vpc_subnet.n[1]").get("cidr") == "10.0.1.0/24"
    assert {'huaweicloud_vpc_subnet.k["app"]', 'huaweicloud_vpc_subnet.k["db"]'} <= set(addresses)
    assert {'huaweicloud_vpc_subnet.c["app"]', 'huaweicloud_vpc_subnet.c["db"]'} <= set(addresses)
    # a set of unknown elements may have one element or two: its length is not known
    assert "huaweicloud_vpc_subnet.u" in addresses
    assert notes == ["count of huaweicloud_vpc_subnet.u: not known statically; treated as one instance"]


def test_a_module_reads_its_own_outputs_and_only_real_cycles_are_unknown(tmp_path: Path) -> None:
    inv, notes = load(tmp_path, {"main.tf": """
        module "net" {
          source = "./net"
          peer   = module.net.a_name
          loop   = module.net.loop
        }
    """, "net/main.tf": """
        variable "peer" {}
        variable "loop" {}
        resource "huaweicloud_vpc" "a" { name = "vpc-a" }
        resource "huaweicloud_vpc" "b" {
          count = var.peer == "vpc-a" ? 2 : 0
          name  = "peer-of-${var.peer}"
        }
        output "a_name" { value = huaweicloud_vpc.a.name }
        output "loop" { value = var.loop }
        resource "huaweicloud_vpc" "c" { name = var.loop }
    """})
    assert [r.address for r in inv.resources] == [
        "module.net.huaweicloud_vpc.a", "module.net.huaweicloud_vpc.b[0]", "module.net.huaweicloud_vpc.b[1]",
        "module.net.huaweicloud_vpc.c"]
    assert inv.get("module.net.huaweicloud_vpc.c").get("name") is UNKNOWN
    assert inv.get("module.net.huaweicloud_vpc.b[1]").get("name") == "peer-of-vpc-a"
    assert any("reference cycle" in n for n in notes), notes
