"""Integrations: the pre-commit hooks (`.pre-commit-hooks.yaml`) and the file-list mode they rely on
(the GitHub Action is tested in test_action.py).

The slow tests run real pre-commit (`pre-commit run`, with the `.pre-commit-config.yaml` of
docs/workflow.md) against a copy of this working tree, committed into a temporary git repository
(pre-commit clones the hook repository, so it only sees committed files). The hook's virtual
environment is built with pip once for all of them (it needs PyPI) and reused, as on a developer's
machine.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from vpcep_lint.cli import main

BROKEN = FIXTURES / "examples" / "broken-endpoint"
GOOD = FIXTURES / "workflow" / "good-endpoint"


def manifest() -> list[dict[str, Any]]:
    yaml = pytest.importorskip("yaml", reason="PyYAML is not installed (it comes with pre-commit)")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert isinstance(hooks, list)
    return hooks


def hook(hook_id: str) -> dict[str, Any]:
    found = [h for h in manifest() if h["id"] == hook_id]
    assert len(found) == 1, f"hook {hook_id} defined {len(found)} times"
    return found[0]


def selected(h: dict[str, Any], path: str) -> bool:
    """pre-commit's own file selection: `files` and `exclude` are Python regexes searched in the path."""
    return bool(re.search(h.get("files", ""), path)) and not re.search(h.get("exclude", "^$"), path)


# -- the manifest --------------------------------------------------------------------------------

def test_manifest_is_valid_for_pre_commit() -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    from pre_commit.clientlib import load_manifest

    hooks = load_manifest(str(ROOT / ".pre-commit-hooks.yaml"))
    assert [h["id"] for h in hooks] == ["vpcep-lint", "vpcep-lint-plan"]


def test_source_hook_runs_the_installed_command_once_on_terraform_files() -> None:
    h = hook("vpcep-lint")
    assert h["entry"] == "vpcep-lint" and h["language"] == "python"
    assert h["require_serial"] is True  # one process sees every file, so directories are grouped once
    assert "stages" not in h  # runs at commit time
    for path in ("main.tf", "envs/prod/vpcep.tf", "modules/net/main.tf.json", "envs/prod/terraform.tfvars"):
        assert selected(h, path), path
    for path in ("main.tf.bak", "README.md", "plan.json", "x.tfstate", ".terraform/modules/net/main.tf",
                 "envs/prod/.terraform/modules/net/main.tf", "terraform.tfvars.json.orig"):
        assert not selected(h, path), path


def test_plan_hook_is_manual_and_takes_json_but_not_terraform_json() -> None:
    h = hook("vpcep-lint-plan")
    assert h["entry"] == "vpcep-lint" and h["language"] == "python"
    assert h["stages"] == ["manual"]
    assert selected(h, "plans/prod.json") and selected(h, "tfplan.json")
    assert not selected(h, "main.tf.json") and not selected(h, ".terraform/x/plan.json") and not selected(h, "main.tf")


# -- file-list mode: what pre-commit passes ------------------------------------------------------

