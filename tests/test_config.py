"""Settings: `[tool.vpcep-lint]` in pyproject.toml or `.vpcep-lint.toml`, and the flags that override them."""
from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from vpcep_lint.cli import main

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
SG = ("VPCEP001", "infra/main.tf", 28)  # the example's two errors, as (rule, file, line)
ACL = ("VPCEP002", "infra/main.tf", 64)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with the broken example in infra/; the working directory for the test."""
    (tmp_path / "infra").mkdir()
    (tmp_path / ".git").mkdir()
    shutil.copy(EXAMPLE / "main.tf", tmp_path / "infra" / "main.tf")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text))
    return path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--no-cache", *args], catch_exceptions=False)


def findings(result: Result) -> list[tuple[str, str, int]]:
    report = json.loads(result.stdout)
    return [(f["rule_id"], f["file"], f["line"]) for f in report["findings"]]


def lint_json(*args: str) -> tuple[int, list[tuple[str, str, int]]]:
    result = invoke("-f", "json", *args)
    assert result.stderr == "", result.stderr
    return result.exit_code, findings(result)


def severities(*args: str) -> dict[str, str]:
    result = invoke("-f", "json", *args)
    return {f["rule_id"]: f["severity"] for f in json.loads(result.stdout)["findings"]}


def config_error(*args: str) -> str:
    """Exit 2 and one line on stderr; returns the line."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# -- where the settings come from -----------------------------------------------------------------

def test_without_configuration_every_rule_runs_with_the_default_settings(project: Path) -> None:
    assert lint_json("infra") == (1, [SG, ACL])
    shown = json.loads(invoke("--show-config", "infra").stdout)
    assert shown == {"config": None, "select": "all", "ignore": [], "severity": {}, "per-path-ignores": {},
                     "fail-on": "warning", "exclude": [], "var-files": {}}


