"""What a fixture case could not check, in every form: its `unchecked.json` snapshot.

A case that has `unchecked.json` (see docs/fixtures.md) is linted like in test_fixtures.py, with
its rule only; the "not checked" items of each form must be those the snapshot lists for it:
what, why (with the rules that skipped it) and the resource, and for the HCL form file:line. A
form with an empty list must say nothing is unchecked, so a note that should not be there fails.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import lint_paths

FORMS = ("hcl", "plan.json", "state.json", "plan-existing.json")


def params() -> list[object]:
    out = []
    for snap in sorted(FIXTURES.glob("VPCEP0[0-9][1-9]/*/*/unchecked.json")):
        case = snap.parent
        want = json.loads(snap.read_text())
        for form in FORMS:
            if form == "hcl" or (case / form).exists():
                out.append(pytest.param(case, form, want[form], id=f"{case.relative_to(FIXTURES)}:{form}"))
    return out


def items(case: Path, form: str) -> list[dict[str, str | None]]:
    target = case if form == "hcl" else case / form
    report = lint_paths([str(target)], case.parent.parent.name, cwd=str(case))
    assert not report.errors, [str(e) for e in report.errors]
    return sorted(
        ({"what": u.what, "why": u.why, "address": u.address,
          "hcl": (f"{u.file}:{u.line}" if u.file else None) if form == "hcl" else None}
         for u in report.unchecked if u.kind != "module"),
        key=lambda d: (d["address"], d["what"]),
    )


@pytest.mark.parametrize("case,form,want", params())
def test_unchecked(case: Path, form: str, want: list[dict[str, str | None]]) -> None:
    assert items(case, form) == sorted(want, key=lambda d: (d["address"], d["what"]))


def test_every_form_has_a_snapshot() -> None:
    snaps = sorted(FIXTURES.glob("VPCEP0[0-9][1-9]/*/*/unchecked.json"))
    assert len(snaps) >= 9
    for snap in snaps:
        forms = {f for f in FORMS if f == "hcl" or (snap.parent / f).exists()}
        assert set(json.loads(snap.read_text())) == forms, snap


def test_a_root_whose_subjects_are_all_outside_checked_nothing() -> None:
    from vpcep_lint.report.text import summary

    case = FIXTURES / "VPCEP008" / "good" / "vpcs-outside-configuration"
    report = lint_paths([str(case)], cwd=str(case))
    [item] = [u for u in report.unchecked if u.kind == "subject"]
    assert item.why == "not in the configuration; VPCEP004, VPCEP005, VPCEP008 not checked"
    text = summary(report, report.findings)
    assert text.startswith("nothing checked in 1 root: "), text
    assert "1 subject not checked" in text


PEERED_ON_ONE_PROVIDER = """
variable "region_name" {
  type = string
}

provider "huaweicloud" {
  region = var.region_name
}

resource "huaweicloud_vpc" "a" {
  name = "a"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpc" "b" {
  name = "b"
  cidr = "10.1.0.0/16"
}

resource "huaweicloud_vpc_peering_connection" "ab" {
  name        = "ab"
  vpc_id      = huaweicloud_vpc.a.id
  peer_vpc_id = huaweicloud_vpc.b.id
}
"""


def test_one_provider_region_from_a_variable_is_one_region(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(PEERED_ON_ONE_PROVIDER)
    report = lint_paths([str(tmp_path)], "VPCEP008", cwd=str(tmp_path))
    assert report.findings == [] and report.unchecked == []
    # a VPC that sets its own region from another variable is not known to share it
    (tmp_path / "main.tf").write_text(PEERED_ON_ONE_PROVIDER.replace(
        'name = "b"', 'name   = "b"\n  region = var.other').replace(
        'variable "region_name"', 'variable "other" {}\n\nvariable "region_name"'))
    report = lint_paths([str(tmp_path)], "VPCEP008", cwd=str(tmp_path))
    assert [(u.what, u.why) for u in report.unchecked] == [("its region", "not known statically; VPCEP008 not checked")]


APPROVAL_FROM_A_VARIABLE = '''
variable "needs_approval" {
  type = bool
}

resource "huaweicloud_vpc" "v" {
  name = "v"
  cidr = "10.0.0.0/16"
}

resource "huaweicloud_vpcep_service" "s" {
  name        = "s"
  vpc_id      = huaweicloud_vpc.v.id
  server_type = "VM"
  port_id     = "11111111-2222-3333-4444-555555555555"
  approval    = var.needs_approval

  port_mapping {
    service_port  = 8080
    terminal_port = 80
  }
}

resource "huaweicloud_vpcep_endpoint" "e" {
  service_id = huaweicloud_vpcep_service.s.id
  vpc_id     = huaweicloud_vpc.v.id
  network_id = "x"
}
'''


def test_an_unknown_approval_setting_is_said_unless_an_approval_accepts_the_endpoint(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(APPROVAL_FROM_A_VARIABLE)
    report = lint_paths([str(tmp_path)], "VPCEP007", cwd=str(tmp_path))
    assert report.findings == []
    assert [(u.what, u.why, u.line) for u in report.unchecked] == [
        ("whether it requires approval", "not known statically; VPCEP007 not checked", 16)]
    # whatever the setting, an approval that accepts the endpoint leaves nothing to check
    (tmp_path / "approval.tf").write_text(
        'resource "huaweicloud_vpcep_approval" "a" {\n  service_id = huaweicloud_vpcep_service.s.id\n'
        '  endpoints  = [huaweicloud_vpcep_endpoint.e.id]\n}\n')
    report = lint_paths([str(tmp_path)], "VPCEP007", cwd=str(tmp_path))
    assert report.findings == [] and report.unchecked == []
