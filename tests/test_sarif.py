"""The SARIF report: schema-valid for every fixture, GitHub's extra demands, and a golden file.

The SARIF 2.1.0 JSON schema cannot see what GitHub code scanning also wants (a string
`security-severity`, relative URIs, ...); those checks are below. Microsoft's validator runs in CI
through tools/validate_sarif.sh (see docs/sarif.md), not here: it needs npm.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import FIXTURES, ROOT
from helpers import rules

from vpcep_lint import settings
from vpcep_lint.api import Options, Report, lint
from vpcep_lint.cli import main
from vpcep_lint.model import Inventory
from vpcep_lint.registry import RuleLoadError
from vpcep_lint.report import sarif, sarif_rules
from vpcep_lint.report.formatters import RenderOptions
from vpcep_lint.rule import Finding, Related, Rule, Severity

SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-2.1.0.json"  # the OASIS schema, see its SOURCES.md
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
GOLDEN = Path(__file__).resolve().parent / "golden" / "broken-endpoint.sarif"
EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
ROOT_URI_TOKEN = "file:///REPOSITORY_ROOT/"
PRECISIONS = {"very-high", "high", "medium", "low"}


INPUT_ERROR_CASES = FIXTURES / "VPCEP000"


def cases() -> list[Path]:
    """Rule cases, the examples and the workflow cases; and the bad-input cases of VPCEP000."""
    found = [*FIXTURES.glob("VPCEP*/*/*"), *FIXTURES.glob("examples/*"), *FIXTURES.glob("workflow/*")]
    return sorted(p for p in found if p.is_dir())


def forms(case: Path) -> list[str]:
    """`hcl` (the directory) and the JSON inputs of a case: plan.json, or any JSON file of VPCEP000."""
    if not case.is_relative_to(INPUT_ERROR_CASES):
        return ["hcl"] + (["plan.json"] if (case / "plan.json").exists() else [])
    names = sorted(p.name for p in case.iterdir() if p.is_file())
    json_files = [n for n in names if n.endswith(".json") and not n.endswith(".tf.json")]
    has_tf = any(n.endswith((".tf", ".tf.json")) for n in names)
    return (["hcl"] if has_tf or not json_files else []) + json_files


def case_id(case: Path) -> str:
    return case.relative_to(FIXTURES).as_posix()


def fixture_params() -> list[Any]:
    return [pytest.param(case, form, id=f"{case_id(case)}:{form}") for case in cases() for form in forms(case)]


def parity_params() -> list[Any]:
    return [pytest.param(case, id=case_id(case)) for case in cases() if "plan.json" in forms(case)
            and not case.is_relative_to(INPUT_ERROR_CASES)]


@contextlib.contextmanager
def working_directory(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(paths: list[str], *, cwd: Path = ROOT, root: Path | None = ROOT, category: str | None = None,
        rule_classes: list[type[Rule]] | None = None, **options: Any) -> tuple[Report, dict[str, Any], str]:
    """Lint in-process as the CLI does (suppressions included) and render SARIF."""
    with working_directory(cwd):
        chosen = rule_classes if rule_classes is not None else rules()
        report = lint(paths, Options(rules=chosen, cwd=str(cwd), **options))
        settings.apply_after(report, settings.Config(), {})
        text = sarif.render(report, RenderOptions(sarif_root=str(root) if root else None, category=category, paths=paths))
    return report, json.loads(text), text


@functools.cache
def fixture_sarif(case: Path, form: str) -> tuple[Report, dict[str, Any], str]:
    target = case if form == "hcl" else case / form
    return run([str(target.relative_to(ROOT))])


@functools.lru_cache(maxsize=1)
def validator() -> Any:
    import jsonschema  # a runtime dependency: never missing

    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema)


def test_the_schema_is_the_oasis_text() -> None:
    """The copy in the repository is the published schema, unchanged (tests/schemas/SOURCES.md)."""
    assert hashlib.sha256(SCHEMA.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")


def test_the_schema_rejects_what_github_rejects() -> None:
    """The validator is not vacuous: a null level and a missing driver name are errors."""
    _, log, _ = fixture_sarif(EXAMPLE, "hcl")
    assert schema_errors(log) == []
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["level"] = None
    del broken["runs"][0]["tool"]["driver"]["name"]
    errors = schema_errors(broken)
    assert any("results/0/level" in e for e in errors) and any("'name' is a required property" in e for e in errors)


def schema_errors(log: dict[str, Any]) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(log)]


# -- our own checks: what the schema cannot say ------------------------------------------------

def walk(node: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}[{i}]")


def artifact_uris(log: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (path, node["artifactLocation"]["uri"])
        for path, node in walk(log)
        if isinstance(node, dict) and isinstance(node.get("artifactLocation"), dict)
    ]


def github_problems(log: dict[str, Any], root: Path | None = ROOT, files_exist: bool = True) -> list[str]:
    problems: list[str] = [f"{path}: null" for path, node in walk(log) if node is None]
    run_ = log["runs"][0]
    rules_ = run_["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules_]
    if ids != sorted(set(ids)):
        problems.append(f"rule ids not sorted and unique: {ids}")
    for rule in rules_:
        problems += rule_problems(rule)
    for i, result in enumerate(run_["results"]):
        problems += result_problems(f"results[{i}]", result, rules_)
    for path, uri in artifact_uris(log):
        problems += uri_problems(path, uri, root if files_exist else None)
    bases = run_.get("originalUriBaseIds")
    if bases is not None and not bases["%SRCROOT%"]["uri"].endswith("/"):
        problems.append("originalUriBaseIds %SRCROOT% must end with /")
    return problems


def rule_problems(rule: dict[str, Any]) -> list[str]:
    """What GitHub code scanning would reject or show badly in one rule descriptor."""
    problems = []
    props = rule.get("properties", {})
    sev = props.get("security-severity")
    if not isinstance(sev, str):
        problems.append(f"{rule['id']}: security-severity {sev!r} is not a string")
    elif not 0.1 <= float(sev) <= 10.0:
        problems.append(f"{rule['id']}: security-severity {sev} outside 0.1-10.0")
    if props.get("precision") not in PRECISIONS:
        problems.append(f"{rule['id']}: precision {props.get('precision')!r}")
    problems += [f"{rule['id']}: no {key}.text" for key in ("shortDescription", "fullDescription", "help")
                 if not rule.get(key, {}).get("text")]
    if len(rule["shortDescription"]["text"]) > 1024 or len(rule["fullDescription"]["text"]) > 1024:
        problems.append(f"{rule['id']}: description longer than GitHub's 1024 characters")
    if rule.get("defaultConfiguration", {}).get("level") not in ("error", "warning", "note"):
        problems.append(f"{rule['id']}: defaultConfiguration.level")
    return problems


def result_problems(at: str, result: dict[str, Any], rules_: list[dict[str, Any]]) -> list[str]:
    """What GitHub code scanning would reject in one result (`at` names it)."""
    problems = []
    index = result.get("ruleIndex")
    if not isinstance(index, int) or not 0 <= index < len(rules_) or rules_[index]["id"] != result["ruleId"]:
        problems.append(f"{at}: ruleIndex {index} does not point at {result['ruleId']}")
    if result.get("level") not in ("error", "warning", "note"):
        problems.append(f"{at}: level {result.get('level')!r}")
    if not result["message"].get("text"):
        problems.append(f"{at}: no message text")
    if not result.get("partialFingerprints", {}).get("vpcepLint/v1"):
        problems.append(f"{at}: no vpcepLint/v1 fingerprint")
    locations = result.get("locations") or []
    if len(locations) != 1 or "physicalLocation" not in locations[0]:
        problems.append(f"{at}: needs exactly one location with a physicalLocation")
    problems += [f"{at}.relatedLocations[{j}]: no physicalLocation (GitHub rule GH1001)"
                 for j, rel in enumerate(result.get("relatedLocations", [])) if "physicalLocation" not in rel]
    return problems


def uri_problems(path: str, uri: str, root: Path | None) -> list[str]:
    """What is wrong with an artifact URI; with `root`, also that it names no file below it."""
    problems = []
    parts = urllib.parse.urlsplit(uri)
    if parts.scheme or parts.netloc or uri.startswith("/") or "\\" in uri or " " in uri:
        problems.append(f"{path}: {uri!r} is not a relative POSIX URI")
    if ".." in urllib.parse.unquote(uri).split("/"):
        problems.append(f"{path}: {uri!r} climbs out of the root")
    if urllib.parse.quote(urllib.parse.unquote(uri), safe="/") != uri:
        problems.append(f"{path}: {uri!r} is not percent-encoded")
    if root is not None and not (root / urllib.parse.unquote(uri)).exists():
        problems.append(f"{path}: {uri!r} does not exist below the root")
    return problems


def result_ids(log: dict[str, Any]) -> set[tuple[str, str]]:
    return {(r["ruleId"], r["partialFingerprints"]["vpcepLint/v1"]) for r in log["runs"][0]["results"]}


# -- every fixture -----------------------------------------------------------------------------

@pytest.mark.parametrize(("case", "form"), fixture_params())
def test_fixture_sarif_is_valid(case: Path, form: str) -> None:
    report, log, text = fixture_sarif(case, form)
    assert not report.internal_errors
    assert schema_errors(log) == []
    assert github_problems(log) == []
    run_ = log["runs"][0]
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json" and log["version"] == "2.1.0"
    assert len(log["runs"]) == 1
    assert {r.id for r in report.rules} <= {r["id"] for r in run_["tool"]["driver"]["rules"]}
    assert len(run_["results"]) == len(report.findings)
    assert run_["originalUriBaseIds"] == {"%SRCROOT%": {"uri": ROOT.resolve().as_uri() + "/"}}
    target = case if form == "hcl" else case / form
    assert run_["automationDetails"] == {"id": f"vpcep-lint/{target.relative_to(ROOT).as_posix()}/"}
    invocation = run_["invocations"][0]
    told = [n for n in invocation.get("toolExecutionNotifications", []) if n["level"] == "note"]
    assert [n["message"]["text"] for n in told] == [
        f"not checked: {u.what}: {u.why}" + (f" [{u.address}]" if u.address else "") for u in report.unchecked]
    if not report.errors:
        assert not [r for r in run_["results"] if r["ruleId"] == "VPCEP000"]
        assert invocation == ({"executionSuccessful": True, "toolExecutionNotifications": told} if told
                              else {"executionSuccessful": True})
        return
    assert case.is_relative_to(INPUT_ERROR_CASES), [str(e) for e in report.errors]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == len(report.errors)
    assert all(n["level"] == "error" and n["descriptor"] == {"id": "VPCEP000"} for n in notes)
    assert len([r for r in run_["results"] if r["ruleId"] == "VPCEP000"]) == len(report.errors)


@pytest.mark.parametrize("case", parity_params())
def test_fingerprints_match_between_hcl_and_plan(case: Path) -> None:
    _, hcl, _ = fixture_sarif(case, "hcl")
    _, plan, _ = fixture_sarif(case, "plan.json")
    assert result_ids(hcl) == result_ids(plan)


def test_fixture_list_is_not_empty() -> None:
    assert len(cases()) >= 40
    assert EXAMPLE in cases()
    assert len(parity_params()) >= 40


def test_output_is_deterministic() -> None:
    _, _, first = fixture_sarif(EXAMPLE, "hcl")
    _, _, second = run([str(EXAMPLE.relative_to(ROOT))])
    assert first == second
    assert "Time" not in first and "null" not in first


# -- the golden file ---------------------------------------------------------------------------

def cli_sarif(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["--format", "sarif", "--sarif-root", str(ROOT), *args])
    return result.exit_code, result.stdout


def test_golden_broken_endpoint(request: pytest.FixtureRequest) -> None:
    code, out = cli_sarif(str(EXAMPLE))
    assert code == 1, out
    normalized = out.replace(ROOT.resolve().as_uri() + "/", ROOT_URI_TOKEN)
    assert ROOT_URI_TOKEN in normalized and str(ROOT) not in normalized
    if request.config.getoption("--update-snapshots"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(normalized, encoding="utf-8", newline="\n")
    assert GOLDEN.exists(), "no golden file: run pytest --update-snapshots"
    assert normalized == GOLDEN.read_text(encoding="utf-8")


def test_golden_file_is_valid() -> None:
    log = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert schema_errors(log) == []
    assert github_problems(log) == []


def test_our_github_checks_catch_what_the_schema_lets_through() -> None:
    """github_problems is not vacuous: a numeric security-severity, a wrong ruleIndex, an absolute URI."""
    log = json.loads(GOLDEN.read_text(encoding="utf-8"))
    run_ = log["runs"][0]
    run_["tool"]["driver"]["rules"][0]["properties"]["security-severity"] = 9.0
    run_["results"][0]["ruleIndex"] = 0
    run_["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] = "/etc/main.tf"
    assert schema_errors(log) == []  # all three are valid SARIF
    problems = github_problems(log, files_exist=False)
    assert any("security-severity 9.0 is not a string" in p for p in problems)
    assert any(p.startswith("results[0]: ruleIndex 0 does not point at VPCEP001") for p in problems)
    assert any("'/etc/main.tf' is not a relative POSIX URI" in p for p in problems)


def test_output_file_is_written_on_exit_1(tmp_path: Path) -> None:
    out = tmp_path / "results.sarif"
    code, stdout = cli_sarif("--output", str(out), str(EXAMPLE))
    assert code == 1 and stdout == ""
    assert out.read_text(encoding="utf-8") == cli_sarif(str(EXAMPLE))[1]


# -- rules -------------------------------------------------------------------------------------

def test_rule_descriptors() -> None:
    report, log, _ = fixture_sarif(EXAMPLE, "hcl")
    described = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    for cls in report.rules:
        d = described[cls.id]
        assert d["name"] == cls.__name__
        assert d["shortDescription"] == {"text": cls.title}
        summary = next(p for p in cls.doc().split("\n\n") if not p.startswith("#"))  # the page's, after its title
        assert d["fullDescription"]["text"] == " ".join(summary.split())
        assert d["help"] == {"text": cls.doc(), "markdown": cls.doc()}
        assert d["helpUri"] == f"https://github.com/vpcep-lint/vpcep-lint/blob/main/docs/rules/{cls.id}.md"
        assert d["defaultConfiguration"] == {"level": cls.severity.value}
        props = d["properties"]
        assert props["tags"][:4] == ["security", "terraform", "huaweicloud", "vpcep"]
        assert set(cls.tags) <= set(props["tags"])
        assert props["precision"] == cls.precision
        assert props["security-severity"] == {"error": "9.0", "warning": "5.0", "note": "2.0"}[cls.severity.value]
    # the input and suppression checks ran too: described like every rule, from their classes
    assert described["VPCEP000"]["name"] == "UnreadableInput" and described["VPCEP900"]["name"] == "SuppressionComment"
    assert list(described) == [cls.id for cls in report.rules]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "vpcep-lint" and driver["version"] == driver["semanticVersion"]
    assert driver["informationUri"] == "https://github.com/vpcep-lint/vpcep-lint"


def test_results_of_the_example() -> None:
    _, log, _ = fixture_sarif(EXAMPLE, "hcl")
    first = log["runs"][0]["results"][0]
    assert first["ruleId"] == "VPCEP001" and first["level"] == "error"
    assert "huaweicloud_networking_secgroup.app" in first["message"]["text"]
    loc = first["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"] == {
        "uri": "fixtures/examples/broken-endpoint/main.tf",
        "uriBaseId": "%SRCROOT%",
    }
    assert loc["physicalLocation"]["region"] == {"startLine": 28, "startColumn": 1, "endLine": 31, "endColumn": 2}
    assert loc["logicalLocations"] == [
        {"fullyQualifiedName": "huaweicloud_networking_secgroup.app", "kind": "resource"}
    ]
    related = first["relatedLocations"]
    assert [r["id"] for r in related] == [1, 2]
    assert related[0]["message"] == {"text": "service: huaweicloud_vpcep_service.orders"}
    assert related[0]["physicalLocation"]["region"]["startLine"] == 90


# -- plan input without its sources -------------------------------------------------------------

def test_plan_finding_without_span_points_at_the_plan(tmp_path: Path) -> None:
    plan = EXAMPLE / "plan.json"
    _, log, _ = run([str(plan.relative_to(ROOT))], source_dir=str(tmp_path))  # an empty dir: no spans
    assert schema_errors(log) == [] and github_problems(log) == []
    results = log["runs"][0]["results"]
    assert results
    for result in results:
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] == "fixtures/examples/broken-endpoint/plan.json"
        assert physical["region"] == {"startLine": 1, "startColumn": 1}
        assert result["message"]["text"].endswith("(location in plan file; pass --source-dir for file:line)")
        assert result["locations"][0]["logicalLocations"][0]["kind"] == "resource"
        for rel in result["relatedLocations"]:
            assert rel["physicalLocation"]["artifactLocation"]["uri"].endswith("plan.json")
    _, with_spans, _ = fixture_sarif(EXAMPLE, "plan.json")
    assert result_ids(with_spans) == result_ids(log)


def test_stdin_plan(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["-f", "sarif", "--sarif-root", str(tmp_path), "-"], input=(EXAMPLE / "plan.json").read_bytes()
    )
    log = json.loads(result.stdout)
    assert schema_errors(log) == [] and github_problems(log, files_exist=False) == []
    assert log["runs"][0]["automationDetails"] == {"id": "vpcep-lint/stdin/"}
    uris = {uri for _, uri in artifact_uris(log)}
    assert uris == {"%3Cstdin%3E"}


# -- paths -------------------------------------------------------------------------------------

def test_file_outside_the_root_is_named_by_its_base_name(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "root", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (elsewhere / "main.tf").write_text((EXAMPLE / "main.tf").read_text())
    _, log, _ = run([str(elsewhere)], cwd=tmp_path, root=root)
    assert schema_errors(log) == [] and github_problems(log, files_exist=False) == []
    for result in log["runs"][0]["results"]:
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "main.tf"
        assert "outside the SARIF root" in result["message"]["text"]
    assert str(tmp_path) not in json.dumps(log["runs"][0]["results"])


def test_uris_are_percent_encoded(tmp_path: Path) -> None:
    d = tmp_path / "repo" / "infra dir #1 %ü"
    d.mkdir(parents=True)
    (tmp_path / "repo" / ".git").mkdir()
    (d / "main.tf").write_text((EXAMPLE / "main.tf").read_text())
    _, log, _ = run([str(d)], cwd=tmp_path / "repo", root=None)  # the root is found by walking up to .git
    assert schema_errors(log) == [] and github_problems(log, root=tmp_path / "repo") == []
    uris = {uri for _, uri in artifact_uris(log)}
    assert uris == {"infra%20dir%20%231%20%25%C3%BC/main.tf"}
    assert log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (tmp_path / "repo").resolve().as_uri() + "/"


def test_no_base_uri_when_the_root_is_only_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((EXAMPLE / "main.tf").read_text())
    if sarif.git_root(str(tmp_path)) is not None:
        pytest.skip("the temporary directory is inside a git work tree")
    _, log, _ = run(["."], cwd=tmp_path, root=None)
    assert "originalUriBaseIds" not in log["runs"][0]
    assert {uri for _, uri in artifact_uris(log)} == {"main.tf"}
    assert log["runs"][0]["automationDetails"] == {"id": "vpcep-lint/"}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(None, "vpcep-lint/fixtures/examples/broken-endpoint/", id="default"),
        pytest.param("infra/prod", "infra/prod/", id="slash-added"),
        pytest.param("infra/prod/", "infra/prod/", id="kept"),
    ],
)
def test_category(given: str | None, expected: str) -> None:
    _, log, _ = run([str(EXAMPLE.relative_to(ROOT))], category=given)
    assert log["runs"][0]["automationDetails"] == {"id": expected}


# -- suppressions, input errors, internal errors ------------------------------------------------

def test_suppressed_findings_keep_their_result(tmp_path: Path) -> None:
    source = (EXAMPLE / "main.tf").read_text()
    sg = 'resource "huaweicloud_networking_secgroup" "app" {'
    vpc = 'resource "huaweicloud_vpc" "shop" {'
    reason = "reached over the VPC only, see {ticket}"
    source = source.replace(sg, f'# vpcep-lint: ignore[VPCEP001] reason="{reason}"\n' + sg)
    source = source.replace(vpc, '# vpcep-lint: ignore[VPCEP003] reason="nothing fires here"\n' + vpc)
    (tmp_path / "main.tf").write_text(source)
    _, log, _ = run(["."], cwd=tmp_path, root=tmp_path)
    assert schema_errors(log) == [] and github_problems(log, root=tmp_path) == []
    results = log["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert [r["ruleId"] for r in suppressed] == ["VPCEP001"]
    assert suppressed[0]["suppressions"] == [
        {"kind": "inSource", "justification": "reached over the VPC only, see {ticket}"}
    ]
    meta = [r for r in results if r["ruleId"] == "VPCEP900"]
    assert len(meta) == 1 and meta[0]["level"] == "note" and "unused suppression" in meta[0]["message"]["text"]
    described = {r["id"]: r for r in log["runs"][0]["tool"]["driver"]["rules"]}
    assert described["VPCEP900"]["name"] == "SuppressionComment"
    assert "VPCEP002" in {r["ruleId"] for r in results if "suppressions" not in r}


def test_input_error_makes_the_execution_unsuccessful(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text('resource "huaweicloud_vpc" "x" {\n  name = \n')
    report, log, _ = run(["broken", "missing.json"], cwd=tmp_path, root=tmp_path)
    assert report.errors
    assert schema_errors(log) == [] and github_problems(log, root=tmp_path, files_exist=False) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == len(report.errors) == 2
    rules_ = log["runs"][0]["tool"]["driver"]["rules"]
    assert rules_[0]["id"] == "VPCEP000" and rules_[0]["name"] == "UnreadableInput"
    for note in notes:
        assert note["level"] == "error"
        assert note["descriptor"] == {"id": "VPCEP000"}
        assert note["associatedRule"] == {"id": "VPCEP000", "index": 0}
    by_uri = {n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: n for n in notes}
    assert set(by_uri) == {"broken/main.tf", "missing.json"}
    assert by_uri["broken/main.tf"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    errors = [r for r in log["runs"][0]["results"] if r["ruleId"] == "VPCEP000"]
    assert len(errors) == 2 and all(r["ruleIndex"] == 0 for r in errors)


def test_each_input_error_has_a_fingerprint_of_its_file_and_problem(tmp_path: Path) -> None:
    """Two input errors never share a fingerprint (code scanning would merge them into one alert);
    the same error in the same file keeps its fingerprint from run to run."""
    for name, text in (("a", "resource {\n"), ("b", "resource {\n"), ("c", 'resource "x" "y" {\n  name =\n}\n')):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(text)

    def fingerprints() -> dict[str, str]:
        _, log, _ = run(["a", "b", "c", "missing.json"], cwd=tmp_path, root=tmp_path)
        return {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r["partialFingerprints"]["vpcepLint/v1"]
                for r in log["runs"][0]["results"] if r["ruleId"] == "VPCEP000"}

    first = fingerprints()
    assert set(first) == {"a/main.tf", "b/main.tf", "c/main.tf", "missing.json"}
    assert len(set(first.values())) == 4
    assert fingerprints() == first
    (tmp_path / "c" / "main.tf").write_text("\n\n" + (tmp_path / "c" / "main.tf").read_text())  # moved, not changed
    assert fingerprints() == first


class CrashingRule(Rule):
    """Crashes, to test how internal errors are reported."""

    id = "TEST001"
    title = "Always crashes"
    package = "acme-test-rules"

    def check(self, inv: Inventory) -> Iterator[Finding]:
        raise RuntimeError("boom")


def test_internal_errors_are_notifications(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text((EXAMPLE / "main.tf").read_text())
    report, _, _ = run(["."], cwd=tmp_path, root=tmp_path, rule_classes=[CrashingRule, *rules("VPCEP001")])
    report.load_errors.append(RuleLoadError("ACME001", "acme-rules", "ImportError: no module named acme"))
    log = json.loads(sarif.render(report, RenderOptions(sarif_root=str(tmp_path))))
    assert schema_errors(log) == [] and github_problems(log, root=tmp_path) == []
    invocation = log["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "rule TEST001 crashed on .: RuntimeError: boom",
        "rule ACME001 from acme-rules failed to load: ImportError: no module named acme",
    ]
    index = [r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]].index("TEST001")
    assert notes[0]["associatedRule"] == {"id": "TEST001", "index": index}
    test_rule = log["runs"][0]["tool"]["driver"]["rules"][index]
    assert "helpUri" not in test_rule  # not one of ours: no link into our docs
    assert test_rule["properties"]["precision"] == "high"


# -- units -------------------------------------------------------------------------------------

def test_severity_override_keeps_an_explicit_level() -> None:
    """sarif-om's default level is "warning"; a result at "warning" under an "error" rule must say so."""
    f = Finding(rule_id="VPCEP001", severity=Severity.WARNING, message="m", address="a.b",
                span=None, source="plan.json")
    report = Report(findings=[f], rules=rules("VPCEP001"))
    log = json.loads(sarif.render(report, RenderOptions(sarif_root=str(ROOT))))
    assert log["runs"][0]["results"][0]["level"] == "warning"
    assert log["runs"][0]["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "error"}
    assert "rank" not in json.dumps(log) and '"ruleIndex": -1' not in json.dumps(log)


def test_message_text() -> None:
    f = Finding(rule_id="VPCEP001", severity=Severity.ERROR, message="no rule admits {x}", address="huaweicloud_vpc.a",
                span=None, source="", related=(Related("huaweicloud_vpc.b", "peer"),))
    log = json.loads(sarif.render(Report(findings=[f], rules=rules("VPCEP001")), RenderOptions(sarif_root=str(ROOT))))
    result = log["runs"][0]["results"][0]
    # braces are placeholders in SARIF messages (§3.11.5); the address is added when missing
    assert result["message"]["text"].startswith("no rule admits {{x}} [huaweicloud_vpc.a]")
    assert result["relatedLocations"][0]["message"]["text"].startswith("peer: huaweicloud_vpc.b")


@pytest.mark.parametrize(
    ("path", "uri"),
    [
        pytest.param("a/b.tf", "a/b.tf", id="plain"),
        pytest.param("my dir/main.tf", "my%20dir/main.tf", id="space"),
        pytest.param("x#1/y?.tf", "x%231/y%3F.tf", id="fragment-and-query"),
        pytest.param("100%/a.tf", "100%25/a.tf", id="percent"),
        pytest.param("été/a.tf", "%C3%A9t%C3%A9/a.tf", id="non-ascii"),
    ],
)
def test_to_uri(path: str, uri: str) -> None:
    assert sarif.to_uri(path) == uri


def test_first_paragraph_is_clipped_for_github() -> None:
    long = "word " * 400
    assert len(sarif_rules.first_paragraph(long + "\n\nsecond")) <= 1024


def test_relative_path(tmp_path: Path) -> None:
    (tmp_path / "root" / "sub").mkdir(parents=True)
    root = str(tmp_path / "root")
    assert sarif.relative_path("sub/main.tf", root, root) == "sub/main.tf"
    assert sarif.relative_path(str(tmp_path / "root" / "sub" / "main.tf"), root, "/") == "sub/main.tf"
    assert sarif.relative_path("../other/main.tf", root, root) is None
    assert sarif.relative_path(str(tmp_path / "rootless.tf"), root, root) is None


def test_only_the_sarif_modules_import_sarif_om() -> None:
    importers = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "linter").rglob("*.py")) + sorted((ROOT / "rules").rglob("*.py"))
        if "import sarif_om" in p.read_text(encoding="utf-8")
    ]
    assert importers == ["linter/report/sarif.py", "linter/report/sarif_objects.py", "linter/report/sarif_rules.py"]

