"""Edge cases of the rules, one configuration each (the fixtures hold the main cases)."""
from __future__ import annotations

import textwrap
from pathlib import Path

from helpers import PROVIDER, lint_hcl, lint_paths

BACKEND = """
resource "huaweicloud_vpc" "svc" {
  name = "svc"
  cidr = "192.168.0.0/16"
}
resource "huaweicloud_vpc_subnet" "svc" {
  name       = "svc"
  cidr       = "192.168.1.0/24"
  gateway_ip = "192.168.1.1"
  vpc_id     = huaweicloud_vpc.svc.id
}
resource "huaweicloud_networking_secgroup" "sg" { name = "sg" }
resource "huaweicloud_compute_instance" "web" {
  name               = "web"
  image_id           = "img"
  flavor_id          = "s6.small.1"
  security_group_ids = [huaweicloud_networking_secgroup.sg.id]
  network { uuid = huaweicloud_vpc_subnet.svc.id }
}
resource "huaweicloud_vpcep_service" "api" {
  vpc_id      = huaweicloud_vpc.svc.id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.web.network[0].port
  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
}
"""


def rule(body: str) -> str:
    return f"""
resource "huaweicloud_networking_secgroup_rule" "r" {{
  security_group_id = huaweicloud_networking_secgroup.sg.id
  direction         = "ingress"
  ethertype         = "IPv4"
  {body}
}}
"""


def test_only_a_remote_group_rule_never_admits_the_range(tmp_path: Path) -> None:
    src = BACKEND + rule('protocol = "tcp"\n  remote_group_id = huaweicloud_networking_secgroup.sg.id')
    assert lint_hcl(tmp_path, src, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]


def unchecked(tmp_path: Path, source: str, rule_id: str) -> list[str]:
    """What `rule_id` says it could not check (never a finding: unknown is not wrong)."""
    d = tmp_path / "unchecked"
    d.mkdir(exist_ok=True)
    (d / "main.tf").write_text(PROVIDER + textwrap.dedent(source))
    report = lint_paths([str(d)], rule_id, cwd=str(tmp_path))
    assert not report.findings
    return [f"{u.address}: {u.what}" for u in report.unchecked if rule_id in u.why]


def test_rule_without_any_remote_admits_every_address(tmp_path: Path) -> None:
    assert lint_hcl(tmp_path, BACKEND + rule('protocol = "tcp"\n  ports = "8080"'), "VPCEP001") == []
    # the same rule on another port admits nobody on 8080: the rule above was read, not skipped
    assert lint_hcl(tmp_path, BACKEND + rule('protocol = "tcp"\n  ports = "9090"'), "VPCEP001") == [
        "VPCEP001 huaweicloud_networking_secgroup.sg"]


def test_the_terminal_port_is_not_the_backend_port(tmp_path: Path) -> None:
    src = BACKEND + rule('protocol = "tcp"\n  ports = "80"\n  remote_ip_prefix = "198.19.128.0/17"')
    assert lint_hcl(tmp_path, src, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]


def test_a_rule_from_an_unknown_address_group_makes_the_rule_silent(tmp_path: Path) -> None:
    src = BACKEND + 'variable "ag" {}\n' + rule('protocol = "tcp"\n  remote_address_group_id = var.ag')
    assert lint_hcl(tmp_path, src, "VPCEP001") == []
    # a known address group without the range admits nothing: only the unknown one silences the rule
    known = BACKEND + rule('protocol = "tcp"\n  remote_address_group_id = huaweicloud_vpc_address_group.ag.id') + (
        'resource "huaweicloud_vpc_address_group" "ag" {\n  name      = "ag"\n  addresses = ["10.0.0.0/8"]\n}\n')
    assert lint_hcl(tmp_path, known, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]


def test_an_invalid_prefix_admits_nothing_and_does_not_crash(tmp_path: Path) -> None:
    src = BACKEND + rule('protocol = "tcp"\n  remote_ip_prefix = "198.19.128.0/33"')
    assert lint_hcl(tmp_path, src, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]


def test_a_service_port_from_an_unset_variable_is_not_checked_and_that_is_said(tmp_path: Path) -> None:
    src = BACKEND.replace("service_port  = 8080", "service_port  = var.port") + 'variable "port" {}\n'
    src += rule('protocol = "tcp"\n  ports = "443"\n  remote_ip_prefix = "198.19.128.0/17"')
    assert lint_hcl(tmp_path, src, "VPCEP001") == []
    assert unchecked(tmp_path, src, "VPCEP001") == ["huaweicloud_vpcep_service.api: the backend or its ports"]
    assert lint_hcl(tmp_path, BACKEND, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]  # port known


