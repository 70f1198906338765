"""Repositories as they are laid out: several roots below a directory, shared local modules, modules
downloaded by `terraform init`, trees in and out of a git work tree, and the pre-commit case of a
change to a shared module. The layout is `fixtures/layout/repo`:

    infra/prod      calls ../../modules/svc with the whole endpoint range          (clean)
    infra/staging   calls ../../modules/svc with one /18 of it (terraform.tfvars)  (VPCEP001 in modules/svc)
    infra/edge      calls a registry module, downloaded into .terraform/modules/net, which calls a
                    local module (net.peering) and a git module (net.routes)        (VPCEP005)
    modules/svc     the shared module
    modules/unused  called by nobody: linted on its own
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from vpcep_lint.cli import main
from vpcep_lint.loaders.plan import _schema

LAYOUT = FIXTURES / "layout" / "repo"
SVC_FINDING = ("VPCEP001", "module.svc.huaweicloud_networking_secgroup.app", "modules/svc/main.tf", 40, "infra/staging")
EDGE_FINDING = ("VPCEP005", "module.net.module.peering.huaweicloud_vpc_peering_connection.this",
                "infra/edge/.terraform/modules/net/modules/peering/main.tf", 4, "infra/edge")


@pytest.fixture(params=["git", "no-git"])
def repo(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The layout copied into a temporary directory, as a git work tree or as a plain tree (a
    tarball, a Terraform Cloud upload); the working directory is its top."""
    root = tmp_path / "repo"
    shutil.copytree(LAYOUT, root, symlinks=True)
    if request.param == "git":
        (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(LAYOUT, root, symlinks=True)
    (root / ".git").mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def plain_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The layout as a plain tree with no git work tree anywhere above it."""
    root = tmp_path / "repo"
    shutil.copytree(LAYOUT, root, symlinks=True)
    monkeypatch.chdir(root)
    return root


def invoke(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def report(*args: str) -> dict:
    result = invoke("-f", "json", *args)
    assert result.exit_code in (0, 1), (result.exit_code, result.stderr)
    doc = json.loads(result.stdout)
    jsonschema.Draft7Validator(_schema("report.schema.json")).validate(doc)
    return doc


def found(doc: dict) -> list[tuple]:
    return [(f["rule_id"], f["resource"], f["file"], f["line"], f["source"]) for f in doc["findings"]]


# -- 1. roots are found ----------------------------------------------------------------------------

def test_the_top_of_a_repository_lints_every_root_with_its_modules(repo: Path) -> None:
    result = invoke(".")
    assert result.exit_code == 1, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "2 findings (1 error, 1 warning) in 4 roots (1 with nothing to check)"
    assert lines[1].startswith("modules/svc/main.tf:40:1: VPCEP001 error: 198.19.192.0/18 to tcp/8080 is not allowed")
    assert lines[1].endswith("[module.svc.huaweicloud_networking_secgroup.app via infra/staging]")
    doc = report(".")
    assert found(doc) == [EDGE_FINDING, SVC_FINDING]
    assert [(i["path"], i["kind"]) for i in doc["inputs"]] == [
        ("infra/edge", "hcl"), ("infra/prod", "hcl"), ("infra/staging", "hcl"), ("modules/unused", "hcl")]
    assert doc["not_checked"] == []


def test_a_module_called_by_two_roots_gives_one_finding_per_root(repo: Path) -> None:
    (repo / "infra" / "prod" / "main.tf").write_text(
        (repo / "infra" / "prod" / "main.tf").read_text().replace('"198.19.128.0/17"', '"198.19.128.0/18"'))
    doc = report("infra")
    svc = [(f[0], f[2], f[4]) for f in found(doc) if f[0] == "VPCEP001"]
    assert svc == [("VPCEP001", "modules/svc/main.tf", "infra/prod"), ("VPCEP001", "modules/svc/main.tf", "infra/staging")]
    assert len({f["fingerprint"] for f in doc["findings"] if f["rule_id"] == "VPCEP001"}) == 1  # one alert, two instances


def test_hidden_terraform_and_excluded_directories_are_not_roots(git_repo: Path) -> None:
    for hidden in (".github/infra", "node_modules/x", "infra/prod/.terraform/providers"):
        (git_repo / hidden).mkdir(parents=True)
        (git_repo / hidden / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  cidr = "10.0.0.0/8"\n}\n')
    (git_repo / ".vpcep-lint.toml").write_text('exclude = ["infra/edge"]\n')
    doc = report(".")
    assert [i["path"] for i in doc["inputs"]] == ["infra/prod", "infra/staging", "modules/unused"]
    text = invoke(".")
    assert text.stdout.splitlines()[-1] == (
        "1 finding (1 error) in 3 roots (1 with nothing to check); the configuration .vpcep-lint.toml excludes 1 path")


def test_modules_that_only_call_each_other_are_still_linted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for me, other in (("a", "b"), ("b", "a")):
        (tmp_path / me).mkdir()
        (tmp_path / me / "main.tf").write_text(f'module "{other}" {{\n  source = "../{other}"\n}}\n')
    monkeypatch.chdir(tmp_path)
    result = invoke(".")
    assert result.exit_code == 2
    assert "module cycle" in result.stderr


# -- 3. modules wherever Terraform finds them ------------------------------------------------------

def test_registry_and_git_modules_are_read_from_the_init_manifest(repo: Path) -> None:
    doc = report("infra/edge")
    # net.routes (a git module) adds the requester's route: only the accepter side is missing
    assert found(doc) == [EDGE_FINDING]
    assert "accepter VPC module.net.huaweicloud_vpc.core has no route" in doc["findings"][0]["message"]


def test_a_module_not_downloaded_is_counted_as_not_checked(repo: Path) -> None:
    shutil.rmtree(repo / "infra" / "edge" / ".terraform")
    result = invoke("infra/edge")
    assert result.exit_code == 0
    assert result.stdout == ("nothing checked in 1 root: no VPC endpoint service, endpoint or peering in its resources; "
                             "1 module not followed: --show-unknown lists them\n")
    doc = report("infra/edge")
    assert doc["not_checked"] == [{
        "kind": "module", "what": "module 'net' (source 'app.terraform.io/org/net/huaweicloud')",
        "why": "not local and not downloaded (run terraform init to lint it); not followed",
        "file": "infra/edge/main.tf", "line": 12, "resource": None, "source": "infra/edge"}]
    assert invoke("--fail-on-unknown", "infra/edge").exit_code == 1


def test_a_stale_manifest_entry_is_not_followed(repo: Path) -> None:
    main_tf = repo / "infra" / "edge" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace("app.terraform.io/org/net/huaweicloud", "app.terraform.io/org/net2/huaweicloud"))
    doc = report("infra/edge")
    assert found(doc) == []
    assert [u["why"] for u in doc["not_checked"]] == [
        "not downloaded: not in .terraform/modules/modules.json (run terraform init); not followed"]


def test_a_broken_manifest_is_an_input_error_and_the_other_roots_are_linted(repo: Path) -> None:
    (repo / "infra" / "edge" / ".terraform" / "modules" / "modules.json").write_text('{"Modules": [')
    result = invoke(".")
    assert result.exit_code == 2
    assert result.stderr.startswith("vpcep-lint: error: infra/edge/.terraform/modules/modules.json: invalid module manifest")
    assert result.stderr.count("\n") == 1
    assert "modules/svc/main.tf:40:1: VPCEP001" in result.stdout


def test_a_manifest_directory_outside_the_boundary_is_not_read(git_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    shutil.copytree(git_repo / "infra" / "edge" / ".terraform" / "modules" / "net", outside)
    net = git_repo / "infra" / "edge" / ".terraform" / "modules" / "net"
    shutil.rmtree(net)
    net.symlink_to(outside, target_is_directory=True)
    doc = report("infra/edge")
    assert found(doc) == []
    assert [(u["kind"], u["what"]) for u in doc["not_checked"]] == [
        ("module", "module 'net' (source 'app.terraform.io/org/net/huaweicloud')")]
    assert "outside the git work tree" in doc["not_checked"][0]["why"]


def test_local_modules_outside_a_git_work_tree_are_a_visible_note(git_repo: Path) -> None:
    (git_repo / "infra" / "staging" / ".git").mkdir()  # staging is a work tree of its own
    result = invoke("infra/staging")
    assert result.exit_code == 0
    assert result.stdout.endswith("; 1 module not followed: --show-unknown lists them\n")
    told = invoke("--show-unknown", "infra/staging")
    assert "module 'svc' (source '../../modules/svc'): outside the git work tree" in told.stderr
    sarif = json.loads(invoke("-f", "sarif", "infra/staging").stdout)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["note"]
    assert notes[0]["message"]["text"].startswith("not checked: module 'svc' (source '../../modules/svc'): outside the git work tree")


def test_without_a_work_tree_local_modules_are_followed_and_root_bounds_them(plain_repo: Path) -> None:
    assert found(report("infra/staging")) == [SVC_FINDING]
    narrowed = report("--root", "infra", "infra/staging")
    assert found(narrowed) == []
    assert "outside the --root directory" in narrowed["not_checked"][0]["why"]


# -- 4. the hook checks what a change breaks -------------------------------------------------------

def test_a_change_to_a_shared_module_lints_the_roots_that_call_it(repo: Path) -> None:
    result = invoke("modules/svc/main.tf")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == "1 finding (1 error) in 2 roots"
    doc = report("modules/svc/main.tf")
    assert [i["path"] for i in doc["inputs"]] == ["infra/prod", "infra/staging"]
    assert found(doc) == [SVC_FINDING]


def test_narrowing_the_shared_rule_makes_the_hook_fail(repo: Path) -> None:
    tfvars = repo / "infra" / "staging" / "terraform.tfvars"
    tfvars.write_text('endpoint_cidr = "198.19.128.0/17"\n')
    assert invoke("modules/svc/main.tf").exit_code == 0
    module = repo / "modules" / "svc" / "main.tf"
    module.write_text(module.read_text().replace("ports             = tostring(var.service_port)", 'ports             = "8081"'))
    result = invoke("modules/svc/main.tf")
    assert result.exit_code == 1
    assert [line.split(": ")[0] for line in result.stdout.splitlines()[:-1]] == ["modules/svc/main.tf:40:1"] * 2


def test_the_hook_reports_only_the_files_given(repo: Path) -> None:
    # the staging root is reached through the module, but its own files were not changed
    doc = report("infra/staging/main.tf")
    assert found(doc) == []


def test_the_hook_lints_only_the_roots_that_reach_the_changed_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(LAYOUT / "modules", tmp_path / "modules")
    (tmp_path / ".git").mkdir()
    for i in range(50):
        d = tmp_path / "roots" / f"r{i:02}"
        d.mkdir(parents=True)
        if i % 10 == 0:  # 5 of 50 call the module; one mentions it only in a comment
            d.joinpath("main.tf").write_text(
                f'module "svc" {{\n  source = "../../modules/svc"\n  name = "r{i}"\n  vpc_cidr = "10.{i}.0.0/16"\n'
                f'  endpoint_cidr = "198.19.128.0/17"\n}}\n')
        elif i == 1:
            d.joinpath("main.tf").write_text('# source = "../../modules/svc"\nresource "huaweicloud_vpc" "x" {\n  cidr = "10.1.0.0/16"\n}\n')
        else:
            d.joinpath("main.tf").write_text(f'resource "huaweicloud_vpc" "x" {{\n  cidr = "10.{i}.0.0/16"\n}}\n')
    monkeypatch.chdir(tmp_path)
    doc = report("modules/svc/main.tf")
    assert [i["path"] for i in doc["inputs"]] == [f"roots/r{i:02}" for i in range(0, 50, 10)]


# -- 5. never silent -------------------------------------------------------------------------------

def test_a_run_that_checked_nothing_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  cidr = "10.0.0.0/16"\n}\n')
    monkeypatch.chdir(tmp_path)
    result = invoke(".")
    assert result.exit_code == 0
    assert result.stdout == "nothing checked in 1 root: no VPC endpoint service, endpoint or peering in its resources\n"


def test_unknown_values_are_counted_without_a_flag(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "backend_port_id" {}\n\n'
        'resource "huaweicloud_vpcep_service" "api" {\n  name = "api"\n  vpc_id = "vpc-1"\n  server_type = "VM"\n'
        '  port_id = var.backend_port_id\n\n  port_mapping {\n    service_port = 8080\n    terminal_port = 80\n  }\n}\n')
    monkeypatch.chdir(tmp_path)
    doc = report(".")
    assert found(doc) == []
    assert [(u["kind"], u["what"], u["file"], u["line"], u["resource"]) for u in doc["not_checked"]] == [
        ("value", "the backend or its ports", "main.tf", 7, "huaweicloud_vpcep_service.api")]
    assert doc["summary"]["not_checked"] == 1
    result = invoke(".")
    assert result.exit_code == 0
    assert result.stdout == "no findings in 1 root; 1 value unknown: --show-unknown lists them\n"
    told = invoke("--show-unknown", ".")
    assert told.stderr == ("vpcep-lint: note: main.tf:7: the backend or its ports: "
                           "not known statically; VPCEP001, VPCEP002 not checked [huaweicloud_vpcep_service.api]\n")


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_real_git_work_tree_keeps_the_boundary_at_its_top(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "repo"
    shutil.copytree(LAYOUT, root)
    subprocess.run(["git", "init", "-q", str(root / "infra")], check=True)
    monkeypatch.chdir(root / "infra")
    doc = report(".")
    assert found(doc) == [(EDGE_FINDING[0], EDGE_FINDING[1], "edge/.terraform/modules/net/modules/peering/main.tf", 4, "edge")]
    assert {u["what"] for u in doc["not_checked"]} == {"module 'svc' (source '../../modules/svc')"}
    assert os.path.isdir(root / "infra" / ".git")


def test_the_readme_shows_what_the_repository_example_prints(monkeypatch: pytest.MonkeyPatch) -> None:
    readme = (FIXTURES.parent / "README.md").read_text()
    block = readme.split("$ cd fixtures/layout/repo && vpcep-lint .\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(LAYOUT)
    result = invoke(".")
    assert result.exit_code == 1
    assert result.stdout == block
