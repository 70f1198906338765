"""Every fixture case, in every form it has, gives the findings its snapshot names.

A case lives in fixtures/<RULE>/<good|bad>/<case>/ (see docs/fixtures.md). The HCL directory,
the create plan, the state and the plan of existing resources are linted with the case's rule
only (the README's examples in fixtures/examples/ with every rule); each must give expected.json
(expected.recorded.json for the two recorded forms): rule, resource, severity, file:line and the
whole message, so a wrong port or address in a message fails the case.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from helpers import lint_paths

FORMS = ("hcl", "plan.json", "state.json", "plan-existing.json")
RECORDED = ("state.json", "plan-existing.json")


def cases() -> list[tuple[str, Path]]:
    """(rule, case) for every rule case; rule "" (every rule) for the examples."""
    out = []
    for rule_dir in sorted(FIXTURES.glob("VPCEP0[0-9][1-9]")):
        for case in sorted(rule_dir.glob("*/*")):
            if case.is_dir():
                out.append((rule_dir.name, case))
    out += [("", case) for case in sorted((FIXTURES / "examples").glob("*")) if case.is_dir()]
    return out


def order(d: dict[str, str]) -> tuple[str, ...]:
    return (d["rule"], d["address"], d.get("hcl") or "", d.get("message", ""))


def params() -> list[object]:
    out = []
    for rule, case in cases():
        for form in FORMS:
            if form == "hcl" or (case / form).exists():
                rel = case.relative_to(FIXTURES)
                out.append(pytest.param(rule, case, form, id=f"{rel}:{form}"))
    return out


def snapshot(case: Path, form: str) -> list[dict[str, str]]:
    path = case / "expected.json"
    if form != "hcl" and (case / "expected.planned.json").exists():
        path = case / "expected.planned.json"  # Terraform gave the variables the HCL form leaves unknown
    if form in RECORDED and (case / "expected.recorded.json").exists():
        path = case / "expected.recorded.json"
    return json.loads(path.read_text())


@pytest.mark.parametrize("rule,case,form", params())
def test_fixture(rule: str, case: Path, form: str) -> None:
    target = case if form == "hcl" else case / form
    report = lint_paths([str(target)], *([rule] if rule else []), cwd=str(case))
    assert not report.errors, [str(e) for e in report.errors]
    assert not report.internal_errors, report.internal_errors
    got = sorted(
        (
            {
                "rule": f.rule_id,
                "address": f.address,
                "severity": f.severity.value,
                "hcl": f"{f.span.file}:{f.span.line}" if f.span else None,
                "message": f.message,
            }
            for f in report.findings
        ),
        key=order,
    )
    want = sorted(snapshot(case, form), key=order)
    assert got == want


def test_every_case_has_a_snapshot_and_both_forms() -> None:
    problems = []
    for _, case in cases():
        if not (case / "expected.json").exists():
            problems.append(f"{case.relative_to(ROOT)}: no expected.json")
        if not list(case.glob("*.tf")):
            problems.append(f"{case.relative_to(ROOT)}: no .tf file")
        if not (case / "plan.json").exists():
            problems.append(f"{case.relative_to(ROOT)}: no plan.json")
    assert not problems
    assert len(cases()) >= 40
    assert ("", FIXTURES / "examples" / "broken-endpoint") in cases()


def test_good_and_bad_cases_exist_for_every_rule() -> None:
    for rule_dir in sorted(FIXTURES.glob("VPCEP0[0-9][1-9]")):
        verdicts = {p.name for p in rule_dir.iterdir() if p.is_dir()}
        assert {"good", "bad"} <= verdicts, rule_dir.name


def test_bad_cases_find_something_and_good_cases_nothing() -> None:
    for _, case in cases():
        expected = json.loads((case / "expected.json").read_text())
        for extra in ("expected.recorded.json", "expected.planned.json"):
            if (case / extra).exists():
                expected = expected + json.loads((case / extra).read_text())
        if case.parent.name == "good":
            assert expected == [], case
        else:
            assert expected, case
            assert all(e["message"].strip() for e in expected), case