def test_a_group_admitting_the_range_on_no_port_blocks_whatever_the_unknown_port(tmp_path: Path) -> None:
    src = BACKEND.replace("service_port  = 8080", "service_port  = var.port") + 'variable "port" {}\n'
    src += rule('protocol = "tcp"\n  ports = "443"\n  remote_ip_prefix = "10.0.0.0/8"')
    assert lint_hcl(tmp_path, src, "VPCEP001") == ["VPCEP001 huaweicloud_networking_secgroup.sg"]


def test_a_nic_without_groups_uses_the_default_group_which_is_not_judged_and_that_is_said(tmp_path: Path) -> None:
    src = BACKEND.replace("security_group_ids = [huaweicloud_networking_secgroup.sg.id]\n", "")
    assert lint_hcl(tmp_path, src, "VPCEP001") == []
    assert unchecked(tmp_path, src, "VPCEP001") == [
        "huaweicloud_vpcep_service.api: the security groups of huaweicloud_compute_instance.web.network[0]"]


def test_acl_rule_on_client_source_ports_is_not_claimed_either_way(tmp_path: Path) -> None:
    """Whether a client's source port falls in 1024-2048 is not known: neither "allowed" nor a finding."""
    acl = """
resource "huaweicloud_vpc_network_acl" "acl" {
  name = "acl"
  ingress_rules {
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "198.19.128.0/17"
    source_port       = "1024-2048"
    destination_port  = "8080"
  }
  associated_subnets { subnet_id = huaweicloud_vpc_subnet.svc.id }
}
"""
    assert lint_hcl(tmp_path, BACKEND + acl, "VPCEP002") == []
    # the same rule on another destination port cannot match 8080 whatever the source port: blocked
    other = acl.replace('destination_port  = "8080"', 'destination_port  = "22"')
    assert lint_hcl(tmp_path, BACKEND + other, "VPCEP002") == ["VPCEP002 huaweicloud_vpc_network_acl.acl"]


def test_acl_that_allows_another_port_blocks_the_service_port(tmp_path: Path) -> None:
    acl = """
resource "huaweicloud_vpc_network_acl" "acl" {
  name = "acl"
  ingress_rules {
    action            = "allow"
    protocol          = "tcp"
    ip_version        = 4
    source_ip_address = "0.0.0.0/0"
    destination_port  = "22"
  }
  associated_subnets { subnet_id = huaweicloud_vpc_subnet.svc.id }
}
"""
    assert lint_hcl(tmp_path, BACKEND + acl, "VPCEP002") == ["VPCEP002 huaweicloud_vpc_network_acl.acl"]


def test_peering_to_itself_is_ignored(tmp_path: Path) -> None:
    src = """
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
resource "huaweicloud_vpc_peering_connection" "p" {
  name        = "p"
  vpc_id      = huaweicloud_vpc.a.id
  peer_vpc_id = huaweicloud_vpc.a.id
}
"""
    assert lint_hcl(tmp_path, src, "VPCEP004") == []
    assert lint_hcl(tmp_path, src, "VPCEP005") == []  # nor does it need routes to itself


def test_unknown_cidrs_are_silent(tmp_path: Path) -> None:
    src = """
variable "cidr" {}
resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = var.cidr
}
resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "10.0.0.0/16"
}
resource "huaweicloud_vpc_peering_connection" "p" {
  name        = "p"
  vpc_id      = huaweicloud_vpc.a.id
  peer_vpc_id = huaweicloud_vpc.b.id
}
"""
    assert lint_hcl(tmp_path, src, "VPCEP004") == []
    known = src.replace("cidr = var.cidr", 'cidr = "10.0.0.0/8"')  # now known, and overlapping b
    assert lint_hcl(tmp_path, known, "VPCEP004") == ["VPCEP004 huaweicloud_vpc_peering_connection.p"]


def test_endpoint_region_unknown_without_provider_region(tmp_path: Path) -> None:
    src = """
provider "huaweicloud" {}
resource "huaweicloud_vpcep_service" "s" {
  region      = "cn-north-4"
  vpc_id      = "v"
  server_type = "VM"
  port_id     = "p"
  port_mapping {
    service_port  = 80
    terminal_port = 80
  }
}
resource "huaweicloud_vpcep_endpoint" "e" {
  service_id = huaweicloud_vpcep_service.s.id
  vpc_id     = "v2"
}
"""
    assert lint_hcl(tmp_path, src, "VPCEP006", with_provider=False) == []
    # with the provider's region known and different, the same endpoint is reported
    regional = src.replace('provider "huaweicloud" {}', 'provider "huaweicloud" {\n  region = "cn-south-1"\n}')
    assert lint_hcl(tmp_path, regional, "VPCEP006", with_provider=False) == ["VPCEP006 huaweicloud_vpcep_endpoint.e"]