@pytest.fixture
def split_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The broken example as two files: the security group (VPCEP001 lands there) and the rest."""
    source = (BROKEN / "main.tf").read_text()
    start = source.index("# Trusts the VPC")
    end = source.index('resource "huaweicloud_compute_instance"')
    d = tmp_path / "infra"
    d.mkdir()
    (d / "sg.tf").write_text(source[start:end])
    (d / "main.tf").write_text(source[:start] + source[end:])
    monkeypatch.chdir(tmp_path)
    return d


def lint(*args: str) -> tuple[int, list[str]]:
    result = CliRunner().invoke(main, ["--no-cache", *args])
    return result.exit_code, result.stdout.splitlines()


def rule_files(lines: list[str]) -> list[str]:
    return sorted(" ".join(line.split()[:2]) for line in lines if ": VPCEP" in line)


def test_files_given_load_their_whole_directory_but_show_only_their_own_findings(split_module: Path) -> None:
    code, out = lint("infra/sg.tf")
    # the service and the server are in main.tf: without them VPCEP001 could not be found at all
    assert code == 1 and rule_files(out) == ["infra/sg.tf:2:1: VPCEP001"]
    code, out = lint("infra/main.tf")
    assert code == 1 and rule_files(out) == ["infra/main.tf:40:1: VPCEP002"]
    code, out = lint("infra/main.tf", "infra/sg.tf")
    assert code == 1 and rule_files(out) == ["infra/main.tf:40:1: VPCEP002", "infra/sg.tf:2:1: VPCEP001"]


def test_all_in_dir_shows_the_findings_of_the_whole_directory(split_module: Path) -> None:
    code, out = lint("--all-in-dir", "infra/main.tf")
    assert code == 1 and rule_files(out) == ["infra/main.tf:40:1: VPCEP002", "infra/sg.tf:2:1: VPCEP001"]


def test_a_tfvars_file_makes_its_directory_count_whole(split_module: Path) -> None:
    (split_module / "terraform.tfvars").write_text("# no variables\n")
    code, out = lint("infra/terraform.tfvars")
    assert code == 1 and rule_files(out) == ["infra/main.tf:40:1: VPCEP002", "infra/sg.tf:2:1: VPCEP001"]


def test_files_of_one_directory_are_one_input(split_module: Path) -> None:
    code, out = lint("infra/main.tf", "infra/sg.tf")
    assert out[-1] == "2 findings (2 errors) in 1 root"


# -- the real thing ------------------------------------------------------------------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "vpcep-lint tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "vpcep-lint tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(cwd: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull}
    result = subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                            cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)} failed:\n{result.stdout}{result.stderr}"
    return result.stdout


def working_tree_files() -> list[str]:
    """Tracked and new files of this checkout, as `git status` sees them (ignored files left out)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing for pre-commit try-repo to clone")
    listed = git(ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard").split("\0")
    return sorted(p for p in listed if p and (ROOT / p).is_file())


def commit_copy_of_working_tree(dest: Path) -> None:
    for rel in working_tree_files():
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, target)
    git(dest, "init", "-q")
    git(dest, "add", "-A")
    git(dest, "commit", "-q", "-m", "working tree of vpcep-lint, for pre-commit try-repo")


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed: pip install pre-commit (in the test extra)")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path_factory.mktemp("hook-repo")
    commit_copy_of_working_tree(repo)
    return repo


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


def docs_hook_config(hook_repo: Path) -> str:
    """The `.pre-commit-config.yaml` snippet of docs/workflow.md, pointed at the local copy."""
    text = (ROOT / "docs" / "workflow.md").read_text()
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "repo: https://github.com/vpcep-lint/vpcep-lint" in b]
    assert blocks, "docs/workflow.md has no .pre-commit-config.yaml snippet"
    rev = git(hook_repo, "rev-parse", "HEAD").strip()
    config = blocks[0].replace("https://github.com/vpcep-lint/vpcep-lint", str(hook_repo))
    return re.sub(r"rev: \S+", f"rev: {rev}", config)


