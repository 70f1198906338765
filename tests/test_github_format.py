"""`--format github`: GitHub Actions workflow commands, escaped as the runner decodes them."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT

from vpcep_lint.api import Report
from vpcep_lint.cli import main
from vpcep_lint.model import Span
from vpcep_lint.report import github
from vpcep_lint.rule import Finding, Severity

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"

DEFAULT_SPAN = Span("infra/main.tf", 3, 5)


def finding(message: str = "m", *, severity: Severity = Severity.ERROR, address: str = "huaweicloud_vpc.a",
            span: Span | None = DEFAULT_SPAN, rule_id: str = "VPCEP001",
            suppressed: str | None = None) -> Finding:
    return Finding(rule_id=rule_id, severity=severity, message=message, address=address, span=span,
                   source="infra", suppressed=suppressed)


@pytest.mark.parametrize(
    ("text", "data", "prop"),
    [
        pytest.param("plain", "plain", "plain", id="plain"),
        pytest.param("50% done", "50%25 done", "50%25 done", id="percent"),
        pytest.param("a\nb\r\nc", "a%0Ab%0D%0Ac", "a%0Ab%0D%0Ac", id="newlines"),
        pytest.param("tcp:80, udp:53", "tcp:80, udp:53", "tcp%3A80%2C udp%3A53", id="colon-comma"),
        pytest.param("%0A", "%250A", "%250A", id="already-looks-escaped"),
        pytest.param("bell\x07", "bell\\x07", "bell\\x07", id="control-character"),
    ],
)
def test_escaping(text: str, data: str, prop: str) -> None:
    assert github.escape_data(text) == data
    assert github.escape_property(text) == prop


def test_line_format() -> None:
    line = github.format_finding(finding("no rule admits tcp:8080, udp:53\n::warning::injected"), root=None)
    assert line == (
        "::error file=infra/main.tf,line=3,col=5,title=VPCEP001::"
        "no rule admits tcp:8080, udp:53%0A::warning::injected [huaweicloud_vpc.a]"
    )
    assert "\n" not in line


def test_file_property_is_escaped() -> None:
    line = github.format_finding(finding(span=Span("we,ird:dir/main.tf", 1, 1)), root=None)
    assert line.startswith("::error file=we%2Cird%3Adir/main.tf,line=1,col=1,title=VPCEP001::")


@pytest.mark.parametrize(
    ("severity", "command"),
    [(Severity.ERROR, "::error "), (Severity.WARNING, "::warning "), (Severity.NOTE, "::notice ")],
)
def test_severity_to_command(severity: Severity, command: str) -> None:
    assert github.format_finding(finding(severity=severity), root=None).startswith(command)


def test_no_file_without_a_span() -> None:
    line = github.format_finding(finding("gap", span=None))
    assert line == "::error title=VPCEP001::gap [huaweicloud_vpc.a]"


def test_no_address() -> None:
    line = github.format_finding(finding("invalid JSON", address="", rule_id="VPCEP000"), root=None)
    assert line.endswith("title=VPCEP000::invalid JSON")


def test_paths_relative_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    sub = tmp_path / "infra"
    sub.mkdir()
    line = github.format_finding(finding(span=Span("main.tf", 2, 1)), cwd=str(sub), root=str(tmp_path.resolve()))
    assert "file=infra/main.tf," in line


def test_render_skips_suppressed_and_ends_with_a_summary() -> None:
    report = Report(findings=[finding("kept"), finding("hidden", suppressed="accepted risk")])
    lines = github.render(report).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("::kept [huaweicloud_vpc.a]")
    assert lines[1] == "1 finding (1 error) in 0 inputs, 1 suppressed"


def test_cli_on_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, ["--format", "github", "fixtures/examples/broken-endpoint"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split("::")[1] for line in lines[:-1]] == [
        "error file=fixtures/examples/broken-endpoint/main.tf,line=28,col=1,title=VPCEP001",
        "error file=fixtures/examples/broken-endpoint/main.tf,line=64,col=1,title=VPCEP002",
    ]
    assert lines[0].endswith(" [huaweicloud_networking_secgroup.app]")
    assert lines[-1] == "2 findings (2 errors) in 1 root"


def test_cli_plan_without_sources(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["-f", "github", "--source-dir", str(tmp_path), "fixtures/examples/broken-endpoint/plan.json"]
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split("::")[1] for line in lines[:-1]] == ["error title=VPCEP001", "error title=VPCEP002"]
