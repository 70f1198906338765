"""`vpcep-lint --list-rules` and `--explain RULE`."""
from __future__ import annotations

from click.testing import CliRunner
from conftest import ROOT
from helpers import rules

from vpcep_lint.cli import main
from vpcep_lint.rule import Severity

BUILTIN = rules()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_list_rules_prints_a_table_of_id_severity_summary_and_package() -> None:
    result = invoke("--list-rules")
    assert result.exit_code == 0 and result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["ID", "SEVERITY", "SUMMARY", "PACKAGE"]
    body = lines[1:]
    assert [line.split()[0] for line in body] == [r.id for r in BUILTIN] == sorted(r.id for r in BUILTIN)
    for line, cls in zip(body, BUILTIN, strict=True):
        assert line.split()[1] == cls.severity.value
        assert f"  {cls.title}  " in line
        assert line.endswith("  vpcep-lint")
    # columns line up: the summary and package columns start at the same place on every line
    summary_at = lines[0].index("SUMMARY")
    package_at = lines[0].index("PACKAGE")
    for line, cls in zip(body, BUILTIN, strict=True):
        assert line.index(cls.title) == summary_at and line.rindex("vpcep-lint") == package_at


def test_list_rules_shows_the_input_and_suppression_rules_with_the_others() -> None:
    lines = invoke("--list-rules").stdout.splitlines()
    assert lines[1].startswith("VPCEP000  error     Input that could not be read, parsed or understood  ")
    assert lines[2].startswith("VPCEP001  error     Backend security group admits 198.19.128.0/17")
    assert lines[-1].startswith("VPCEP900  warning   Inline suppression comment that is malformed, unused or expired")


def test_list_rules_needs_no_path_and_ignores_the_configuration(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / ".vpcep-lint.toml").write_text("not = valid = toml\n")
    monkeypatch.chdir(tmp_path)
    assert invoke("--list-rules").exit_code == 0


def test_explain_prints_the_rule_page() -> None:
    result = invoke("--explain", "VPCEP001")
    assert result.exit_code == 0 and result.stderr == ""
    (cls,) = rules("VPCEP001")
    page = (ROOT / "docs" / "rules" / "VPCEP001.md").read_text(encoding="utf-8").strip()
    assert result.stdout == (f"VPCEP001: {cls.title}\nseverity: error    provided by: vpcep-lint\n\n{page}\n")
    assert "in the NIC's order" in result.stdout and "## How to fix" in result.stdout


def test_explain_input_errors_says_the_exit_code_stays() -> None:
    result = invoke("--explain", "VPCEP000")
    assert result.exit_code == 0 and result.stderr == ""
    assert result.stdout.startswith("VPCEP000: Input that could not be read, parsed or understood\nseverity: error ")
    assert "exit code 2 stay" in " ".join(result.stdout.split())


def test_explain_suppression_problems() -> None:
    result = invoke("--explain", "vpcep900")
    assert result.exit_code == 0
    assert result.stdout.startswith("VPCEP900: Inline suppression comment that is malformed, unused or expired\n")
    assert "unused suppression of VPCEP00N" in result.stdout


def test_explain_accepts_lowercase_and_spaces() -> None:
    assert invoke("--explain", " vpcep005 ").stdout.startswith("VPCEP005: ")


def test_explain_covers_every_rule() -> None:
    for cls in BUILTIN:
        result = invoke("--explain", cls.id)
        assert result.exit_code == 0, cls.id
        assert result.stdout.splitlines()[1].startswith(f"severity: {Severity(cls.severity).value} ")


def test_explain_unknown_rule_is_a_usage_error() -> None:
    result = invoke("--explain", "NOPE001")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Error: unknown rule 'NOPE001'; see --list-rules" in result.stderr


def test_explain_a_prefix_is_not_enough() -> None:
    result = invoke("--explain", "VPCEP00")
    assert result.exit_code == 2 and "unknown rule 'VPCEP00'" in result.stderr
