"""The path a finding carries: the hops of the traffic, the entry that decides, in every input form."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from helpers import lint_paths

FORMS = ("hcl", "plan.json")
ALL_FORMS = ("hcl", "plan.json", "state.json", "plan-existing.json")


def _findings(case: str, rule: str, form: str = "hcl") -> list:
    d = FIXTURES / case
    report = lint_paths([str(d if form == "hcl" else d / form)], rule, cwd=str(d))
    assert not report.errors
    return report.findings


@pytest.mark.parametrize("form", FORMS)
def test_security_group_path_ends_at_the_deny_rule_that_matches_first(form: str) -> None:
    (f,) = _findings("VPCEP001/bad/deny-before-allow", "VPCEP001", form)
    assert [s.role for s in f.path] == ["endpoint", "service", "nic", "security group", "deciding entry"]
    assert f.path[0].address == "huaweicloud_vpcep_endpoint.api"
    assert f.path[1].message == "port mapping tcp 80 (endpoint) -> 8080 (backend)"
    last = f.path[-1]
    assert last.address == "huaweicloud_networking_secgroup_rule.deny_198_19"
    assert last.blocked == "tcp/8080 from 198.19.128.0/17 denied"
    assert (last.span.file.rsplit("/", 1)[-1], last.span.line) == ("main.tf", 30)
    assert [s for s in f.path[:-1] if s.blocked] == []


def test_a_group_with_no_admitting_rule_says_so() -> None:
    (f,) = _findings("VPCEP001/bad/rule-on-wrong-port", "VPCEP001")
    last = f.path[-1]
    assert last.message == "no rule of the groups admits tcp/8080 from 198.19.128.0/17"
    assert last.address == f.address  # the group
    assert last.blocked == "tcp/8080 from 198.19.128.0/17 denied"


def test_a_virtual_ip_backend_shows_the_vip_and_the_nic() -> None:
    (f,) = _findings("VPCEP001/bad/vip-backend-standby-not-admitted", "VPCEP001")
    roles = [(s.role, s.address) for s in f.path]
    assert ("backend", "huaweicloud_networking_vip.api") in roles
    assert ("nic", "huaweicloud_compute_instance.standby.network[0]") in roles


@pytest.mark.parametrize("form", FORMS)
def test_acl_path_names_the_blocking_block_with_its_own_line(form: str) -> None:
    (f,) = _findings("VPCEP002/bad/deny-before-allow", "VPCEP002", form)
    assert [s.role for s in f.path] == ["endpoint", "service", "nic", "subnet", "network ACL", "deciding entry"]
    last = f.path[-1]
    assert last.address == "huaweicloud_vpc_network_acl.backend.ingress_rules[0]"
    assert last.span is not None and last.span.line == 66  # the first ingress_rules block, not the ACL
    assert last.blocked == "tcp/8080 from 198.19.128.0/17 denied"


def test_endpoint_side_acl_path_starts_at_the_clients() -> None:
    found = _findings("VPCEP002/bad/endpoint-subnet-acl-misses-terminal-port", "VPCEP002")
    error = next(f for f in found if f.severity.value == "error")
    assert [s.role for s in error.path][:3] == ["vpc", "endpoint", "subnet"]
    assert error.path[0].message == "clients in 172.16.2.0/24"
    assert error.path[-1].blocked == "tcp/80 from 172.16.2.0/24 denied"


@pytest.mark.parametrize("form", FORMS)
def test_listener_path_ends_at_the_whitelist(form: str) -> None:
    (f,) = _findings("VPCEP003/bad/whitelist-without-endpoint-cidr", "VPCEP003", form)
    assert [s.role for s in f.path][-3:] == ["backend", "listener", "access control"]
    assert f.path[-1].address == "huaweicloud_elb_ipgroup.office"
    assert f.path[-1].blocked == "tcp/443 from 198.19.128.0/17 denied"


def test_peering_paths_carry_both_vpcs_and_the_peering() -> None:
    (f,) = _findings("VPCEP004/bad/secondary-cidrs-overlap", "VPCEP004")
    assert [s.address for s in f.path] == [
        "huaweicloud_vpc.platform", "huaweicloud_vpc_peering_connection.platform_data", "huaweicloud_vpc.data"]
    assert f.path[-1].blocked
    routes = _findings("VPCEP005/bad/no-routes", "VPCEP005")
    assert {f.path[0].address for f in routes} == {"huaweicloud_vpc.app", "huaweicloud_vpc.db"}
    for f in routes:
        assert [s.role for s in f.path] == ["vpc", "peering", "peer vpc"]
        assert f.path[1].blocked.startswith("no route to ")


def _bad_cases() -> list:
    out = []
    for case in sorted(FIXTURES.glob("VPCEP00[1-8]/bad/*")):
        for form in ALL_FORMS:
            expected = case / ("expected.recorded.json" if form in ALL_FORMS[2:] else "expected.json")
            expected = expected if expected.exists() else case / "expected.json"
            if (form == "hcl" or (case / form).exists()) and json.loads(expected.read_text()):
                out.append(pytest.param(case, form, id=f"{case.relative_to(FIXTURES)}:{form}"))
    return out


@pytest.mark.parametrize("case,form", _bad_cases())
def test_every_finding_of_every_bad_fixture_has_a_path_that_says_where_it_stops(case: Path, form: str) -> None:
    rule = case.parent.parent.name
    found = [f for f in _findings(str(case.relative_to(FIXTURES)), rule, form) if f.rule_id == rule]
    assert found
    for f in found:
        assert len(f.path) >= (1 if "recorded as" in f.message else 2), f.message
        assert [s for s in f.path if s.blocked], f.message
        assert all(s.address and s.message for s in f.path)
        if form == "hcl":
            assert all(s.span is not None for s in f.path), [s.address for s in f.path if s.span is None]


def test_fingerprints_are_those_recorded_before_findings_carried_paths() -> None:
    """tests/golden/fingerprints.json was written before paths existed; code scanning keeps its alerts."""
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "record_fingerprints.py"), "--check"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    assert sum(map(len, json.loads((ROOT / "tests" / "golden" / "fingerprints.json").read_text()).values())) > 200


# -- the path in each format ----------------------------------------------------------------------

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"


def _cli(*args: str, cwd: Path = EXAMPLE) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).parent / "vpcep-lint"
    return subprocess.run([str(exe), "--no-cache", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_text_prints_the_path_as_a_tree_only_with_show_path() -> None:
    plain = _cli(".")
    assert "`- " not in plain.stdout
    shown = _cli("--show-path", ".").stdout.splitlines()
    assert shown[0].startswith("main.tf:28:1: VPCEP001 error: ")
    assert shown[1:6] == [
        "    `- endpoint huaweicloud_vpcep_endpoint.orders at main.tf:116: endpoint in huaweicloud_vpc.shop; its "
        "traffic reaches the backend from 198.19.128.0/17",
        "      `- service huaweicloud_vpcep_service.orders at main.tf:96: port mapping tcp 80 (endpoint) -> "
        "8080 (backend)",
        "        `- nic huaweicloud_compute_instance.orders_api.network[0] at main.tf:51: ECS NIC network[0] in "
        "huaweicloud_vpc_subnet.app",
        "          `- security group huaweicloud_networking_secgroup.app at main.tf:28: security group 1 of 1 of "
        "the NIC; rules apply by priority, deny first at equal priority",
        "            `- x deciding entry huaweicloud_networking_secgroup.app at main.tf:28: no rule of the groups "
        "admits tcp/8080 from 198.19.128.0/17 [tcp/8080 from 198.19.128.0/17 denied]",
    ]
    assert shown[6].startswith("main.tf:64:1: VPCEP002 error: ")
    assert shown[-1] == "2 findings (2 errors) in 1 root"


def test_json_carries_the_same_steps_and_stays_valid() -> None:
    import jsonschema

    report = json.loads(_cli("-f", "json", ".").stdout)
    schema = json.loads((ROOT / "linter" / "schemas" / "report.schema.json").read_text())
    jsonschema.Draft7Validator(schema).validate(report)
    sg = report["findings"][0]
    assert [(s["role"], s["line"]) for s in sg["path"]] == [
        ("endpoint", 116), ("service", 96), ("nic", 51), ("security group", 28), ("deciding entry", 28)]
    assert sg["path"][-1]["blocked"] == "tcp/8080 from 198.19.128.0/17 denied"
    assert [s["blocked"] for s in sg["path"][:-1]] == [None] * 4


@pytest.mark.parametrize("target", [".", "plan.json"])
def test_sarif_code_flow_has_one_location_per_step_with_its_message(target: str) -> None:
    log = json.loads(_cli("-f", "sarif", "--sarif-root", ".", target).stdout)
    report = lint_paths([str(EXAMPLE / target)], cwd=str(EXAMPLE))
    for result, finding in zip(log["runs"][0]["results"], report.findings, strict=True):
        [flow] = result["codeFlows"]
        [thread] = flow["threadFlows"]
        locations = thread["locations"]
        assert len(locations) == len(finding.path)
        assert [loc["executionOrder"] for loc in locations] == list(range(1, len(locations) + 1))
        for loc, step in zip(locations, finding.path, strict=True):
            assert loc["location"]["message"]["text"].startswith(f"{step.role}: {step.address}: {step.message}")
            assert loc["location"]["physicalLocation"]["region"]["startLine"] == step.span.line
            assert loc["importance"] == ("essential" if step.blocked else "important")
        assert flow["message"]["text"] == "tcp/8080 from 198.19.128.0/17 denied"
        assert result["partialFingerprints"]["vpcepLint/v1"] == finding.fingerprint


def test_golden_sarif_has_code_flows() -> None:
    golden = json.loads((ROOT / "tests" / "golden" / "broken-endpoint.sarif").read_text())
    assert all(r["codeFlows"][0]["threadFlows"][0]["locations"] for r in golden["runs"][0]["results"])
