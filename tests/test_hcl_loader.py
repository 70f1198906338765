"""What the HCL loader knows statically, and what it leaves unknown."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from vpcep_lint.api import Options, lint
from vpcep_lint.model import UNKNOWN, Inventory, Ref


def load(tmp_path: Path, files: dict[str, str]) -> Inventory:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    report = lint([str(tmp_path)], Options(rules=[], cwd=str(tmp_path)))
    assert not report.errors, [str(e) for e in report.errors]
    return report.inventories[0]


def test_variables_tfvars_locals_and_templates(tmp_path: Path) -> None:
    inv = load(tmp_path, {
        "main.tf": """
            variable "env" { default = "dev" }
            variable "cidr" {}
            variable "unset" {}
            locals { name = "vpc-${var.env}" }
            resource "huaweicloud_vpc" "a" {
              name = local.name
              cidr = var.cidr
              description = var.unset
            }
        """,
        "terraform.tfvars": 'cidr = "10.0.0.0/16"\nenv = "prod"\n',
        "z.auto.tfvars": 'env = "stage"\n',
    })
    vpc = inv.get("huaweicloud_vpc.a")
    assert vpc.get("name") == "vpc-stage"  # auto.tfvars are read after terraform.tfvars
    assert vpc.get("cidr") == "10.0.0.0/16"
    assert vpc.get("description") is UNKNOWN
    assert vpc.get("enhanced_local_route") is None  # unset, not unknown


def test_count_for_each_and_references_to_instances(tmp_path: Path) -> None:
    inv = load(tmp_path, {"main.tf": """
        resource "huaweicloud_vpc" "v" {
          count = 2
          name  = "v${count.index}"
          cidr  = cidrsubnet("10.0.0.0/8", 8, count.index)
        }
        resource "huaweicloud_vpc_subnet" "s" {
          for_each   = { a = 0, b = 1 }
          name       = each.key
          cidr       = cidrsubnet(huaweicloud_vpc.v[each.value].cidr, 8, 1)
          gateway_ip = "10.0.0.1"
          vpc_id     = huaweicloud_vpc.v[each.value].id
        }
    """})
    assert [r.address for r in inv] == [
        "huaweicloud_vpc.v[0]", "huaweicloud_vpc.v[1]",
        'huaweicloud_vpc_subnet.s["a"]', 'huaweicloud_vpc_subnet.s["b"]',
    ]
    b = inv.get('huaweicloud_vpc_subnet.s["b"]')
    assert b.get("cidr") == "10.1.1.0/24"
    assert inv.refs(b, "vpc_id") == [Ref("huaweicloud_vpc.v[1]", "id")]


def test_modules_outputs_and_provider_aliases(tmp_path: Path) -> None:
    inv = load(tmp_path, {
        "main.tf": """
            provider "huaweicloud" { region = "cn-north-4" }
            provider "huaweicloud" {
              alias  = "gz"
              region = "cn-south-1"
            }
            module "net" {
              source   = "./modules/net"
              for_each = toset(["a", "b"])
              name     = each.key
            }
            module "far" {
              source    = "./modules/net"
              name      = "far"
              providers = { huaweicloud = huaweicloud.gz }
            }
            resource "huaweicloud_vpcep_service" "s" {
              vpc_id      = module.net["b"].vpc_id
              server_type = "VM"
              port_id     = "x"
              port_mapping {
                service_port  = 80
                terminal_port = 80
              }
            }
        """,
        "modules/net/main.tf": """
            variable "name" {}
            resource "huaweicloud_vpc" "this" {
              name = var.name
              cidr = "10.0.0.0/16"
            }
            output "vpc_id" { value = huaweicloud_vpc.this.id }
        """,
    })
    assert inv.get('module.net["a"].huaweicloud_vpc.this').get("name") == "a"
    assert inv.get('module.net["b"].huaweicloud_vpc.this').region == "cn-north-4"
    assert inv.get("module.far.huaweicloud_vpc.this").region == "cn-south-1"
    service = inv.get("huaweicloud_vpcep_service.s")
    assert inv.refs(service, "vpc_id") == [Ref('module.net["b"].huaweicloud_vpc.this', "id")]
    assert service.get("port_mapping[0].service_port") == 80


def test_legacy_names_keep_their_address_and_get_the_canonical_type(tmp_path: Path) -> None:
    inv = load(tmp_path, {"main.tf": """
        resource "huaweicloud_networking_secgroup_v2" "g" { name = "g" }
        resource "huaweicloud_networking_secgroup_rule_v2" "r" {
          security_group_id = huaweicloud_networking_secgroup_v2.g.id
          direction = "ingress"
          ethertype = "IPv4"
        }
    """})
    rule = inv.get("huaweicloud_networking_secgroup_rule_v2.r")
    assert rule.type == "huaweicloud_networking_secgroup_rule"
    assert inv.target_resources(rule, "security_group_id")[0].type == "huaweicloud_networking_secgroup"


@pytest.mark.parametrize(
    "expr,value",
    [
        pytest.param('file("/etc/passwd")', UNKNOWN, id="file-never-read"),
        pytest.param('templatefile("x.tpl", {})', UNKNOWN, id="templatefile-never-read"),
        pytest.param('concat(["a"], ["b"])', ["a", "b"], id="concat"),
        pytest.param('lookup({a = "x"}, "a", "d")', "x", id="lookup"),
        pytest.param('lookup({a = "x"}, "b", "d")', "d", id="lookup-default"),
        pytest.param('true ? "y" : "n"', "y", id="conditional"),
        pytest.param('join(",", ["a", "b"])', "a,b", id="join"),
        pytest.param('format("%s-%d", "a", 1)', "a-1", id="format"),
        pytest.param('[for s in ["a", "b"] : upper(s)]', ["A", "B"], id="for-expression"),
        pytest.param("data.huaweicloud_availability_zones.z.names[0]", UNKNOWN, id="data-source"),
        pytest.param("length([1, 2, 3]) * 2", 6, id="arithmetic"),
        pytest.param('"$${not_interpolated}"', "${not_interpolated}", id="escaped-interpolation"),
    ],
)
def test_expressions(tmp_path: Path, expr: str, value: object) -> None:
    inv = load(tmp_path, {"main.tf": f'resource "huaweicloud_vpc" "v" {{\n  description = {expr}\n}}\n'})
    assert inv.get("huaweicloud_vpc.v").values["description"] == value


def test_dynamic_blocks_expand_over_known_collections(tmp_path: Path) -> None:
    inv = load(tmp_path, {"main.tf": """
        locals { ports = [80, 443] }
        resource "huaweicloud_vpcep_service" "s" {
          dynamic "port_mapping" {
            for_each = local.ports
            content {
              service_port  = port_mapping.value
              terminal_port = port_mapping.value + 8000
            }
          }
        }
    """})
    mappings = inv.get("huaweicloud_vpcep_service.s").blocks("port_mapping")
    assert mappings == [{"service_port": 80, "terminal_port": 8080}, {"service_port": 443, "terminal_port": 8443}]


def test_a_list_from_a_variable_is_marked_as_not_fully_resolved(tmp_path: Path) -> None:
    inv = load(tmp_path, {"main.tf": """
        variable "extra" {}
        resource "huaweicloud_networking_secgroup" "g" { name = "g" }
        resource "huaweicloud_compute_instance" "i" {
          security_group_ids = concat([huaweicloud_networking_secgroup.g.id], var.extra)
        }
    """})
    inst = inv.get("huaweicloud_compute_instance.i")
    assert inst.get("security_group_ids") is UNKNOWN
    assert inv.refs(inst, "security_group_ids") == [Ref("huaweicloud_networking_secgroup.g", "id")]
    assert inst.has_unresolved("security_group_ids")


def test_remote_modules_are_not_followed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "git::https://example.com/m.git"\n}\n')
    report = lint([str(tmp_path)], Options(rules=[], cwd=str(tmp_path)))
    assert not report.errors
    assert [(u.kind, u.file, u.line) for u in report.unchecked] == [("module", "main.tf", 1)]
    assert "not local and not downloaded" in report.unchecked[0].why


# -- large files are parsed in pieces: the same tree, less memory -----------------------------------

def _fixture_sources() -> list[Path]:
    from conftest import FIXTURES

    return sorted(FIXTURES.rglob("*.tf"))


def test_a_file_parsed_in_pieces_is_the_file_parsed_whole() -> None:
    """Every fixture, cut before each top-level block (pieces of 1 character at least), gives the
    tree it gives parsed whole: positions, comments, everything."""
    from vpcep_lint.loaders import hcl_syntax

    pieced = 0
    for path in _fixture_sources():
        text = path.read_text(encoding="utf-8-sig")
        text = text if text.endswith("\n") else text + "\n"
        try:
            whole = hcl_syntax.parse_hcl(text, str(path))
        except hcl_syntax.HclSyntaxError:
            assert hcl_syntax._parse_in_chunks(text, str(path), 1) is None  # a broken file never parses in pieces
            continue
        for size in (1, 300):
            chunked = hcl_syntax._parse_in_chunks(text, str(path), size)
            if chunked is not None:
                pieced += 1
                assert chunked == whole, (path, size)
    assert pieced > 100


@pytest.mark.parametrize("inside", [
    pytest.param('locals {\n  x = <<EOT\nresource "x" "y" {\nEOT\n}\n', id="heredoc"),
    pytest.param('/*\nresource "x" "y" {}\n*/\n', id="comment"),
    pytest.param('locals {\n  x = [\nresource\n]\n}\n', id="bracket"),
])
def test_a_cut_inside_a_construct_falls_back_to_the_whole_file(inside: str) -> None:
    from vpcep_lint.loaders import hcl_syntax

    text = 'resource "huaweicloud_vpc" "a" {\n  name = "a"\n}\n' + inside + 'resource "huaweicloud_vpc" "b" {}\n'
    assert any(start > 0 for start, _ in hcl_syntax.chunks(text, 1)[1:])
    parsed = hcl_syntax.parse_hcl(text, "x.tf")
    assert [b.labels for b in parsed.body.blocks if b.type == "resource"] == [["huaweicloud_vpc", "a"], ["huaweicloud_vpc", "b"]]


def test_a_large_file_is_parsed_in_pieces_on_every_core(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of one file parsed in worker processes join into the tree the file has in-process."""
    from vpcep_lint.loaders import hcl_syntax, parallel
    from vpcep_lint.loaders.sources import SourceSet

    monkeypatch.setattr(hcl_syntax, "CHUNK_CHARS", 2000)
    monkeypatch.setattr(parallel, "CHUNK_CHARS", 2000)
    monkeypatch.setattr(parallel, "MIN_BYTES", 1000)
    text = "".join(f'# vpc {i}\nresource "huaweicloud_vpc" "v{i}" {{\n  cidr = "10.{i}.0.0/16"\n}}\n\n' for i in range(200))
    (tmp_path / "main.tf").write_text(text + "locals {\n  last = 1\n}")  # no newline at the end
    sources = SourceSet()
    parallel.preparse([str(tmp_path)], sources, jobs=2)
    primed = sources._parsed.get(str(tmp_path / "main.tf"))
    if primed is None:
        pytest.skip("no worker processes here")
    monkeypatch.setattr(hcl_syntax, "CHUNK_CHARS", 10 ** 9)
    assert primed == hcl_syntax.parse_hcl(text + "locals {\n  last = 1\n}", str(tmp_path / "main.tf"))
