"""Inline suppressions: `# vpcep-lint: ignore[VPCEP001] reason="..." until=YYYY-MM-DD`."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES
from helpers import rules

from vpcep_lint import settings
from vpcep_lint.api import Options, lint
from vpcep_lint.cli import main

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
MODULES = FIXTURES / "workflow" / "module-suppression"
PEERING = FIXTURES / "VPCEP004" / "bad" / "overlapping-subnets"  # VPCEP004 and twice VPCEP005 on one peering
SG = 'resource "huaweicloud_networking_secgroup" "app" {'  # VPCEP001 is located here (line 28)
ACL = 'resource "huaweicloud_vpc_network_acl" "app" {'  # VPCEP002 (line 64)
VPC = 'resource "huaweicloud_vpc" "shop" {'  # nothing fires here
REASON = 'reason="public health check only"'


def example(where: Path, before: dict[str, str] | None = None, after: dict[str, str] | None = None,
            source: Path = EXAMPLE) -> Path:
    """A copy of a fixture directory with comments put before (or just after) anchor lines of main.tf."""
    shutil.copytree(source, where, ignore=shutil.ignore_patterns("expected.json", "state.json", "plan-existing.json"))
    text = (where / "main.tf").read_text()
    for anchor, comment in (before or {}).items():
        assert anchor in text
        text = text.replace(anchor, f"{comment}\n{anchor}")
    for anchor, comment in (after or {}).items():
        assert anchor in text
        text = text.replace(anchor, f"{anchor}\n  {comment}")
    (where / "main.tf").write_text(text)
    return where


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["--no-cache", *args], catch_exceptions=False)


def report(*args: str) -> tuple[int, list[dict[str, Any]], dict[str, Any]]:
    result = invoke("-f", "json", *args)
    data = json.loads(result.stdout)
    return result.exit_code, data["findings"], data["summary"]


def brief(findings: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """(rule, line, suppressed) per finding, plus the message for VPCEP900."""
    return [(f["rule_id"], f["line"], f["justification"] if f["suppressed"] else None)
            + ((f["message"],) if f["rule_id"] == "VPCEP900" else ()) for f in findings]


# -- reading the comment --------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("comment", "ids", "reason", "until"),
    [
        ('# vpcep-lint: ignore[VPCEP001] reason="public health check only"', ("VPCEP001",), "public health check only", None),
        ('// vpcep-lint: ignore[VPCEP001] reason="x"', ("VPCEP001",), "x", None),
        ('/* vpcep-lint: ignore[VPCEP001] reason="x" */', ("VPCEP001",), "x", None),
        ('#vpcep-lint:ignore[vpcep001, VPCEP002]reason="two"', ("VPCEP001", "VPCEP002"), "two", None),
        ('# vpcep-lint: ignore [ACME001] reason=ticket-42 until=2027-01-31', ("ACME001",), "ticket-42", dt.date(2027, 1, 31)),
        ('# vpcep-lint: ignore[VPCEP001] until="2027-01-31" reason="say \\"hi\\""', ("VPCEP001",), 'say "hi"', dt.date(2027, 1, 31)),
    ],
)
def test_suppression_comments_are_read(comment: str, ids: tuple[str, ...], reason: str, until: dt.date | None) -> None:
    s = settings.parse_suppression(comment)
    assert s is not None and s.problem is None
    assert (s.ids, s.reason, s.until) == (ids, reason, until)


@pytest.mark.parametrize("comment", ["# plain comment", "# vpcep-lint is run by CI", "// see vpcep-lint: ignore[VPCEP001]",
                                     "# vpcep-lint: checked by the platform team", "# vpcep-lint: ignored below"])
def test_other_comments_are_not_suppressions(comment: str) -> None:
    assert settings.parse_suppression(comment) is None


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        ('# vpcep-lint: ignore reason="x"', "a rule id is required: ignore[VPCEP001]"),
        ('# vpcep-lint: ignore[] reason="x"', "a rule id is required: ignore[VPCEP001]"),
        ('# vpcep-lint: ignore[VPCEP] reason="x"', "'VPCEP' is not a rule id (like VPCEP001)"),
        ("# vpcep-lint: ignore[VPCEP001]", 'a reason is required: reason="..."'),
        ('# vpcep-lint: ignore[VPCEP001] reason=""', 'a reason is required: reason="..."'),
        ('# vpcep-lint: ignore[VPCEP001] reason="x" until=31.01.2027', "until='31.01.2027' is not a date (YYYY-MM-DD)"),
        ('# vpcep-lint: ignore[VPCEP001] reson="x"', "unknown field 'reson'"),
        ('# vpcep-lint: ignore[VPCEP001] because it is fine', "cannot read 'because it is fine'"),
        ('# vpcep-lint: disable[VPCEP001] reason="x"', "unknown directive 'disable'"),
    ],
)
def test_malformed_suppressions_say_what_is_wrong(comment: str, problem: str) -> None:
    s = settings.parse_suppression(comment)
    assert s is not None and s.problem is not None and s.problem.startswith(problem)


# -- where the comment goes -----------------------------------------------------------------------

@pytest.mark.parametrize(
    ("before", "after"),
    [
        pytest.param({SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}"}, {}, id="line-above"),
        pytest.param({SG: f"// vpcep-lint: ignore[VPCEP001] {REASON}"}, {}, id="line-above-slashes"),
        pytest.param({SG: f"/* vpcep-lint: ignore[VPCEP001] {REASON} */"}, {}, id="line-above-block-comment"),
        pytest.param({}, {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}"}, id="inside-the-block"),
        pytest.param({}, {'  description = "Order API servers"': f"// vpcep-lint: ignore[VPCEP001] {REASON}"},
                     id="inside-the-block-after-an-attribute"),
    ],
)
def test_a_suppression_in_or_above_the_block_hides_the_finding(cwd: Path, before: dict[str, str], after: dict[str, str]) -> None:
    example(cwd / "m", before, after)
    code, found, summary = report("m")
    assert code == 1  # VPCEP002 still fails
    assert [(f["rule_id"], f["suppressed"], f["justification"]) for f in found] == [
        ("VPCEP001", True, "public health check only"), ("VPCEP002", False, None)]
    assert summary["findings"] == 1 and summary["suppressed"] == 1


def test_a_suppression_on_the_resource_line_applies(cwd: Path) -> None:
    m = example(cwd / "m")
    text = (m / "main.tf").read_text().replace(SG, f"{SG} # vpcep-lint: ignore[VPCEP001] {REASON}")
    (m / "main.tf").write_text(text)
    assert [f["suppressed"] for f in report("m")[1]] == [True, False]


def test_a_comment_separated_by_a_blank_line_does_not_apply(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}\n"})
    code, found, _ = report("m")
    assert code == 1 and [f["suppressed"] for f in found] == [False, False]


def test_text_output_hides_suppressed_findings_and_counts_them(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}"})
    result = invoke("m")
    assert result.exit_code == 1
    assert "VPCEP001" not in result.stdout
    assert result.stdout.splitlines()[-1] == "1 finding (1 error) in 1 root, 1 suppressed"


def test_suppressed_findings_do_not_affect_the_exit_code(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}",
                        ACL: '# vpcep-lint: ignore[VPCEP002] reason="ACL managed elsewhere"'})
    result = invoke("--fail-on", "note", "m")
    assert result.exit_code == 0, result.stdout
    assert result.stdout == "no findings in 1 root, 2 suppressed\n"


# -- several ids, modules, plans ------------------------------------------------------------------

PEER = 'resource "huaweicloud_vpc_peering_connection" "orders_analytics" {'


def test_one_comment_can_name_several_rules(cwd: Path) -> None:
    example(cwd / "p", {PEER: '# vpcep-lint: ignore[VPCEP004,VPCEP005] reason="migration in progress"'}, source=PEERING)
    code, found, summary = report("p")
    assert code == 0
    assert [(f["rule_id"], f["suppressed"]) for f in found] == [("VPCEP004", True), ("VPCEP005", True), ("VPCEP005", True)]
    assert summary["suppressed"] == 3


def test_only_the_named_rules_are_suppressed(cwd: Path) -> None:
    example(cwd / "p", {PEER: '# vpcep-lint: ignore[VPCEP004] reason="migration in progress"'}, source=PEERING)
    code, found, _ = report("p")
    assert code == 1
    assert [(f["rule_id"], f["suppressed"]) for f in found] == [("VPCEP004", True), ("VPCEP005", False), ("VPCEP005", False)]


def test_an_id_of_a_multi_id_comment_that_never_fires_is_reported_unused(cwd: Path) -> None:
    example(cwd / "m", {SG: '# vpcep-lint: ignore[VPCEP001, VPCEP003] reason="x"'})
    code, found, _ = report("m")
    assert brief(found) == [
        ("VPCEP900", 28, None, "unused suppression of VPCEP003: the rule reports nothing here"),
        ("VPCEP001", 29, "x"),
        ("VPCEP002", 65, None),
    ]


def test_a_comment_on_a_module_block_applies_inside_that_module_instance(cwd: Path) -> None:
    shutil.copytree(MODULES, cwd / "ms")
    for target in ("ms", "ms/plan.json"):
        code, found, _ = report(target)
        assert code == 1
        assert [(f["rule_id"], f["resource"], f["justification"]) for f in found] == [
            ("VPCEP001", "module.legacy.huaweicloud_networking_secgroup.this",
             "legacy API, reached only through the ELB; endpoint unused"),
            ("VPCEP001", "module.orders.huaweicloud_networking_secgroup.this", None),
        ], target
        assert found[0]["file"] == "ms/modules/backend/main.tf"


def test_an_unused_comment_on_a_module_block_is_reported_there(cwd: Path) -> None:
    m = shutil.copytree(MODULES, cwd / "ms")
    text = (m / "main.tf").read_text().replace('module "orders" {', '# vpcep-lint: ignore[VPCEP002] reason="x"\nmodule "orders" {')
    (m / "main.tf").write_text(text)
    code, found, _ = report("ms")
    unused = [f for f in found if f["rule_id"] == "VPCEP900"]
    assert [(f["file"], f["line"], f["resource"], f["severity"], f["message"]) for f in unused] == [
        ("ms/main.tf", 21, "module.orders", "note", "unused suppression of VPCEP002: the rule reports nothing here")]


def test_plan_next_to_its_source_uses_the_comments(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}"})
    code, found, _ = report("m/plan.json")
    assert code == 1
    assert [(f["rule_id"], f["suppressed"], f["file"]) for f in found] == [
        ("VPCEP001", True, "m/main.tf"), ("VPCEP002", False, "m/main.tf")]


def test_plan_with_source_dir_uses_the_comments_and_without_source_cannot(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}", VPC: '# vpcep-lint: ignore[VPCEP003] reason="x"'})
    (cwd / "plans").mkdir()
    shutil.move(str(cwd / "m" / "plan.json"), cwd / "plans" / "plan.json")
    _, found, _ = report("plans/plan.json", "--source-dir", "m")
    assert [(f["rule_id"], f["suppressed"]) for f in found] == [("VPCEP001", True), ("VPCEP002", False), ("VPCEP900", False)]
    _, found, _ = report("plans/plan.json")
    assert [(f["rule_id"], f["suppressed"], f["file"]) for f in found] == [
        ("VPCEP001", False, None), ("VPCEP002", False, None)]  # no source: nothing suppressed, nothing unused


# -- expiry ---------------------------------------------------------------------------------------

def lint_with(path: Path, today: dt.date, **kw: Any) -> list[tuple[Any, ...]]:
    found = lint([str(path)], Options(rules=rules(), cwd=str(path.parent)))
    settings.apply_after(found, settings.Config(), kw, today=today)
    return [(f.rule_id, f.span.line if f.span else None, f.suppressed, f.message if f.rule_id == "VPCEP900" else "")
            for f in found.findings]


def test_until_applies_through_that_day_and_then_says_it_expired(cwd: Path) -> None:
    m = example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON} until=2027-01-31"})
    assert lint_with(m, dt.date(2027, 1, 31))[0] == ("VPCEP001", 29, "public health check only", "")
    assert lint_with(m, dt.date(2027, 2, 1)) == [
        ("VPCEP001", 29, None, ""),
        ("VPCEP900", 29, None, "suppression of VPCEP001 expired on 2027-01-31; the finding applies again"),
        ("VPCEP002", 65, None, ""),
    ]


def test_an_expired_suppression_fails_the_run_again(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON} until=2001-01-01",
                        ACL: f"# vpcep-lint: ignore[VPCEP002] {REASON} until=2999-12-31"})
    code, found, _ = report("m")
    assert code == 1
    assert brief(found) == [
        ("VPCEP001", 29, None),
        ("VPCEP900", 29, None, "suppression of VPCEP001 expired on 2001-01-01; the finding applies again"),
        ("VPCEP002", 66, "public health check only"),
    ]
    assert found[1]["severity"] == "note"


# -- problems with the comments themselves --------------------------------------------------------

def test_a_malformed_suppression_suppresses_nothing_and_is_a_warning_at_the_comment(cwd: Path) -> None:
    example(cwd / "m", {SG: "# vpcep-lint: ignore[VPCEP001]"})
    code, found, _ = report("m")
    assert code == 1
    assert brief(found) == [
        ("VPCEP900", 28, None, 'malformed suppression, it suppresses nothing: a reason is required: reason="..."'),
        ("VPCEP001", 29, None),
        ("VPCEP002", 65, None),
    ]
    assert found[0]["severity"] == "warning" and found[0]["column"] == 1


def test_an_unused_suppression_is_a_note_that_fails_only_with_fail_on_note(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}",
                        ACL: f"# vpcep-lint: ignore[VPCEP002] {REASON}",
                        VPC: '# vpcep-lint: ignore[VPCEP006] reason="moved to another region"'})
    result = invoke("m")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "m/main.tf:106:1: VPCEP900 note: unused suppression of VPCEP006: the rule reports nothing here [huaweicloud_vpc.shop]",
        "1 finding (1 note) in 1 root, 2 suppressed",
    ]
    assert invoke("--fail-on", "note", "m").exit_code == 1


def test_a_suppression_of_an_unknown_rule_is_a_note(cwd: Path) -> None:
    example(cwd / "m", {SG: '# vpcep-lint: ignore[VPCEP001,ACME001] reason="x"'})
    code, found, _ = report("m")
    assert code == 1
    assert brief(found)[:2] == [
        ("VPCEP900", 28, None, "suppression of ACME001, which is not a known rule (is the plugin providing it installed?)"),
        ("VPCEP001", 29, "x"),
    ]


def test_suppressions_of_rules_that_did_not_run_are_not_called_unused(cwd: Path) -> None:
    example(cwd / "m", {SG: f"# vpcep-lint: ignore[VPCEP001] {REASON}"})
    code, found, _ = report("--select", "VPCEP002", "m")
    assert [f["rule_id"] for f in found] == ["VPCEP002"]


def test_only_comments_in_the_files_given_are_judged(cwd: Path) -> None:
    """pre-commit passes some files of a directory: comments in the others are not reported."""
    source = (EXAMPLE / "main.tf").read_text()
    start, end = source.index("# Trusts the VPC"), source.index('resource "huaweicloud_compute_instance"')
    (cwd / "m").mkdir()
    (cwd / "m" / "sg.tf").write_text(source[start:end].replace(SG, f'# vpcep-lint: ignore[VPCEP003] reason="x"\n{SG}'))
    (cwd / "m" / "main.tf").write_text(source[:start] + source[end:])
    _, found, _ = report("m/main.tf")
    assert [f["rule_id"] for f in found] == ["VPCEP002"]
    _, found, _ = report("m/sg.tf")
    assert [(f["rule_id"], f["file"], f["line"]) for f in found] == [("VPCEP900", "m/sg.tf", 2), ("VPCEP001", "m/sg.tf", 3)]
    _, found, _ = report("--all-in-dir", "m/main.tf")
    assert [f["rule_id"] for f in found] == ["VPCEP002", "VPCEP900", "VPCEP001"]


def test_a_module_comment_is_not_unused_when_the_module_files_were_not_given(cwd: Path) -> None:
    m = shutil.copytree(MODULES, cwd / "ms")
    text = (m / "main.tf").read_text().replace("ignore[VPCEP001]", "ignore[VPCEP001,VPCEP002]")
    (m / "main.tf").write_text(text)
    _, found, _ = report("ms/main.tf")  # findings inside modules/backend are not shown
    assert found == []
    _, found, _ = report("ms")
    assert [(f["rule_id"], f["line"], f["resource"]) for f in found if f["rule_id"] == "VPCEP900"] == [
        ("VPCEP900", 14, "module.legacy")]


def test_a_multi_line_block_comment_above_the_block_applies(cwd: Path) -> None:
    example(cwd / "m", {SG: '/*\n  vpcep-lint: ignore[VPCEP001] reason="x"\n*/'})
    _, found, _ = report("m")
    assert [(f["rule_id"], f["suppressed"]) for f in found] == [("VPCEP001", True), ("VPCEP002", False)]