def test_dot_vpcep_lint_toml_is_found_above_the_input(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP002"]\n')
    assert lint_json("infra") == (1, [SG])
    assert lint_json("infra/main.tf") == (1, [SG])


def test_pyproject_table_is_found_above_the_input(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "infra"\n\n[tool.vpcep-lint]\nignore = ["VPCEP001"]\n')
    assert lint_json("infra") == (1, [ACL])
    assert json.loads(invoke("--show-config", "infra").stdout)["config"] == str(project / "pyproject.toml")


def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP002"]\n')
    write(project / "infra" / "pyproject.toml", '[tool.black]\nline-length = 100\n')
    assert lint_json("infra") == (1, [SG])


def test_the_nearest_file_wins_and_dot_file_before_pyproject(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP002"]\n')
    write(project / "infra" / "pyproject.toml", '[tool.vpcep-lint]\nignore = ["VPCEP001"]\n')
    assert lint_json("infra") == (1, [ACL])
    write(project / "infra" / ".vpcep-lint.toml", 'select = ["VPCEP002"]\nignore = []\n')
    assert lint_json("infra") == (1, [ACL])
    assert json.loads(invoke("--show-config", "infra").stdout)["config"] == str(project / "infra" / ".vpcep-lint.toml")


def test_config_flag_names_the_file_and_stops_the_search(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP002"]\n')
    other = write(project / "ci" / "strict.toml", 'ignore = ["VPCEP001"]\n')
    assert lint_json("--config", str(other), "infra") == (1, [ACL])
    in_pyproject = write(project / "ci" / "pyproject.toml", '[tool.vpcep-lint]\nselect = ["VPCEP002"]\n')
    assert lint_json("--config", str(in_pyproject), "infra") == (1, [ACL])


def test_show_config_prints_the_merged_settings_and_exits(project: Path) -> None:
    write(project / ".vpcep-lint.toml", """\
        select = ["vpcep00"]
        ignore = ["VPCEP003"]
        fail-on = "error"
        exclude = ["legacy/"]
        [severity]
        VPCEP005 = "note"
        [per-path-ignores]
        "modules/**" = ["VPCEP004"]
        [var-files]
        "infra/prod" = ["prod.tfvars"]
    """)
    result = invoke("--show-config", "--ignore", "VPCEP008", "--fail-on", "note", "infra")
    assert result.exit_code == 0 and result.stderr == ""
    assert json.loads(result.stdout) == {
        "config": str(project / ".vpcep-lint.toml"),
        "select": ["VPCEP00"],
        "ignore": ["VPCEP003", "VPCEP008"],
        "severity": {"VPCEP005": "note"},
        "per-path-ignores": {"modules/**": ["VPCEP004"]},
        "fail-on": "note",
        "exclude": ["legacy/"],
        "var-files": {"infra/prod": ["prod.tfvars"]},
    }


def test_show_config_needs_no_path(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'fail-on = "error"\n')
    result = invoke("--show-config")
    assert result.exit_code == 0 and json.loads(result.stdout)["fail-on"] == "error"


# -- each key -------------------------------------------------------------------------------------

def test_select_runs_only_those_rules_or_prefixes(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'select = ["VPCEP002"]\n')
    assert lint_json("infra") == (1, [ACL])
    write(project / ".vpcep-lint.toml", 'select = ["VPCEP00"]\n')
    assert lint_json("infra") == (1, [SG, ACL])
    write(project / ".vpcep-lint.toml", 'select = ["VPCEP003", "VPCEP004"]\n')
    assert lint_json("infra") == (0, [])


def test_ignore_skips_rules(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP001", "vpcep002"]\n')
    assert lint_json("infra") == (0, [])


def test_severity_overrides_a_rule_severity(project: Path) -> None:
    write(project / ".vpcep-lint.toml", '[severity]\nVPCEP002 = "warning"\n')
    assert severities("infra") == {"VPCEP001": "error", "VPCEP002": "warning"}
    result = invoke("infra")
    assert "infra/main.tf:64:1: VPCEP002 warning: " in result.stdout
    assert result.stdout.splitlines()[-1] == "2 findings (1 error, 1 warning) in 1 root"


def test_per_path_ignores_drop_rules_for_matching_files(project: Path) -> None:
    write(project / "legacy" / "main.tf", (EXAMPLE / "main.tf").read_text())
    write(project / ".vpcep-lint.toml", '[per-path-ignores]\n"legacy/**" = ["VPCEP001"]\n"*.tf" = ["VPCEP002"]\n')
    assert lint_json("infra", "legacy") == (1, [SG])  # *.tf (no slash) matches in every directory
    write(project / ".vpcep-lint.toml", '[per-path-ignores]\n"legacy/" = ["VPCEP00"]\n')
    assert lint_json("infra", "legacy") == (1, [SG, ACL])


def test_per_path_ignores_are_relative_to_the_config_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / ".vpcep-lint.toml", '[per-path-ignores]\n"infra/main.tf" = ["VPCEP001"]\n')
    monkeypatch.chdir(project / "infra")
    code, found = lint_json(".")
    assert code == 1 and [rule for rule, _, _ in found] == ["VPCEP002"]


def test_fail_on_sets_the_lowest_severity_that_fails(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'fail-on = "error"\n[severity]\nVPCEP001 = "warning"\nVPCEP002 = "note"\n')
    assert invoke("infra").exit_code == 0
    write(project / ".vpcep-lint.toml", 'fail-on = "warning"\n[severity]\nVPCEP001 = "note"\nVPCEP002 = "note"\n')
    assert invoke("infra").exit_code == 0
    write(project / ".vpcep-lint.toml", 'fail-on = "note"\n[severity]\nVPCEP001 = "note"\nVPCEP002 = "note"\n')
    assert invoke("infra").exit_code == 1


def test_default_fail_on_is_warning(project: Path) -> None:
    write(project / ".vpcep-lint.toml", '[severity]\nVPCEP001 = "note"\nVPCEP002 = "note"\n')
    assert invoke("infra").exit_code == 0
    write(project / ".vpcep-lint.toml", '[severity]\nVPCEP001 = "warning"\nVPCEP002 = "note"\n')
    assert invoke("infra").exit_code == 1


def test_exclude_drops_inputs_even_when_passed_explicitly(project: Path) -> None:
    write(project / "legacy" / "main.tf", (EXAMPLE / "main.tf").read_text())
    write(project / "infra" / ".terraform" / "modules" / "x" / "main.tf", (EXAMPLE / "main.tf").read_text())
    write(project / ".vpcep-lint.toml", 'exclude = ["legacy/", ".terraform"]\n')
    # what pre-commit does: every file, one by one
    result = invoke("legacy/main.tf", "infra/.terraform/modules/x/main.tf")
    assert result.exit_code == 0
    assert result.stdout == "nothing checked: no input was linted; the configuration .vpcep-lint.toml excludes 2 paths\n"
    assert lint_json("legacy", "infra") == (1, [SG, ACL])


def test_exclude_globs_match_files_and_components(project: Path) -> None:
    write(project / "envs" / "prod" / "main.tf", (EXAMPLE / "main.tf").read_text())
    write(project / "envs" / "dev" / "main.tf", (EXAMPLE / "main.tf").read_text())
    write(project / ".vpcep-lint.toml", 'exclude = ["envs/d*"]\n')
    code, found = lint_json("envs/prod/main.tf", "envs/dev/main.tf")
    assert code == 1 and {file for _, file, _ in found} == {"envs/prod/main.tf"}
    write(project / ".vpcep-lint.toml", 'exclude = ["./envs/*/main.tf"]\n')
    assert lint_json("envs/prod/main.tf", "envs/dev/main.tf") == (0, [])


def test_exclude_is_relative_to_the_config_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(project / ".vpcep-lint.toml", 'exclude = ["infra/main.tf"]\n')
    monkeypatch.chdir(project / "infra")
    out = invoke("main.tf").stdout
    assert out.startswith("nothing checked: no input was linted; the configuration /")
    assert out.endswith("/.vpcep-lint.toml excludes 1 path\n")


# -- the flags override the file ------------------------------------------------------------------

def test_select_flag_replaces_the_configured_list(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'select = ["VPCEP002"]\n')
    assert lint_json("--select", "VPCEP001", "infra") == (1, [SG])
    assert lint_json("--select", "VPCEP001,VPCEP002", "infra") == (1, [SG, ACL])
    assert lint_json("--select", "VPCEP001", "--select", "vpcep002", "infra") == (1, [SG, ACL])


def test_ignore_flag_adds_to_the_configured_list(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'ignore = ["VPCEP002"]\n')
    assert lint_json("--ignore", "VPCEP001", "infra") == (0, [])
    write(project / ".vpcep-lint.toml", 'select = ["VPCEP001", "VPCEP002"]\n')
    assert lint_json("--ignore", "VPCEP002", "infra") == (1, [SG])


def test_fail_on_flag_overrides_the_file(project: Path) -> None:
    write(project / ".vpcep-lint.toml", 'fail-on = "note"\n[severity]\nVPCEP001 = "warning"\nVPCEP002 = "warning"\n')
    assert invoke("infra").exit_code == 1
    assert invoke("--fail-on", "error", "infra").exit_code == 0
    write(project / ".vpcep-lint.toml", 'fail-on = "error"\n[severity]\nVPCEP001 = "note"\nVPCEP002 = "note"\n')
    assert invoke("--fail-on", "note", "infra").exit_code == 1


def test_exit_zero_ignores_findings_but_not_input_errors(project: Path) -> None:
    result = invoke("--exit-zero", "infra")
    assert result.exit_code == 0 and "VPCEP001 error" in result.stdout
    write(project / "broken" / "main.tf", 'resource "huaweicloud_vpc" "x" {\n  name =\n')
    assert invoke("--exit-zero", "infra", "broken").exit_code == 2


def test_select_and_ignore_flags_check_rule_ids(project: Path) -> None:
    for flag in ("--select", "--ignore"):
        result = invoke(flag, "NOPE001", "infra")
        assert result.exit_code == 2
        assert "unknown rule id or prefix 'NOPE001'; see --list-rules" in result.stderr


# -- errors: exit 2, one line naming the file -----------------------------------------------------

@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param('selct = ["VPCEP001"]\n', "Additional properties are not allowed ('selct' was unexpected)",
                     id="unknown-key"),
        pytest.param('select = ["VPCEP099"]\n', "[select] unknown rule id or prefix 'VPCEP099'", id="unknown-rule-select"),
        pytest.param('ignore = ["ACME"]\n', "[ignore] unknown rule id or prefix 'ACME'", id="unknown-prefix-ignore"),
        pytest.param('[severity]\nVPCEP099 = "note"\n', "[severity] unknown rule id 'VPCEP099'", id="unknown-rule-severity"),
        pytest.param('[severity]\nVPCEP00 = "note"\n', "does not match", id="severity-needs-a-full-id"),
        pytest.param('[severity]\nVPCEP001 = "fatal"\n', "[severity.VPCEP001] 'fatal' is not one of ['error', 'warning', 'note']",
                     id="bad-severity"),
        pytest.param('[per-path-ignores]\n"a/**" = ["VPCEP099"]\n', "[per-path-ignores.a/**] unknown rule id or prefix 'VPCEP099'",
                     id="unknown-rule-per-path"),
        pytest.param('fail-on = "never"\n', "[fail-on] 'never' is not one of ['error', 'warning', 'note']", id="bad-fail-on"),
        pytest.param('select = "VPCEP001"\n', "[select] 'VPCEP001' is not of type 'array'", id="not-a-list"),
        pytest.param('select = ["VPCEP-1"]\n', "[select.0] 'VPCEP-1' does not match", id="not-an-id"),
        pytest.param('exclude = [1]\n', "[exclude.0] 1 is not of type 'string'", id="exclude-not-strings"),
        pytest.param('select = ["VPCEP001"\n', "invalid TOML: ", id="invalid-toml"),
        pytest.param('var-files = ["prod.tfvars"]\n', "[var-files] ['prod.tfvars'] is not of type 'object'", id="var-files-a-list"),
        pytest.param('[var-files]\n"infra/prod" = "prod.tfvars"\n', "[var-files.infra/prod] 'prod.tfvars' is not of type 'array'",
                     id="var-files-not-a-list"),
        pytest.param('[var-files]\n"infra/prod" = [""]\n', "[var-files.infra/prod.0] '' does not match", id="var-files-empty-name"),
        pytest.param('[var-files]\n"../prod" = ["prod.tfvars"]\n',
                     "[var-files] root '../prod' must be a directory below the configuration file's", id="var-files-root-outside"),
    ],
)
def test_a_bad_config_file_exits_2_naming_it(project: Path, content: str, message: str) -> None:
    path = write(project / ".vpcep-lint.toml", content)
    line = config_error("infra")
    assert line.startswith(f"vpcep-lint: error: {path}: "), line
    assert message in line


def test_a_bad_pyproject_table_exits_2_naming_the_file(project: Path) -> None:
    path = write(project / "pyproject.toml", '[tool.vpcep-lint]\nfail_on = "error"\n')
    assert config_error("infra") == (f"vpcep-lint: error: {path}: Additional properties are not allowed "
                                     "('fail_on' was unexpected)")


def test_config_errors_stop_show_config_too(project: Path) -> None:
    path = write(project / ".vpcep-lint.toml", 'colour = true\n')
    assert config_error("--show-config").startswith(f"vpcep-lint: error: {path}: ")


def test_missing_config_file_exits_2(project: Path) -> None:
    assert config_error("--config", "nope.toml", "infra") == (
        "vpcep-lint: error: nope.toml: cannot read config: No such file or directory")


def test_explicit_pyproject_without_the_table_exits_2(project: Path) -> None:
    write(project / "pyproject.toml", '[project]\nname = "x"\n')
    assert config_error("--config", "pyproject.toml", "infra") == (
        "vpcep-lint: error: pyproject.toml: no [tool.vpcep-lint] table")


def test_the_documented_configurations_are_valid(project: Path) -> None:
    import re
    import sys

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    from conftest import ROOT

    text = (ROOT / "docs" / "workflow.md").read_text()
    checked = 0
    for block in re.findall(r"```toml\n(.*?)```", text, re.S):
        data = tomllib.loads(block)
        if "project" in data:
            continue  # the plugin's pyproject.toml
        name = "pyproject.toml" if "tool" in data else ".vpcep-lint.toml"
        write(project / name, block)
        result = invoke("--show-config", "infra")
        assert result.exit_code == 0, result.stderr
        (project / name).unlink()
        checked += 1
    assert checked == 2


@pytest.mark.parametrize(
    "text,message",
    [
        pytest.param("[" + ".".join(["a"] * 5000) + "]\nx = 1\n",
                     "nesting too deep (more than 32 levels) for a vpcep-lint configuration", id="tables-5000-deep"),
        pytest.param("x = " + "[" * 5000 + "]" * 5000 + "\n", "invalid TOML: nesting too deep", id="arrays-5000-deep"),
    ],
)
def test_a_config_nested_5000_deep_exits_2(project: Path, text: str, message: str) -> None:
    write(project / "deep.toml", text)
    assert config_error("--config", "deep.toml", "infra") == f"vpcep-lint: error: deep.toml: {message}"


def test_a_config_with_a_byte_order_mark_is_read(project: Path) -> None:
    (project / "bom.toml").write_bytes(b"\xef\xbb\xbf" + b'ignore = ["VPCEP002"]\n')
    code, found = lint_json("--config", "bom.toml", "infra")
    assert code == 1 and [f[0] for f in found] == ["VPCEP001"]
