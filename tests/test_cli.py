"""The command line: every input kind, the output formats, exit codes, and rule isolation."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from vpcep_lint import __version__
from vpcep_lint.cli import main
from vpcep_lint.loaders.plan import _schema

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
EXPECTED = [("VPCEP001", "huaweicloud_networking_secgroup.app", 28), ("VPCEP002", "huaweicloud_vpc_network_acl.app", 64)]


def run(*args: str, input: bytes | None = None, cwd: Path = EXAMPLE):
    runner = CliRunner()

    old = os.getcwd()
    os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False)
    finally:
        os.chdir(old)


def found(result) -> list[tuple[str, str, int | None]]:
    report = json.loads(result.stdout)
    jsonschema.Draft7Validator(_schema("report.schema.json")).validate(report)
    return [(f["rule_id"], f["resource"], f["line"]) for f in report["findings"]]


@pytest.mark.parametrize("target", [".", "main.tf", "plan.json", "state.json", "plan-existing.json"])
def test_every_input_kind_finds_the_example_mistakes(target: str) -> None:
    result = run(target, "-f", "json")
    assert result.exit_code == 1, result.stderr
    assert found(result) == EXPECTED


def test_plan_on_stdin_gives_the_findings_by_address() -> None:
    result = run("-", "-f", "json", input=(EXAMPLE / "plan.json").read_bytes())
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [(f["rule_id"], f["resource"]) for f in report["findings"]] == [(r, a) for r, a, _ in EXPECTED]
    assert report["inputs"] == [{"path": "<stdin>", "kind": "plan", "resources": 11, "subjects": 2}]


def test_plan_without_its_source_names_addresses_and_source_dir_restores_lines(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "plan.json", tmp_path / "plan.json")
    result = run(str(tmp_path / "plan.json"), "-f", "json", cwd=tmp_path)
    assert [(r, a, line) for r, a, line in found(result)] == [(r, a, None) for r, a, _ in EXPECTED]
    result = run(str(tmp_path / "plan.json"), "--source-dir", str(EXAMPLE), "-f", "json", cwd=tmp_path)
    assert found(result) == EXPECTED


def test_text_output_is_compiler_style_with_a_summary() -> None:
    result = run(".")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("main.tf:28:1: VPCEP001 error: 198.19.128.0/17 to tcp/8080 is not allowed")
    assert lines[0].endswith("[huaweicloud_networking_secgroup.app]")
    assert lines[1].startswith("main.tf:64:1: VPCEP002 error: ")
    assert lines[-1] == "2 findings (2 errors) in 1 root"
    assert "\x1b[" not in result.stdout  # no colour when not a terminal


def test_plan_finding_without_source_is_located_by_input(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE / "plan.json", tmp_path / "p.json")
    result = run("p.json", cwd=tmp_path)
    assert result.stdout.splitlines()[0].startswith("p.json: VPCEP001 error: ")


def test_clean_configuration_exits_zero() -> None:
    good = FIXTURES / "VPCEP001" / "good" / "exact-endpoint-cidr"
    result = run(".", cwd=good)
    assert result.exit_code == 0
    assert result.stdout == "no findings in 1 root\n"


def test_output_file_is_written_even_with_findings(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = run(".", "-f", "json", "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert [f["rule_id"] for f in json.loads(out.read_text())["findings"]] == ["VPCEP001", "VPCEP002"]


@pytest.mark.parametrize(
    "args,code",
    [
        pytest.param(["--select", "VPCEP002"], 1, id="select-one"),
        pytest.param(["--ignore", "VPCEP001,VPCEP002"], 0, id="ignore-both"),
        pytest.param(["--exit-zero"], 0, id="exit-zero"),
        pytest.param(["--fail-on", "error"], 1, id="fail-on-error"),
        pytest.param(["--select", "NOPE001"], 2, id="unknown-rule"),
        pytest.param(["--format", "xml"], 2, id="unknown-format"),
    ],
)
def test_exit_codes(args: list[str], code: int) -> None:
    assert run(".", *args).exit_code == code


def test_version_and_no_path() -> None:
    assert run("--version").stdout == f"vpcep-lint {__version__}\n"
    result = run()
    assert result.exit_code == 2 and "no PATH given" in result.stderr


def test_bad_input_is_reported_and_the_other_inputs_still_linted(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text('{"format_version": "1.2", ')
    result = run(str(EXAMPLE), str(tmp_path / "broken.json"), "-f", "json", cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("vpcep-lint: error: broken.json:1:")
    rules = [f[0] for f in found(result)]
    assert rules.count("VPCEP000") == 1 and "VPCEP001" in rules and "VPCEP002" in rules


def test_a_crashing_rule_does_not_hide_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    import vpcep_lint.rules.sg_admits_endpoint_cidr as mod

    def boom(self, inv):
        raise RuntimeError("rule exploded")
        yield

    monkeypatch.setattr(mod.BackendSecurityGroupAdmitsEndpointCidr, "check", boom)
    result = run(".", "-f", "json")
    assert result.exit_code == 3
    assert "rule VPCEP001 crashed on .: RuntimeError: rule exploded" in result.stderr
    assert "Traceback" not in result.stderr
    assert [f[0] for f in found(result)] == ["VPCEP002"]


MODULE_ROOT = """
module "sg" { source = "./modules/sg" }
resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = "192.168.0.0/16"
}
resource "huaweicloud_vpc_subnet" "s" {
  name       = "s"
  cidr       = "192.168.1.0/24"
  gateway_ip = "192.168.1.1"
  vpc_id     = huaweicloud_vpc.v.id
}
resource "huaweicloud_compute_instance" "web" {
  name               = "web"
  image_id           = "img"
  flavor_id          = "s6.small.1"
  security_group_ids = [module.sg.id]
  network { uuid = huaweicloud_vpc_subnet.s.id }
}
resource "huaweicloud_vpcep_service" "api" {
  vpc_id      = huaweicloud_vpc.v.id
  server_type = "VM"
  port_id     = huaweicloud_compute_instance.web.network[0].port
  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
}
"""


def test_files_given_report_their_own_findings_also_across_module_directories(tmp_path: Path) -> None:
    (tmp_path / "modules" / "sg").mkdir(parents=True)
    (tmp_path / "main.tf").write_text(MODULE_ROOT)
    (tmp_path / "modules" / "sg" / "main.tf").write_text(
        'resource "huaweicloud_networking_secgroup" "this" { name = "sg" }\n'
        'output "id" { value = huaweicloud_networking_secgroup.this.id }\n'
    )
    only_root = run("main.tf", "-f", "json", cwd=tmp_path)
    assert only_root.exit_code == 0 and found(only_root) == []
    both = run("main.tf", "modules/sg/main.tf", "-f", "json", cwd=tmp_path)
    assert found(both) == [("VPCEP001", "module.sg.huaweicloud_networking_secgroup.this", 1)]
    assert json.loads(both.stdout)["findings"][0]["file"] == "modules/sg/main.tf"


def test_show_unknown_says_what_was_not_followed(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "git::https://example.com/m.git"\n}\n')
    quiet = run(".", cwd=tmp_path)
    assert quiet.exit_code == 0 and quiet.stderr == ""
    assert quiet.stdout == ("nothing checked in 1 root: no VPC endpoint service, endpoint or peering in its resources; "
                            "1 module not followed: --show-unknown lists them\n")
    told = run(".", "--show-unknown", cwd=tmp_path)
    assert told.exit_code == 0
    assert told.stderr == ("vpcep-lint: note: main.tf:1: module 'm' (source 'git::https://example.com/m.git'): "
                           "not local and not downloaded (run terraform init to lint it); not followed\n")
