"""`--write-baseline FILE` and `--baseline FILE`: adopt vpcep-lint on existing code, fail only on new findings."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from vpcep_lint import settings
from vpcep_lint.cli import main
from vpcep_lint.loaders.plan import _schema
from vpcep_lint.rule import Finding, Severity

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
NEW_ENDPOINT = """
resource "huaweicloud_vpcep_endpoint" "orders_dr" {
  region     = "cn-south-1"
  service_id = huaweicloud_vpcep_service.orders.id
  vpc_id     = huaweicloud_vpc.shop.id
  network_id = huaweicloud_vpc_subnet.shop.id
}
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copytree(EXAMPLE, tmp_path / "infra", ignore=shutil.ignore_patterns("*.json")))


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--no-cache", *args], catch_exceptions=False)


def rules_lines(result: Result) -> list[str]:
    return [" ".join(line.split()[:2]) for line in result.stdout.splitlines() if ": VPCEP" in line]


def test_write_baseline_writes_a_json_report_and_exits_as_usual(module: Path) -> None:
    result = invoke("--write-baseline", "baseline.json", "infra")
    assert result.exit_code == 1  # the findings are still printed and still count
    assert rules_lines(result) == ["infra/main.tf:28:1: VPCEP001", "infra/main.tf:64:1: VPCEP002"]
    data = json.loads(Path("baseline.json").read_text())
    jsonschema.Draft7Validator(_schema("report.schema.json")).validate(data)
    assert [(f["rule_id"], f["resource"]) for f in data["findings"]] == [
        ("VPCEP001", "huaweicloud_networking_secgroup.app"), ("VPCEP002", "huaweicloud_vpc_network_acl.app")]


def test_baseline_survives_moved_lines_and_reports_only_new_findings(module: Path) -> None:
    assert invoke("--write-baseline", "baseline.json", "infra").exit_code == 1
    main_tf = module / "main.tf"
    main_tf.write_text("\n\n\n# moved down by a new header\n\n" + main_tf.read_text())
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "no findings in 1 root\n"

    main_tf.write_text(main_tf.read_text() + NEW_ENDPOINT)
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 1
    assert rules_lines(result) == ["infra/main.tf:127:1: VPCEP006"]
    assert result.stdout.splitlines()[-1] == "1 finding (1 error) in 1 root"


def test_a_renamed_resource_is_a_new_finding(module: Path) -> None:
    invoke("--write-baseline", "baseline.json", "infra")
    main_tf = module / "main.tf"
    main_tf.write_text(main_tf.read_text().replace("huaweicloud_networking_secgroup.app", "huaweicloud_networking_secgroup.api")
                       .replace('"huaweicloud_networking_secgroup" "app"', '"huaweicloud_networking_secgroup" "api"'))
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 1 and rules_lines(result) == ["infra/main.tf:28:1: VPCEP001"]
    assert "[huaweicloud_networking_secgroup.api]" in result.stdout


def test_a_plain_json_report_is_a_baseline_too_and_fits_the_plan_of_the_same_code(module: Path) -> None:
    report = invoke("-f", "json", "infra")
    Path("report.json").write_text(report.stdout)
    shutil.copy(EXAMPLE / "plan.json", module / "plan.json")
    result = invoke("--baseline", "report.json", "infra/plan.json")
    assert result.exit_code == 0 and result.stdout == "no findings in 1 plan\n"


def test_the_same_finding_in_another_directory_is_new(module: Path) -> None:
    invoke("--write-baseline", "baseline.json", "infra")
    shutil.copytree(module, module.parent / "infra-copy")
    result = invoke("--baseline", "baseline.json", "infra", "infra-copy")
    assert result.exit_code == 1
    assert rules_lines(result) == ["infra-copy/main.tf:28:1: VPCEP001", "infra-copy/main.tf:64:1: VPCEP002"]


def test_rewriting_the_baseline_keeps_what_the_old_one_hid(module: Path) -> None:
    invoke("--write-baseline", "old.json", "infra")
    (module / "main.tf").write_text((module / "main.tf").read_text() + NEW_ENDPOINT)
    result = invoke("--baseline", "old.json", "--write-baseline", "new.json", "infra")
    assert rules_lines(result) == ["infra/main.tf:122:1: VPCEP006"]
    written = json.loads(Path("new.json").read_text())
    assert [f["rule_id"] for f in written["findings"]] == ["VPCEP001", "VPCEP002", "VPCEP006"]
    assert invoke("--baseline", "new.json", "infra").exit_code == 0


def test_a_suppressed_finding_is_not_baselined(module: Path) -> None:
    main_tf = module / "main.tf"
    original = main_tf.read_text()
    anchor = 'resource "huaweicloud_networking_secgroup" "app" {'
    main_tf.write_text(original.replace(anchor, f'# vpcep-lint: ignore[VPCEP001] reason="x" until=2001-01-01\n{anchor}'))
    invoke("--write-baseline", "baseline.json", "infra")  # expired: VPCEP001 counts again and is baselined
    assert invoke("--baseline", "baseline.json", "infra").exit_code == 0

    main_tf.write_text(original.replace(anchor, f'# vpcep-lint: ignore[VPCEP001] reason="x"\n{anchor}'))
    invoke("--write-baseline", "baseline.json", "infra")  # suppressed: not baselined
    main_tf.write_text(original)  # the suppression is removed: the finding must come back
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 1 and rules_lines(result) == ["infra/main.tf:28:1: VPCEP001"]


