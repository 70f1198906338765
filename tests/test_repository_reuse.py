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


@pytest.mark.parametrize("cache", ["--no-cache", "warm", "parse workers"])
def test_roots_holding_the_same_file_each_report_it_at_its_own_path(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cache: str) -> None:
    if cache == "parse workers":
        from vpcep_lint.loaders import parallel

        monkeypatch.setattr(parallel, "MIN_BYTES", 0)  # the tree parsed in worker processes, one text once
        monkeypatch.setattr(parallel, "_workers", lambda: 2)
    (tmp_path / ".git").mkdir()
    for name in ("east", "west", "north", "south"):
        (tmp_path / name).mkdir()
        shutil.copy(BAD, tmp_path / name / "main.tf")
        (tmp_path / name / "about.tf").write_text(f"# the {name} root\n")  # a text of its own
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


# -- the callers scan kept between runs (scan_cache) -------------------------------------------------

def _hook_repo(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    shutil.copytree(SVC, tmp_path / "modules" / "svc")
    for i in range(6):
        d = tmp_path / "roots" / f"r{i}"
        d.mkdir(parents=True)
        call = f'module "svc" {{\n  source = "../../modules/svc"\n  name = "r{i}"\n}}\n'
        other = f'# no call here: r{i}\n'
        d.joinpath("main.tf").write_text(call if i % 2 == 0 else other + " " * (len(call) - len(other)))
        d.joinpath("variables.tf").write_text('variable "x" {\n  default = 1\n}\n')
    return tmp_path


def _hook_inputs() -> list[str]:
    result = CliRunner().invoke(main, ["-f", "json", "modules/svc/main.tf"], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.stderr
    return [i["path"] for i in json.loads(result.stdout)["inputs"]]


def _scan_entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("s-*.json"))


@pytest.fixture
def hook_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    from vpcep_lint import scan_cache

    monkeypatch.setattr(scan_cache, "RACY_SECONDS", 0.0)  # keep files written just now (see the last test)
    repo = _hook_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("VPCEP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    return repo, tmp_path / "cache"


def test_the_kept_scan_gives_the_same_callers_and_follows_a_changed_file(
        hook_repo: tuple[Path, Path]) -> None:
    import time

    repo, cache = hook_repo
    first = _hook_inputs()
    assert first == ["roots/r0", "roots/r2", "roots/r4"]
    assert len(_scan_entries(cache)) == 1
    assert _hook_inputs() == first  # from the kept scan
    time.sleep(0.05)  # past the clock tick of the first write: the change moves the file's times
    r0, r1 = repo / "roots" / "r0" / "main.tf", repo / "roots" / "r1" / "main.tf"
    text0, text1 = r0.read_text(), r1.read_text()
    assert len(text0) == len(text1)  # same size: only the times tell the change
    r0.write_text(text1.replace("r1", "r0"))
    r1.write_text(text0.replace("r0", "r1"))
    assert _hook_inputs() == ["roots/r1", "roots/r2", "roots/r4"]


@pytest.mark.parametrize("forged", [
    b"garbage",
    b"vpcep-lint-scan-1 0000 0000\n[]",
    b"\x80\x04\x95\x10\x00\x00\x00\x00\x00\x00\x00\x8c\x02os\x94\x8c\x06system\x94\x93\x94.",  # a pickle
    "header with the right key, a body that is not a scan",
])
def test_a_damaged_or_forged_scan_entry_is_a_miss(hook_repo: tuple[Path, Path], forged: object) -> None:
    import hashlib

    _, cache = hook_repo
    assert _hook_inputs() == ["roots/r0", "roots/r2", "roots/r4"]
    (entry,) = _scan_entries(cache)
    if isinstance(forged, str):  # a well-formed header for another shape: every record claims r1 calls nothing
        key = entry.read_bytes().split(b" ")[1]
        body = json.dumps({"files": {}}).encode()
        forged = b"vpcep-lint-scan-1 " + key + b" " + hashlib.sha256(body).hexdigest().encode() + b"\n" + body
    assert isinstance(forged, bytes)
    entry.write_bytes(forged)
    assert _hook_inputs() == ["roots/r0", "roots/r2", "roots/r4"]
    assert entry.read_bytes() != forged  # rewritten


def test_files_written_just_before_a_run_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from vpcep_lint.scan_cache import decode_scan

    repo = _hook_repo(tmp_path / "repo")
    monkeypatch.chdir(repo)
    monkeypatch.setenv("VPCEP_LINT_CACHE_DIR", str(tmp_path / "cache"))
    assert _hook_inputs() == ["roots/r0", "roots/r2", "roots/r4"]
    for entry in _scan_entries(tmp_path / "cache"):  # nothing kept, or nothing about these files
        key = entry.read_bytes().split(b" ")[1].decode()
        records = decode_scan(entry.read_bytes(), key, os.path.realpath(repo))
        assert records is not None and not any(p.startswith(os.path.realpath(repo)) for p in records)