def pre_commit_run(hook_repo: Path, home: Path, user_repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pre-commit run` with the documented config: the hook environment is built once per module."""
    (user_repo / ".pre-commit-config.yaml").write_text(docs_hook_config(hook_repo))
    git(user_repo, "add", ".pre-commit-config.yaml")
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": os.devnull, "PRE_COMMIT_HOME": str(home),
           "PIP_DISABLE_PIP_VERSION_CHECK": "1", "NO_COLOR": "1", "TERM": "dumb"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", *args, "--color", "never"],
                          cwd=user_repo, env=env, capture_output=True, text=True, timeout=1200, check=False)


@pytest.mark.slow
def test_pre_commit_hook_fails_on_a_broken_module_and_passes_a_good_one(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    user = tmp_path / "user-repo"
    (user / "infra").mkdir(parents=True)
    shutil.copy(BROKEN / "main.tf", user / "infra" / "main.tf")
    git(user, "init", "-q")
    git(user, "add", "-A")

    bad = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--all-files")
    output = bad.stdout + bad.stderr
    assert bad.returncode == 1, output
    assert "infra/main.tf:28:1: VPCEP001 error" in output
    assert "infra/main.tf:64:1: VPCEP002 error" in output
    assert "2 findings (2 errors) in 1 root" in output

    shutil.copy(GOOD / "main.tf", user / "infra" / "main.tf")
    # what pre-commit never passes: Terraform's module cache
    (user / ".terraform" / "modules" / "old").mkdir(parents=True)
    shutil.copy(BROKEN / "main.tf", user / ".terraform" / "modules" / "old" / "main.tf")
    git(user, "add", "-A", "-f")
    good = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout


@pytest.mark.slow
def test_pre_commit_hook_on_a_shared_module_checks_the_roots_that_call_it(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    user = tmp_path / "layout"
    shutil.copytree(FIXTURES / "layout" / "repo", user)
    (user / "infra" / "staging" / "terraform.tfvars").write_text('endpoint_cidr = "198.19.128.0/17"\n')
    git(user, "init", "-q")
    git(user, "add", "-A", "-f")
    clean = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--files", "modules/svc/main.tf")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    module = user / "modules" / "svc" / "main.tf"
    module.write_text(module.read_text().replace("ports             = tostring(var.service_port)", 'ports             = "8081"'))
    git(user, "add", "-A")
    narrowed = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--files", "modules/svc/main.tf")
    output = narrowed.stdout + narrowed.stderr
    assert narrowed.returncode == 1, output
    assert "modules/svc/main.tf:40:1: VPCEP001 error" in output
    assert "via infra/prod]" in output and "via infra/staging]" in output


@pytest.mark.slow
def test_documented_config_lints_only_what_is_staged(hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    user = tmp_path / "user-repo"
    (user / "infra").mkdir(parents=True)
    source = (BROKEN / "main.tf").read_text()
    start, end = source.index("# Trusts the VPC"), source.index('resource "huaweicloud_compute_instance"')
    (user / "infra" / "sg.tf").write_text(source[start:end])
    (user / "infra" / "main.tf").write_text(source[:start] + source[end:])
    git(user, "init", "-q")
    git(user, "add", "-A")
    git(user, "commit", "-q", "--no-verify", "-m", "broken module in two files")

    with (user / "infra" / "main.tf").open("a") as fh:
        fh.write("\n# a comment, to have something to commit\n")
    git(user, "add", "infra/main.tf")
    result = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint")
    output = result.stdout + result.stderr
    # sg.tf was read (VPCEP002 needs the server it defines), but only main.tf was staged
    assert result.returncode == 1, output
    assert "infra/main.tf:40:1: VPCEP002 error" in output and "VPCEP001" not in output

    all_files = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--all-files")
    assert all_files.returncode == 1
    assert "infra/sg.tf:2:1: VPCEP001 error" in all_files.stdout and "VPCEP002" in all_files.stdout


@pytest.mark.slow
def test_pre_commit_honours_the_config_exclude_for_the_files_it_passes(
    hook_repo: Path, pre_commit_home: Path, tmp_path: Path
) -> None:
    user = tmp_path / "user-repo"
    (user / "legacy").mkdir(parents=True)
    (user / "infra").mkdir()
    shutil.copy(BROKEN / "main.tf", user / "legacy" / "main.tf")
    shutil.copy(GOOD / "main.tf", user / "infra" / "main.tf")
    git(user, "init", "-q")
    git(user, "add", "-A")
    result = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--all-files")
    assert result.returncode == 1 and "legacy/main.tf:28:1: VPCEP001" in result.stdout, result.stdout + result.stderr

    (user / ".vpcep-lint.toml").write_text('exclude = ["legacy/"]\n')
    git(user, "add", "-A")
    result = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint", "--all-files")
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_plan_hook_runs_in_the_manual_stage(hook_repo: Path, pre_commit_home: Path, tmp_path: Path) -> None:
    user = tmp_path / "user-repo"
    (user / "plans").mkdir(parents=True)
    shutil.copy(BROKEN / "plan.json", user / "plans" / "orders.json")
    git(user, "init", "-q")
    git(user, "add", "-A")
    at_commit = pre_commit_run(hook_repo, pre_commit_home, user, "--all-files")
    assert at_commit.returncode == 0, at_commit.stdout + at_commit.stderr  # the plan hook is not a commit hook
    manual = pre_commit_run(hook_repo, pre_commit_home, user, "vpcep-lint-plan", "--all-files", "--hook-stage", "manual")
    output = manual.stdout + manual.stderr
    assert manual.returncode == 1, output
    assert "plans/orders.json: VPCEP001 error" in output
