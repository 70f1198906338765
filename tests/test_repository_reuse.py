"""What one run of a repository shares between its roots, and what it must not: files of the same
text parsed once but reported at their own paths, real paths remembered for one run only, and the
callers of a changed module found wherever in a root its call is written."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES

from vpcep_lint.cli import main

BAD = FIXTURES / "VPCEP006" / "bad" / "endpoint-explicit-region" / "main.tf"
SVC = FIXTURES / "layout" / "repo" / "modules" / "svc"


def findings(*args: str) -> list[tuple[str, str, str]]:
    result = CliRunner().invoke(main, ["-f", "json", *args], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return sorted((f["rule_id"], f["file"], f["source"]) for f in json.loads(result.stdout)["findings"])


@pytest.mark.parametrize("cache", ["--no-cache", "warm"])
def test_roots_holding_the_same_file_each_report_it_at_its_own_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    (tmp_path / ".git").mkdir()
    for name in ("east", "west", "north", "south"):
        (tmp_path / name).mkdir()
        shutil.copy(BAD, tmp_path / name / "main.tf")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VPCEP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    args = ["."] if cache == "warm" else [".", "--no-cache"]
    if cache == "warm":
        findings(*args)  # fills the cache
    found = findings(*args)
    assert found == [("VPCEP006", f"{n}/main.tf", n) for n in ("east", "north", "south", "west")]


def test_a_link_changed_between_two_runs_of_one_process_is_followed_anew(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "bad").mkdir()
    shutil.copy(BAD, tmp_path / "bad" / "main.tf")
    (tmp_path / "good").mkdir()
    (tmp_path / "good" / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  cidr = "10.0.0.0/16"\n}\n')
    os.symlink("bad", tmp_path / "current")
    monkeypatch.chdir(tmp_path)
    assert findings("current", "--no-cache") == [("VPCEP006", "current/main.tf", "current")]
    os.unlink(tmp_path / "current")
    os.symlink("good", tmp_path / "current")
    assert findings("current", "--no-cache") == []


def test_the_hook_finds_a_call_in_any_file_of_a_root_and_through_a_wrapper(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".git").mkdir()
    shutil.copytree(SVC, tmp_path / "modules" / "svc")
    wrapper = tmp_path / "modules" / "wrap"
    wrapper.mkdir()
    (wrapper / "variables.tf").write_text('variable "acl_source_cidr" {\n  type = string\n}\n')
    (wrapper / "svc.tf").write_text('module "svc" {\n  source = "../svc"\n  name = "w"\n  vpc_cidr = "10.9.0.0/16"\n'
                                    '  endpoint_cidr = var.acl_source_cidr\n}\n')
    direct = tmp_path / "roots" / "direct"
    direct.mkdir(parents=True)
    (direct / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  cidr = "10.1.0.0/16"\n}\n')
    (direct / "calls.tf").write_text('module "svc" {\n  source = "../../modules/svc"\n  name = "d"\n'
                                     '  vpc_cidr = "10.1.0.0/16"\n  endpoint_cidr = "198.19.128.0/17"\n}\n')
    wrapped = tmp_path / "roots" / "wrapped"
    wrapped.mkdir()
    (wrapped / "main.tf").write_text('module "w" {\n  source\t=\t"../../modules/wrap"\n'
                                     '  acl_source_cidr = "198.19.128.0/18"\n}\n')
    mentions = tmp_path / "roots" / "mentions"
    mentions.mkdir()
    (mentions / "main.tf").write_text('# the svc module source = "../../modules/svc" is not called here\n'
                                      'resource "huaweicloud_vpc" "x" {\n  cidr = "10.2.0.0/16"\n}\n')
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["-f", "json", "modules/svc/main.tf", "--no-cache"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    assert [i["path"] for i in json.loads(result.stdout)["inputs"]] == ["roots/direct", "roots/wrapped"]