def test_input_errors_are_never_baselined(module: Path) -> None:
    (module.parent / "broken").mkdir()
    (module.parent / "broken" / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  name =\n')
    assert invoke("--write-baseline", "baseline.json", "infra", "broken").exit_code == 2
    assert "VPCEP000" in Path("baseline.json").read_text()
    result = invoke("--baseline", "baseline.json", "infra", "broken")
    assert result.exit_code == 2
    assert [line.split()[1] for line in result.stdout.splitlines()[:-1]] == ["VPCEP000"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(None, "baseline.json: cannot read baseline: No such file or directory", id="missing"),
        pytest.param("not json", "baseline.json: baseline is not JSON: ", id="not-json"),
        pytest.param('{"version": "2.1.0", "runs": []}', 'baseline.json: not a vpcep-lint JSON report (no "findings" list)',
                     id="sarif"),
        pytest.param('{"findings": [{"message": "x"}]}', 'baseline.json: not a vpcep-lint JSON report (a finding without "rule_id")',
                     id="no-rule-id"),
        pytest.param('{"findings": [{"rule_id": "VPCEP001", "resource": 5}]}',
                     "baseline.json: not a vpcep-lint JSON report (findings[0].resource is int, not a string)", id="number-for-resource"),
        pytest.param('{"findings": [{"rule_id": "VPCEP001"}, {"rule_id": "VPCEP001", "key": ["a"]}]}',
                     "baseline.json: not a vpcep-lint JSON report (findings[1].key is list, not a string)", id="list-for-key"),
        pytest.param('{"findings": [{"rule_id": "VPCEP001", "source": {"a": 1}}]}',
                     "baseline.json: not a vpcep-lint JSON report (findings[0].source is dict, not a string)", id="object-for-source"),
        pytest.param('{"findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "baseline.json: baseline is not JSON: nesting too deep",
                     id="deep"),
    ],
)
def test_an_unusable_baseline_exits_2(module: Path, content: str | None, message: str) -> None:
    if content is not None:
        Path("baseline.json").write_text(content)
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith(f"vpcep-lint: error: {message}") and result.stderr.count("\n") == 1


def test_an_unwritable_baseline_exits_2(module: Path) -> None:
    result = invoke("--write-baseline", "no/such/dir/baseline.json", "infra")
    assert result.exit_code == 2
    assert result.stderr.startswith("vpcep-lint: error: no/such/dir/baseline.json: cannot write baseline: ")


# -- matching, one for one ------------------------------------------------------------------------

def finding(address: str, key: str = "", source: str = "infra", rule: str = "VPCEP005", **kw: Any) -> Finding:
    return Finding(rule_id=rule, severity=Severity.WARNING, message="m", address=address, key=key, source=source, **kw)


def test_each_baseline_entry_absorbs_one_finding() -> None:
    base = Counter({("VPCEP005", "peer.a", "requester", "infra"): 1})
    current = [finding("peer.a", "requester"), finding("peer.a", "requester"), finding("peer.a", "accepter")]
    assert settings.filter_baseline(current, base) == current[1:]


def test_matching_prefers_the_same_input() -> None:
    base = Counter({("VPCEP005", "peer.a", "k", "envs/prod"): 1})
    dev, prod = finding("peer.a", "k", source="envs/dev"), finding("peer.a", "k", source="envs/prod")
    assert settings.filter_baseline([dev, prod], base) == [dev]
    assert settings.filter_baseline([dev], base) == []  # another input when nothing better: a plan of the same code


def test_the_attribute_stands_in_for_a_missing_key() -> None:
    base = Counter({("VPCEP005", "peer.a", "routes", "infra"): 1})
    assert settings.filter_baseline([finding("peer.a", attribute="routes")], base) == []
    assert len(settings.filter_baseline([finding("peer.a", attribute="other")], base)) == 1


@pytest.mark.parametrize("encoding,bom", [("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("utf-16-le", b"")],
                         ids=["utf-8-bom", "utf-16-bom", "utf-16-le"])
def test_a_baseline_rewritten_by_a_windows_tool_is_read(module: Path, encoding: str, bom: bytes) -> None:
    """PowerShell's `Out-File` and Notepad write UTF-16 or a BOM: read like the inputs are."""
    assert invoke("--write-baseline", "baseline.json", "infra").exit_code == 1
    text = Path("baseline.json").read_text(encoding="utf-8")
    Path("baseline.json").write_bytes(bom + text.encode(encoding))
    result = invoke("--baseline", "baseline.json", "infra")
    assert result.exit_code == 0 and result.stderr == "", result.stderr
