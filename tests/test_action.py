"""The GitHub Action (`action.yml`, whose lint step is `tools/action-run.sh`) and the install lines of
the docs. The lint step is run for real, as the runner runs it: `bash --noprofile --norc -eo
pipefail`, its env filled from the inputs, with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY and RUNNER_TEMP
pointing at temporary files."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import FIXTURES, ROOT

BROKEN = FIXTURES / "examples" / "broken-endpoint"
GOOD = FIXTURES / "workflow" / "good-endpoint"
INPUTS = {"paths", "args", "sarif-file", "log-format", "step-summary", "python-version"}


def action() -> dict[str, Any]:
    import yaml  # PyYAML comes with pre-commit, in the test extra

    data = yaml.safe_load((ROOT / "action.yml").read_text())
    assert isinstance(data, dict)
    return data


def lint_step(data: dict[str, Any]) -> dict[str, Any]:
    [found] = [s for s in data["runs"]["steps"] if s.get("id") == "lint"]
    return found


# -- action.yml ----------------------------------------------------------------------------------

def test_action_inputs_outputs_and_steps() -> None:
    data = action()
    assert data["runs"]["using"] == "composite"
    inputs = data["inputs"]
    assert set(inputs) == INPUTS  # no `version`: nothing is installed from PyPI
    assert inputs["paths"]["default"] == "." and inputs["sarif-file"]["default"] == ""
    assert all(not i.get("required", False) for i in inputs.values())
    assert data["outputs"]["sarif-file"]["value"] == "${{ steps.lint.outputs.sarif-file }}"
    assert data["outputs"]["exit-code"]["value"] == "${{ steps.lint.outputs.exit-code }}"
    steps = data["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    install = steps[1]["run"]
    assert re.findall(r"pip install.*", install) == ['pip install --disable-pip-version-check "$GITHUB_ACTION_PATH"']
    assert lint_step(data)["run"].strip() == 'bash "$GITHUB_ACTION_PATH/tools/action-run.sh"'
    assert (ROOT / "tools" / "action-run.sh").is_file()


def test_action_scripts_take_inputs_through_the_environment_only() -> None:
    """`${{ inputs.x }}` pasted into a script is a script-injection hole; env variables are not."""
    for s in action()["runs"]["steps"]:
        assert "${{" not in s.get("run", ""), s.get("name")
        if "run" in s:
            assert s["shell"] == "bash"
    env = lint_step(action())["env"]
    assert {re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", v).group(1) for v in env.values()} == INPUTS - {"python-version"}


# -- the lint step, run for real ---------------------------------------------------------------

@dataclass
class Step:
    code: int
    stdout: str
    outputs: dict[str, str]
    summary: str
    runner_temp: Path


_CACHE: list[Path] = []


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One cache directory for the module's steps, as a runner's cache would be: the grammar is
    built once, not by every step (1.3 CPU s each)."""
    _CACHE[:] = [tmp_path_factory.mktemp("action-cache")]


def run_step(workspace: Path, tmp_path: Path, **inputs: str) -> Step:
    data = action()
    values = {name: str(spec.get("default", "")) for name, spec in data["inputs"].items()}
    values |= {k.replace("_", "-"): v for k, v in inputs.items()}
    step = lint_step(data)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VPCEP_LINT_", "GITHUB_"))}
    for name, value in step["env"].items():
        env[name] = re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", lambda m: values[m.group(1)], value)
    bindir = Path(sys.executable).parent
    assert (bindir / "vpcep-lint").exists(), "vpcep-lint is not installed next to the test interpreter"
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    summary = tmp_path / "step-summary.md"
    if not summary.exists():
        summary.write_text("## an earlier step\n")
    output = tmp_path / "github-output"
    output.write_text("")
    env |= {
        "PATH": f"{bindir}{os.pathsep}{env['PATH']}",
        "GITHUB_ACTION_PATH": str(ROOT),
        "GITHUB_OUTPUT": str(output),
        "GITHUB_STEP_SUMMARY": str(summary),
        "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(runner_temp),
        "VPCEP_LINT_CACHE_DIR": str(_CACHE[0] / "cache"),
    }
    script = tmp_path / "step.sh"
    script.write_text(step["run"])
    result = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                            cwd=workspace, env=env, capture_output=True, text=True, timeout=300, check=False)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines())
    return Step(result.returncode, result.stdout + result.stderr, outputs, summary.read_text(), runner_temp)


