"""VPCEP000 (input errors) and VPCEP900 (suppression comments) are registered rules.

Listing, `--explain`, `--select`/`--ignore`, the configuration's `severity` and SARIF descriptors
treat them as they treat every rule. What selection cannot change: an input that could not be read
was not checked, so its stderr line, its SARIF notification and exit code 2 stay.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from vpcep_lint.cli import main

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
SG = 'resource "huaweicloud_networking_secgroup" "app" {'  # VPCEP001 is located on this block
VPC = 'resource "huaweicloud_vpc" "shop" {'  # nothing fires on this one


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The example with a malformed suppression (no reason) on a resource where nothing fires, and
    a broken file beside it."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "infra").mkdir()
    text = (EXAMPLE / "main.tf").read_text()
    (tmp_path / "infra" / "main.tf").write_text(text.replace(VPC, "# vpcep-lint: ignore[VPCEP002]\n" + VPC))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  name = \n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--no-cache", *args], catch_exceptions=False)


def findings(result: Result) -> list[tuple[str, str]]:
    return [(f["rule_id"], f["severity"]) for f in json.loads(result.stdout)["findings"]]


def sarif(result: Result) -> dict[str, Any]:
    return json.loads(result.stdout)["runs"][0]


def test_by_default_both_report(project: Path) -> None:
    result = invoke("-f", "json", "infra", "broken")
    assert result.exit_code == 2
    assert findings(result) == [("VPCEP000", "error"), ("VPCEP001", "error"), ("VPCEP002", "error"),
                                ("VPCEP900", "warning")]
    assert json.loads(result.stdout)["summary"]["rules"][0] == "VPCEP000"


def test_ignore_input_errors_leaves_the_finding_out_but_exit_2_and_stderr_stay(project: Path) -> None:
    result = invoke("-f", "json", "--ignore", "VPCEP000", "infra", "broken")
    assert ("VPCEP000", "error") not in findings(result)
    assert ("VPCEP001", "error") in findings(result)
    assert result.exit_code == 2
    assert result.stderr.startswith("vpcep-lint: error: broken/main.tf:2:")
    assert json.loads(result.stdout)["errors"][0]["file"] == "broken/main.tf"


def test_exit_zero_does_not_hide_an_unread_input(project: Path) -> None:
    assert invoke("--ignore", "VPCEP000", "--exit-zero", "broken").exit_code == 2


def test_select_without_input_errors_keeps_the_sarif_notification(project: Path) -> None:
    result = invoke("-f", "sarif", "--select", "VPCEP001", "infra", "broken")
    assert result.exit_code == 2
    run_ = sarif(result)
    assert {r["ruleId"] for r in run_["results"]} == {"VPCEP001"}
    ids = [d["id"] for d in run_["tool"]["driver"]["rules"]]
    assert ids == ["VPCEP000", "VPCEP001"]  # the notification names VPCEP000, so it is described
    (note,) = run_["invocations"][0]["toolExecutionNotifications"]
    assert note["associatedRule"] == {"id": "VPCEP000", "index": 0}
    assert run_["invocations"][0]["executionSuccessful"] is False


def test_ignore_suppression_problems(project: Path) -> None:
    result = invoke("-f", "json", "--ignore", "VPCEP900", "infra")
    assert findings(result) == [("VPCEP001", "error"), ("VPCEP002", "error")]
    result = invoke("-f", "sarif", "--ignore", "VPCEP900", "infra")
    assert "VPCEP900" not in [d["id"] for d in sarif(result)["tool"]["driver"]["rules"]]


def test_ignoring_suppression_problems_keeps_suppressions_working(project: Path) -> None:
    main_tf = project / "infra" / "main.tf"
    main_tf.write_text(main_tf.read_text().replace(SG, '# vpcep-lint: ignore[VPCEP001] reason="health checks"\n' + SG))
    result = invoke("-f", "json", "--ignore", "VPCEP900", "infra")
    data = json.loads(result.stdout)
    assert [(f["rule_id"], f["suppressed"]) for f in data["findings"]] == [("VPCEP001", True), ("VPCEP002", False)]


def test_severity_of_suppression_problems_from_the_configuration(project: Path) -> None:
    (project / ".vpcep-lint.toml").write_text('ignore = ["VPCEP001", "VPCEP002"]\n[severity]\nVPCEP900 = "note"\n')
    result = invoke("-f", "json", "infra")
    assert findings(result) == [("VPCEP900", "note")]
    assert result.exit_code == 0  # a note does not fail the run at the default fail-on = warning
    (project / ".vpcep-lint.toml").write_text('ignore = ["VPCEP001", "VPCEP002"]\n')
    assert invoke("-f", "json", "infra").exit_code == 1  # the malformed comment is a warning by default


def test_severity_of_input_errors_changes_the_level_not_the_exit_code(project: Path) -> None:
    (project / ".vpcep-lint.toml").write_text('[severity]\nVPCEP000 = "note"\n')
    result = invoke("-f", "json", "broken")
    assert findings(result) == [("VPCEP000", "note")]
    assert result.exit_code == 2


def test_per_path_ignores_cover_input_errors_too(project: Path) -> None:
    (project / ".vpcep-lint.toml").write_text('[per-path-ignores]\n"broken/**" = ["VPCEP000"]\n')
    result = invoke("-f", "json", "infra", "broken")
    assert ("VPCEP000", "error") not in findings(result) and ("VPCEP001", "error") in findings(result)
    assert result.exit_code == 2


@pytest.mark.parametrize("rule_id", ["VPCEP000", "VPCEP900"])
def test_both_are_known_rule_ids_in_the_configuration(project: Path, rule_id: str) -> None:
    (project / ".vpcep-lint.toml").write_text(f'ignore = ["{rule_id}"]\n[severity]\n{rule_id} = "warning"\n')
    result = invoke("--show-config", "infra")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["ignore"] == [rule_id]


def test_text_summary_counts_unread_inputs_even_when_their_findings_are_ignored(project: Path) -> None:
    result = invoke("--ignore", "VPCEP000", "broken")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1].endswith("; 1 input error (not checked)")
    assert " VPCEP000 " not in result.stdout
    listed = invoke("broken").stdout.splitlines()
    assert listed[0].startswith("broken/main.tf:2:") and " VPCEP000 error: " in listed[0]
    assert listed[-1].startswith("1 finding (1 error) in ") and listed[-1].endswith("; 1 input error (not checked)")


def test_markdown_links_both_to_their_pages(project: Path) -> None:
    page = invoke("-f", "markdown", "infra", "broken").stdout
    for rule_id in ("VPCEP000", "VPCEP900"):
        assert f"[{rule_id}](https://github.com/vpcep-lint/vpcep-lint/blob/main/docs/rules/{rule_id}.md)" in page
