"""`--fix` and `--diff`: each fixable fixture is fixed, re-linted clean for its rule, idempotent and
fmt-stable; what has no one right fix is refused with the reason; good fixtures stay byte-for-byte."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES
from helpers import lint_paths

from vpcep_lint.fix_write import run_fixes

RULES = ("VPCEP001", "VPCEP002", "VPCEP003", "VPCEP005")
REFUSED = {  # case -> what the refusal says; every other bad case of these rules is fixed
    "VPCEP001/bad/deny-before-allow": "denies at the highest priority",
    "VPCEP001/bad/for-over-groups-beside-count-index": "is made with count or for_each",
    "VPCEP001/bad/no-port-admitted-service-port-unknown": "are not known statically",
    "VPCEP002/bad/endpoint-subnet-acl-misses-terminal-port": "no subnet uses that address space yet",
    "VPCEP003/bad/blacklist-covers-endpoint-cidr": "the blacklist huaweicloud_elb_ipgroup.bogons lists the range",
    "VPCEP003/bad/shared-lb-whitelist-enabled-empty": "sets no whitelist string",
    "VPCEP005/bad/custom-route-table-without-subnets": "cannot carry",
    "VPCEP005/bad/no-route-cidrs-unknown": "is not known statically",
    "VPCEP005/bad/route-inside-own-subnet": "cannot carry",
    "VPCEP005/bad/route-table-route-to-peer-via-other-peering": "has custom route tables",
}


def copy_case(case: Path, tmp_path: Path) -> Path:
    d = tmp_path / case.name
    d.mkdir()
    for f in case.iterdir():
        if f.suffix == ".tf":
            shutil.copy(f, d / f.name)
        elif f.is_dir():
            shutil.copytree(f, d / f.name)
    return d


def snapshot(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def fix(d: Path, rule: str, write: bool = True) -> tuple[int, list[str], str]:
    said: list[str] = []
    out: list[str] = []
    report = lint_paths([str(d)], rule, cwd=str(d))
    code = run_fixes(report, write_files=write, root=None,
                     echo=lambda text, err: (said if err else out).append(text))
    return code, said, "".join(out)


def cases(kind: str) -> list[object]:
    return [pytest.param(rule, case, id=str(case.relative_to(FIXTURES)))
            for rule in RULES for case in sorted((FIXTURES / rule / kind).glob("*")) if case.is_dir()]


@pytest.mark.parametrize("rule,case", cases("bad"))
def test_each_bad_fixture_is_fixed_once_and_for_all_or_refused_with_the_reason(rule: str, case: Path,
                                                                                tmp_path: Path) -> None:
    d = copy_case(case, tmp_path)
    before = lint_paths([str(d)], rule, cwd=str(d)).findings
    original = snapshot(d)
    code, said, _ = fix(d, rule)
    name = str(case.relative_to(FIXTURES))
    if name in REFUSED:
        assert any("not fixed" in s and REFUSED[name] in s for s in said), said
        assert snapshot(d) == original or any("fixed " + rule in s for s in said)
        return
    assert said and all(f": fixed {rule} [" in s for s in said), said
    assert code == 0
    after = lint_paths([str(d)], rule, cwd=str(d)).findings
    assert {f.fingerprint for f in after} & {f.fingerprint for f in before} == set(), [f.message for f in after]
    assert after == []
    fixed = snapshot(d)
    assert fixed != original
    code, said, _ = fix(d, rule)  # idempotent: nothing left to do
    assert snapshot(d) == fixed and code == 0
    assert said == ["vpcep-lint: nothing to fix: no finding of VPCEP001, VPCEP002, VPCEP003 or VPCEP005"]


@pytest.mark.parametrize("rule,case", cases("good"))
def test_good_fixtures_are_left_byte_for_byte(rule: str, case: Path, tmp_path: Path) -> None:
    d = copy_case(case, tmp_path)
    original = snapshot(d)
    code, said, _ = fix(d, rule)
    assert snapshot(d) == original
    assert not any(": fixed " in s for s in said)


def test_diff_prints_the_fix_and_writes_nothing(tmp_path: Path) -> None:
    d = copy_case(FIXTURES / "examples" / "broken-endpoint", tmp_path)
    original = snapshot(d)
    code, said, diff = fix(d, "VPCEP001", write=False)
    assert snapshot(d) == original and code == 0
    assert diff.startswith("--- a/main.tf\n+++ b/main.tf\n@@ ")
    added = [line[1:] for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert '+resource "huaweicloud_networking_secgroup_rule" "vpcep_tcp_8080" {'[1:] in added
    assert '  remote_ip_prefix  = "198.19.128.0/17"' in added
    assert said == ["vpcep-lint: main.tf:28: would fix VPCEP001 [huaweicloud_networking_secgroup.app]: added "
                    "huaweicloud_networking_secgroup_rule.vpcep_tcp_8080 for huaweicloud_networking_secgroup.app"]
    fix(d, "VPCEP001")
    fixed = (d / "main.tf").read_text().splitlines()
    assert all(line in fixed for line in added)


def test_a_deny_at_a_lower_priority_is_beaten_by_an_allow_at_priority_1(tmp_path: Path) -> None:
    d = copy_case(FIXTURES / "VPCEP001" / "bad" / "deny-before-allow", tmp_path)
    main = d / "main.tf"
    main.write_text(main.read_text().replace("  priority          = 1\n", "  priority          = 5\n", 1))
    assert lint_paths([str(d)], "VPCEP001", cwd=str(d)).findings
    code, said, _ = fix(d, "VPCEP001")
    assert code == 0, said
    assert "  priority          = 1\n" in main.read_text()
    assert lint_paths([str(d)], "VPCEP001", cwd=str(d)).findings == []


def test_a_module_of_several_roots_is_edited_once_and_names_them(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "layout" / "repo", repo)
    (repo / ".git").mkdir()
    code, said, _ = fix(repo, "VPCEP001")
    [line] = [s for s in said if "fixed VPCEP001" in s]
    assert line.startswith("vpcep-lint: modules/svc/main.tf:40: fixed VPCEP001")
    assert line.endswith("(a module of 2 roots: infra/prod, infra/staging)")
    assert (repo / "modules" / "svc" / "main.tf").read_text().count("vpcep_tcp_8080") == 1


def test_a_module_whose_roots_need_different_ports_is_left_alone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    module = repo / "modules" / "svc"
    module.mkdir(parents=True)
    (repo / ".git").mkdir()
    source = (FIXTURES / "examples" / "broken-endpoint" / "main.tf").read_text()
    body = source[source.index('resource "huaweicloud_vpc"'):]
    body = body.replace("service_port  = 8080", "service_port  = var.port")
    (module / "main.tf").write_text('variable "port" {\n  type = number\n}\n\n' + body)
    for name, port in (("a", 8080), ("b", 9090)):
        (repo / name).mkdir()
        (repo / name / "main.tf").write_text(
            'provider "huaweicloud" {\n  region = "cn-north-4"\n}\n\nmodule "svc" {\n  source = "../modules/svc"\n'
            f'  port   = {port}\n}}\n')
    original = snapshot(repo)
    code, said, _ = fix(repo, "VPCEP001")
    assert snapshot(repo) == original and code == 1
    assert [s for s in said if "VPCEP001" in s] == [
        "vpcep-lint: modules/svc/main.tf:18: not fixed VPCEP001 [module.svc.huaweicloud_networking_secgroup.app]: "
        "the roots a, b need different edits of this module (their inputs differ): fix it by hand"]


def test_a_downloaded_module_is_never_edited(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(FIXTURES / "layout" / "repo", repo)
    (repo / ".git").mkdir()
    downloaded = snapshot(repo / "infra" / "edge" / ".terraform")
    code, said, _ = fix(repo, "VPCEP005")
    assert any("not fixed VPCEP005" in s and "is under .terraform/" in s for s in said), said
    assert snapshot(repo / "infra" / "edge" / ".terraform") == downloaded


@pytest.mark.parametrize("flag", ["--fix", "--diff"])
def test_plans_and_states_are_never_fixed(flag: str) -> None:
    exe = Path(sys.executable).parent / "vpcep-lint"
    case = FIXTURES / "examples" / "broken-endpoint"
    for name in ("plan.json", "state.json"):
        done = subprocess.run([str(exe), "--no-cache", flag, name], cwd=case, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 2, done.stderr
        assert f"plans and states are never fixed: {name}" in done.stderr
        assert done.stdout == ""


def test_fix_and_diff_together_is_a_usage_error() -> None:
    exe = Path(sys.executable).parent / "vpcep-lint"
    done = subprocess.run([str(exe), "--fix", "--diff", "."], cwd=FIXTURES / "examples" / "broken-endpoint",
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "give one" in done.stderr


@pytest.mark.slow
@pytest.mark.parametrize("rule,case", [c for c in cases("bad") if c.id not in REFUSED])  # type: ignore[attr-defined]
def test_fixed_files_pass_terraform_fmt_check(rule: str, case: Path, tmp_path: Path) -> None:
    if shutil.which("terraform") is None:
        pytest.fail("terraform is not on PATH")
    d = copy_case(case, tmp_path)
    original = snapshot(d)
    clean = subprocess.run(["terraform", "fmt", "-check", "-recursive", str(d)], capture_output=True, timeout=120)
    fix(d, rule)
    done = subprocess.run(["terraform", "fmt", "-check", "-recursive", "-diff", str(d)], capture_output=True,
                          text=True, timeout=120)
    if clean.returncode == 0:
        assert done.returncode == 0, done.stdout
        return
    # the fixture itself is not formatted: every line the fix added is one fmt leaves as it is
    fixed = snapshot(d)
    added = {name: set(data.decode().splitlines()) - set(original.get(name, b"").decode().splitlines())
             for name, data in fixed.items()}
    subprocess.run(["terraform", "fmt", "-recursive", str(d)], capture_output=True, timeout=120, check=True)
    for name, lines in added.items():
        assert lines <= set((d / name).read_text().splitlines()), name