def sarif_rules(step: Step) -> list[str]:
    log = json.loads(Path(step.outputs["sarif-file"]).read_text())
    return sorted(r["ruleId"] for r in log["runs"][0]["results"])


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout whose top holds the broken example, as `paths: .` (the default) lints it."""
    ws = tmp_path / "workspace"
    shutil.copytree(BROKEN, ws)
    for name in ("plan.json", "plan-existing.json", "state.json"):
        (ws / name).unlink()
    return ws


def test_default_paths_write_sarif_annotations_and_the_summary_from_one_run(workspace: Path, tmp_path: Path) -> None:
    step = run_step(workspace, tmp_path)
    assert step.code == 0, step.stdout  # findings do not fail the step: the upload comes first
    assert step.outputs["exit-code"] == "1"
    assert sarif_rules(step) == ["VPCEP001", "VPCEP002"]
    sarif = Path(step.outputs["sarif-file"])
    assert sarif.is_relative_to(step.runner_temp) and sarif.name == "vpcep-lint.sarif"
    # the job log: one annotation per finding, on its file and line
    assert re.findall(r"^::error file=([^,]+),line=(\d+),col=1,title=(VPCEP\d+)::", step.stdout, re.M) == [
        ("main.tf", "28", "VPCEP001"), ("main.tf", "64", "VPCEP002")]
    # the step summary: appended after what earlier steps wrote
    assert step.summary.startswith("## an earlier step\n## vpcep-lint\n\n**2 findings (2 errors) in 1 root**")
    assert "| <code>main.tf:28</code> | [VPCEP001](" in step.summary
    # ... with each broken path drawn, the failing hop labelled
    assert step.summary.count("```mermaid\n") == 2 and '--x|"tcp/8080 from 198.19.128.0/17 denied"|' in step.summary
    assert step.stdout.count("Running: vpcep-lint ") == 1  # one run for all three outputs


def test_default_paths_lint_every_root_of_a_repository_layout(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "layout" / "repo", repo)
    step = run_step(repo, tmp_path)
    assert step.code == 0 and step.outputs["exit-code"] == "1", step.stdout
    assert sarif_rules(step) == ["VPCEP001", "VPCEP005"]
    assert "::error file=modules/svc/main.tf,line=40," in step.stdout
    assert "in 4 roots" in step.summary and "<code>infra/staging</code>: 1 finding" in step.summary


def test_paths_and_args_survive_spaces_and_quotes(workspace: Path, tmp_path: Path) -> None:
    odd = workspace / "it's a \"quoted\" dir"
    odd.mkdir()
    shutil.copy(BROKEN / "main.tf", odd / "main.tf")
    good = workspace / "good $HOME `x`"
    shutil.copytree(GOOD, good)
    step = run_step(workspace, tmp_path,
                    paths=f"  {odd.name}\r\n\n{good.name}\n",
                    args='--select=VPCEP002\n--category\nteam "a" b\n\n  --fail-on=error  ')
    assert step.code == 0, step.stdout
    assert step.outputs["exit-code"] == "1"
    log = json.loads(Path(step.outputs["sarif-file"]).read_text())
    run = log["runs"][0]
    assert [r["ruleId"] for r in run["results"]] == ["VPCEP002"]
    assert run["automationDetails"]["id"] == 'team "a" b/'
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == \
        "it%27s%20a%20%22quoted%22%20dir/main.tf"
    assert "in 2 roots" in step.summary


@pytest.mark.parametrize("arg", ["--format=json", "--format\njson", "-fjson", "-o\nx.json", "--output=x.json", "--"])
def test_args_cannot_change_the_actions_own_outputs(workspace: Path, tmp_path: Path, arg: str) -> None:
    step = run_step(workspace, tmp_path, args=f"--fail-on=error\n{arg}")
    assert step.code == 2
    assert step.outputs == {"exit-code": "2"}
    assert f"::error title=vpcep-lint::args: '{arg.split(chr(10))[0]}'" in step.stdout
    assert "Running:" not in step.stdout and step.summary == "## an earlier step\n"


def test_an_option_and_its_value_on_one_line_is_refused_with_the_fix(workspace: Path, tmp_path: Path) -> None:
    step = run_step(workspace, tmp_path, args="--fail-on error")
    assert step.code == 2 and "Running:" not in step.stdout
    assert "one argument per line; write '--fail-on=error' or put the value on the next line" in step.stdout


def test_a_stale_sarif_is_removed_and_never_offered_for_upload(workspace: Path, tmp_path: Path) -> None:
    stale = workspace / "vpcep-lint.sarif"
    stale.write_text('{"version": "2.1.0", "runs": [{"results": [{"ruleId": "VPCEP001"}]}]}')
    step = run_step(workspace, tmp_path, sarif_file="vpcep-lint.sarif", args="--config=no-such.toml")
    assert step.code == 2, step.stdout  # no report: the step fails
    assert step.outputs == {"exit-code": "2"}  # and names no SARIF file
    assert not stale.exists()
    assert "vpcep-lint exited with code 2 and wrote no report" in step.stdout
    # with the default path, an earlier run's file under RUNNER_TEMP is never this run's
    first = run_step(workspace, tmp_path)
    second = run_step(workspace, tmp_path, args="--config=no-such.toml")
    assert Path(first.outputs["sarif-file"]).is_file() and "sarif-file" not in second.outputs and second.code == 2


def test_an_input_error_still_reports_and_the_step_warns(workspace: Path, tmp_path: Path) -> None:
    bad = workspace / "bad"
    bad.mkdir()
    (bad / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n')
    step = run_step(workspace, tmp_path, paths=".\nbad")
    assert step.code == 0, step.stdout  # the report exists and records the input error: upload it
    assert step.outputs["exit-code"] == "2"
    assert "VPCEP000" in sarif_rules(step)
    assert "::warning title=vpcep-lint::vpcep-lint exited with code 2" in step.stdout
    assert "VPCEP000" in step.summary


def test_text_log_and_no_summary(workspace: Path, tmp_path: Path) -> None:
    step = run_step(workspace, tmp_path, log_format="text", step_summary="false")
    assert step.outputs["exit-code"] == "1"
    assert "main.tf:28:1: VPCEP001 error: " in step.stdout and "::error file=" not in step.stdout
    assert step.summary == "## an earlier step\n"
    step = run_step(workspace, tmp_path, log_format="sarif")
    assert step.code == 2 and "log-format: 'sarif' is not github or text" in step.stdout


# -- the docs: install lines that work today --------------------------------------------------

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "action.yml", ROOT / "CONTRIBUTING.md"]


def test_every_install_line_works_from_this_repository_today() -> None:
    """No PyPI package and no release tag exist: install from a checkout or a git URL at a commit."""
    seen = 0
    for path in DOCS:
        text = path.read_text()
        for line in re.findall(r"pip install[^\n`]*", text):
            words = [w for w in shlex.split(line.split("pip install", 1)[1].split("&&")[0]) if not w.startswith("-")]
            assert words, (path.name, line)
            for word in words:
                seen += 1
                if "vpcep-lint" in word or "git+" in word:
                    assert re.fullmatch(r"vpcep-lint @ git\+https://github\.com/vpcep-lint/vpcep-lint@(<commit-sha>|[0-9a-f]{40})",
                                        word), (path.name, line)
                else:  # this checkout, the action's own, the example plugin, or a plugin of the reader's
                    assert word in {".", ".[test]", ".[dev]", "$GITHUB_ACTION_PATH", "./tests/plugin_example", "acme-vpcep-rules"}, \
                        (path.name, line)
        for ref in re.findall(r"(?:uses: vpcep-lint/vpcep-lint@|rev: )(\S+)", text):
            assert ref == "<commit-sha>" or re.fullmatch(r"[0-9a-f]{40}", ref), (path.name, ref)
        assert not re.search(r"\bv0\.1\.0\b|vpcep-lint==", text), path.name
    assert seen >= 5


def test_workflow_doc_uploads_only_this_runs_sarif_then_fails_on_the_exit_code() -> None:
    import yaml

    text = (ROOT / "docs" / "workflow.md").read_text()
    workflows = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", text, re.S) if "upload-sarif" in b and "jobs:" in b]
    assert workflows, "docs/workflow.md has no workflow with upload-sarif"
    job = next(iter(workflows[0]["jobs"].values()))
    steps = job["steps"]
    uses = [s.get("uses", "") for s in steps]
    lint_at = next(i for i, u in enumerate(uses) if u.startswith("vpcep-lint/vpcep-lint@"))
    upload_at = next(i for i, u in enumerate(uses) if u.startswith("github/codeql-action/upload-sarif@"))
    assert lint_at < upload_at < len(steps) - 1
    lint_id = steps[lint_at]["id"]
    assert set(steps[lint_at]["with"]) <= INPUTS
    assert steps[upload_at]["if"] == f"always() && steps.{lint_id}.outputs.sarif-file != ''"
    assert steps[upload_at]["with"]["sarif_file"] == f"${{{{ steps.{lint_id}.outputs.sarif-file }}}}"
    assert f"steps.{lint_id}.outputs.exit-code" in json.dumps(steps[-1])
    assert job["permissions"]["security-events"] == "write"
