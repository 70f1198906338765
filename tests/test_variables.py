"""Root module variables: where values come from, in which order, and how they are converted.

Three layers:
- `loaders.variables` on its own, against what Terraform itself did with the same inputs
  (fixtures/variables/terraform-cases.json, recorded with tools/record_variable_cases.py);
- the HCL loader on the directories under fixtures/layout/vars-*/: the values resources get;
- the command line on those directories: findings, exit codes, one line per bad input, warnings.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from vpcep_lint.api import Options, lint
from vpcep_lint.cli import main
from vpcep_lint.loaders.hcl import HclLoader
from vpcep_lint.loaders.hcl_syntax import parse_hcl
from vpcep_lint.loaders.sources import SourceSet
from vpcep_lint.loaders.variables import (
    ANY,
    ConversionError,
    Rejected,
    RootVarFiles,
    VarArg,
    VarFile,
    VariableInputs,
    assign,
    coerce,
    convert,
    inputs_for_root,
    parse_type,
    root_var_files,
    static_value,
    type_str,
)
from vpcep_lint.model import UNKNOWN

LAYOUT = FIXTURES / "layout"
PROD_PORT = LAYOUT / "vars-prod-port"
PRECEDENCE = LAYOUT / "vars-precedence"
TYPES = LAYOUT / "vars-types"
BAD = LAYOUT / "vars-bad"
CONFIG = LAYOUT / "vars-config"
EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
RECORDED = json.loads((FIXTURES / "variables" / "terraform-cases.json").read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _no_tf_vars(monkeypatch: pytest.MonkeyPatch) -> None:
    """The developer's own TF_VAR_* never reach these tests."""
    for key in list(os.environ):
        if key.startswith("TF_VAR_"):
            monkeypatch.delenv(key)


# -- against Terraform ---------------------------------------------------------------------------

def _assign_case(c: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(c["tf"])
    for name, text in c["files"].items():
        (root / name).write_text(text)
    monkeypatch.chdir(root)  # Terraform ran there: -var-file paths are relative to it
    sources = SourceSet(cwd=str(root))
    definition = HclLoader(".", sources).definition(".")
    assert definition is not None
    items = [(flag.lstrip("-"), value) for flag, value in c["args"]]
    return assign(".", definition.variables, VariableInputs.from_command_line(items, c["env"]), sources)


def _where(e: Any) -> tuple[str, int | None]:
    return (e.source, e.line)


@pytest.mark.parametrize("c", RECORDED["cases"], ids=[c["id"] for c in RECORDED["cases"]])
def test_values_errors_and_warnings_are_terraforms(c: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What Terraform assigned, we assign; where Terraform failed, we report an input error at
    the same file and line (a value given as text: at the variable's declaration); where it
    warned of undeclared variables, we warn of the same ones.

    One difference on purpose: a variable that nobody sets is unknown, not an error (Terraform's
    "No value for required variable"): a linter is run without the secrets of every environment."""
    got = _assign_case(c, tmp_path, monkeypatch)
    tf = c["terraform"]
    errors = [d for d in tf["diagnostics"] if d["severity"] == "error" and d["summary"] != "No value for required variable"]
    if tf["exit"] == 0:
        assert got.errors == [], [str(e) for e in got.errors]
        assert got.values == tf["values"]
    else:
        assert got.errors, "Terraform rejected this input; so must we"
        places = {_where(e) for e in got.errors}
        for d in errors:
            if d["file"] and d["file"].startswith("<value for var."):
                name = d["file"][len("<value for var."):-1]
                decl = next(i for i, line in enumerate(c["tf"].splitlines(), 1) if line.startswith(f'variable "{name}"'))
                assert ("main.tf", decl) in places and any(f"var.{name}" in e.message for e in got.errors)
            elif d["file"]:
                assert (d["file"], d["line"]) in places, (d, [str(e) for e in got.errors])
            else:
                quoted = re.findall(r'"([^"]+)"', d["detail"]) or re.findall(r"file (\S+) does", d["detail"])
                assert any(quoted[0].strip() in str(e) for e in got.errors), (d["detail"], [str(e) for e in got.errors])
        assert all(v is UNKNOWN for k, v in got.values.items() if any(f"var.{k} " in str(e) for e in got.errors))
    named = {m for d in tf["diagnostics"] if d["summary"] == "Value for undeclared variable" and d["severity"] == "warning"
             for m in re.findall(r'variable named "([^"]+)"', d["detail"])}
    others = sum(int(m) for d in tf["diagnostics"] if d["summary"] == "Values for undeclared variables"
                 for m in re.findall(r"(\d+) other variable", d["detail"]))
    warned = {re.search(r'variable "([^"]+)"', w.message).group(1) for w in got.warnings}  # type: ignore[union-attr]
    assert named <= warned and len(got.warnings) == len(named) + others, [str(w) for w in got.warnings]


def test_the_recording_covers_every_source_and_outcome() -> None:
    """The recorded cases are not a handful: every source, success and failure."""
    cases = RECORDED["cases"]
    assert len(cases) >= 100
    assert {bool(c["env"]) for c in cases} == {True, False}
    assert {flag for c in cases for flag, _ in c["args"]} == {"-var", "-var-file"}
    assert {c["terraform"]["exit"] for c in cases} == {0, 1}
    assert any(c["terraform"]["diagnostics"] and c["terraform"]["exit"] == 0 for c in cases)  # warnings only


# -- types, conversion, literal expressions --------------------------------------------------------

def _type(text: str) -> Any:
    return parse_type(parse_hcl(f"t = {text}\n", "t.tf").body.attributes["t"].expr)


def _expr(text: str) -> Any:
    return parse_hcl(f"v = {text}\n", "v.tfvars").body.attributes["v"].expr


@pytest.mark.parametrize(("text", "shown"), [
    ("string", "string"), ("number", "number"), ("bool", "bool"), ("any", "any"),
    ("list", "list(any)"), ("map", "map(any)"), ('"string"', "string"), ('"list(number)"', "list(number)"),
    ("set(list(number))", "set(list(number))"), ("tuple([string, bool])", "tuple([string, bool])"),
    ('object({b = optional(number, 80), a = string})', "object({a = string, b = optional(number)})"),
    ("map(object({cidr = string}))", "map(object({cidr = string}))"),
    ("list(string, number)", "any"), ("frobnicate", "any"), ("object(string)", "any"),
])
def test_type_expressions(text: str, shown: str) -> None:
    assert type_str(_type(text)) == shown


@pytest.mark.parametrize(("type_text", "value", "expected"), [
    ("number", "80", 80), ("number", "80.5", 80.5), ("number", 80.0, 80), ("number", "+7", 7),
    ("string", 8080, "8080"), ("string", 1.5, "1.5"), ("string", False, "false"),
    ("bool", "1", True), ("bool", "false", False),
    ("list(number)", ["1", 2], [1, 2]), ("set(string)", ["b", "a", "a"], ["a", "b"]),
    ("map(bool)", {"x": "true"}, {"x": True}),
    ("object({p = optional(number, 80), q = optional(string)})", {}, {"p": 80, "q": None}),
    ("object({p = optional(number, 80)})", {"p": None}, {"p": 80}),
    ("list(object({cidr = optional(string, \"198.19.128.0/17\")}))", [{}, {"cidr": "10.0.0.0/8"}],
     [{"cidr": "198.19.128.0/17"}, {"cidr": "10.0.0.0/8"}]),
    ("tuple([number, string])", ["1", 2], [1, "2"]),
    ("list(any)", [1, "a", True], ["1", "a", "true"]),
    ("any", [1, "a"], [1, "a"]),
    ("number", None, None), ("list(number)", UNKNOWN, UNKNOWN), ("list(number)", [UNKNOWN, "2"], [UNKNOWN, 2]),
])
def test_conversions(type_text: str, value: Any, expected: Any) -> None:
    assert convert(value, _type(type_text)) == expected


@pytest.mark.parametrize(("type_text", "value", "message"), [
    ("number", "8080/tcp", "a number is required"),
    ("number", True, "number required"),
    ("bool", "TRUE", 'a bool is required; to convert from string, use lowercase "true"'),
    ("bool", 1, "bool required"),
    ("string", {"a": 1}, "string required"),
    ("list(number)", "80", "list of number required"),
    ("list(number)", [80, "http"], "element 1: a number is required"),
    ("map(number)", {"web": "http"}, 'element "web": a number is required'),
    ("object({port = number})", {}, 'attribute "port" is required'),
    ("object({rules = list(object({port = number}))})", {"rules": [{"port": "x"}]},
     'attribute "rules": element 0: attribute "port": a number is required'),
    ("tuple([number])", [1, 2], "tuple required"),
    ("map(any)", {"a": [1], "b": "x"}, "all map elements must have the same type"),
])
def test_conversion_errors_say_where_and_why(type_text: str, value: Any, message: str) -> None:
    with pytest.raises(ConversionError) as exc:
        convert(value, _type(type_text))
    assert str(exc.value) == message


def test_module_arguments_are_converted_only_when_they_can_be() -> None:
    assert coerce("2", _type("number")) == 2
    assert coerce("two", _type("number")) == "two"  # Terraform reports it at the module call
    marker = object()
    assert coerce([marker], _type("list(number)"))[0] is marker  # not a plain value: left alone
    assert coerce({"a": 1}, ANY) == {"a": 1}


@pytest.mark.parametrize(("text", "value"), [
    ('"a-${1}"', "a-1"), ("1 + 2 * 3", 7), ("-1", -1), ("!true", False), ('1 == 1 ? "y" : "n"', "y"),
    ('{a = [1, {b = "c"}]}', {"a": [1, {"b": "c"}]}), ('{"x y" = 1}', {"x y": 1}), ("[1, 2][1]", 2),
    ("<<EOT\nline\nEOT", "line\n"), ("null", None), ("[for x in [1]: x]", UNKNOWN),
])
def test_literal_expressions(text: str, value: Any) -> None:
    assert static_value(_expr(text)) == value if value is not UNKNOWN else static_value(_expr(text)) is UNKNOWN


@pytest.mark.parametrize("text", ["var.port", "local.port", 'upper("a")', "[1, var.x]", '"${var.x}"',
                                  "[for p in var.ports: p]", "cn-north-4"])
def test_references_and_function_calls_are_rejected(text: str) -> None:
    with pytest.raises(Rejected):
        static_value(_expr(text))


# -- inputs of a root, and the var-files setting ----------------------------------------------------

def test_command_line_items_keep_their_order_and_only_tf_var_is_kept() -> None:
    inputs = VariableInputs.from_command_line(
        [("var", "a=1"), ("var-file", "x.tfvars"), ("var", "b=2")], {"TF_VAR_a": "1", "PATH": "/bin", "HOME": "/root"})
    assert inputs.assignments == (VarArg("a=1"), VarFile("x.tfvars"), VarArg("b=2"))
    assert dict(inputs.env) == {"TF_VAR_a": "1"}


@pytest.mark.parametrize(("root", "files"), [
    ("infra/prod", ["../common.tfvars", "prod.tfvars"]),
    ("infra/staging", ["../common.tfvars"]),
    ("infra", []),
    ("modules/svc", []),
    (".", ["top.tfvars"]),
    ("envs/eu/west/app", ["app.tfvars"]),
    ("envs/app", ["app.tfvars"]),
])
def test_var_files_setting_matches_roots_by_path_and_glob(tmp_path: Path, root: str, files: list[str]) -> None:
    setting = RootVarFiles(str(tmp_path), (
        ("infra/*", ("../common.tfvars",)), ("infra/prod/", ("prod.tfvars", "../common.tfvars")), (".", ("top.tfvars",)),
        ("envs/**/app", ("app.tfvars",)),
    ), "cfg.toml")
    (tmp_path / root).mkdir(parents=True, exist_ok=True)
    assert root_var_files(setting, str(tmp_path / root)) == files


def test_a_root_gets_the_configured_files_before_the_command_line(tmp_path: Path) -> None:
    setting = RootVarFiles(str(tmp_path), (("prod", ("prod.tfvars",)),), "cfg.toml")
    base = VariableInputs((VarArg("a=1"),), {"TF_VAR_b": "2"}, setting)
    prod = inputs_for_root(base, str(tmp_path / "prod"))
    assert prod.assignments == (VarFile(str(tmp_path / "prod" / "prod.tfvars"), "cfg.toml", str(tmp_path)), VarArg("a=1"))
    assert prod.env == {"TF_VAR_b": "2"} and prod.root_files is None
    assert inputs_for_root(base, str(tmp_path / "staging")).assignments == (VarArg("a=1"),)
    assert inputs_for_root(None, str(tmp_path)) == VariableInputs()


def test_a_configured_var_file_outside_the_project_is_not_read(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "elsewhere"
    (project / "prod").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.tfvars").write_text("port = 1\n")
    (project / "prod" / "link.tfvars").symlink_to(outside / "secret.tfvars")
    (project / "prod" / "main.tf").write_text('variable "port" {}\n')
    setting = RootVarFiles(str(project), (("prod", ("../../elsewhere/secret.tfvars", "link.tfvars")),), "cfg.toml")
    sources = SourceSet(cwd=str(tmp_path))
    root = str(project / "prod")
    definition = HclLoader(root, sources).definition(root)
    assert definition is not None
    got = assign(root, definition.variables, inputs_for_root(VariableInputs(root_files=setting), root), sources)
    assert "port" not in got.values
    assert sorted(str(e) for e in got.errors) == [
        "elsewhere/secret.tfvars: variables file named in cfg.toml is outside project; not read",
        "project/prod/link.tfvars: variables file named in cfg.toml is outside project; not read",
    ]


# -- the loader on real directories ---------------------------------------------------------------

def load(directory: Path, *items: tuple[str, str], env: dict[str, str] | None = None) -> tuple[Any, HclLoader]:
    sources = SourceSet(cwd=str(directory))
    loader = HclLoader(str(directory), sources, variables=VariableInputs.from_command_line(items, env or {}))
    return loader.load(), loader


def test_loader_without_values_leaves_the_port_unknown_and_the_var_file_sets_it() -> None:
    inv, loader = load(PROD_PORT)
    assert inv.get("huaweicloud_vpcep_service.svc").values["port_mapping"][0]["service_port"] is UNKNOWN
    inv, loader = load(PROD_PORT, ("var-file", str(PROD_PORT / "prod.tfvars")))
    assert loader.errors == [] and loader.warnings == []
    assert inv.get("huaweicloud_vpcep_service.svc").values["port_mapping"][0]["service_port"] == 9090  # "9090" converted


@pytest.mark.parametrize(("items", "env", "port"), [
    pytest.param((), {}, 4444, id="last-auto-file"),
    pytest.param((), {"TF_VAR_service_port": "6666"}, 4444, id="environment-lowest"),
    pytest.param((("var-file", "cli.tfvars"),), {}, 5555, id="var-file"),
    pytest.param((("var-file", "cli.tfvars"), ("var", "service_port=7777")), {}, 7777, id="var-after-var-file"),
    pytest.param((("var", "service_port=7777"), ("var-file", "cli.tfvars")), {}, 5555, id="var-file-after-var"),
])
def test_loader_precedence(items: tuple[tuple[str, str], ...], env: dict[str, str], port: int,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(PRECEDENCE)
    inv, loader = load(PRECEDENCE, *items, env=env)
    assert loader.errors == []
    assert inv.get("huaweicloud_vpcep_service.svc").values["port_mapping"][0]["service_port"] == port


def test_loader_types_defaults_and_optional_attributes() -> None:
    inv, loader = load(TYPES)
    assert loader.errors == []
    rule = inv.get("huaweicloud_networking_secgroup_rule.endpoint[0]")
    assert (rule.values["ports"], rule.values["remote_ip_prefix"]) == ("8080", "198.19.128.0/17")  # optional() defaults
    assert inv.get("huaweicloud_vpcep_service.svc").values["port_mapping"] == [{"service_port": 8080, "terminal_port": 80}]

    inv, _ = load(TYPES, ("var-file", str(TYPES / "off.tfvars")))
    assert inv.get("huaweicloud_networking_secgroup_rule.endpoint[0]") is None  # "false" is false: count = 0

    inv, _ = load(TYPES, ("var-file", str(TYPES / "narrow.tfvars")), ("var", 'extra_ports=["443", 8443]'))
    rule = inv.get("huaweicloud_networking_secgroup_rule.endpoint[0]")
    assert (rule.values["ports"], rule.values["remote_ip_prefix"]) == ("9090", "198.19.128.0/17")
    mappings = inv.get("huaweicloud_vpcep_service.svc").values["port_mapping"]
    assert [m["service_port"] for m in mappings] == [8080, 443, 8443]


def test_loader_converts_module_arguments_to_the_module_variables_type(tmp_path: Path) -> None:
    (tmp_path / "m").mkdir()
    (tmp_path / "m" / "main.tf").write_text(
        'variable "n" { type = number }\nvariable "on" { type = bool }\n'
        'resource "huaweicloud_vpc" "v" {\n  count = var.on ? var.n : 0\n  name = "v"\n}\n')
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./m"\n  n = "2"\n  on = "true"\n}\n')
    inv, loader = load(tmp_path)
    assert loader.errors == []
    assert sorted(r.address for r in inv) == ["module.m.huaweicloud_vpc.v[0]", "module.m.huaweicloud_vpc.v[1]"]


def test_a_bad_var_file_is_reported_even_when_no_resource_reads_variables(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "huaweicloud_vpc" "v" {\n  name = "v"\n}\n')
    (tmp_path / "terraform.tfvars").write_text("x = [\n")
    _, loader = load(tmp_path)
    assert [str(e) for e in loader.errors] == ["terraform.tfvars:2:1: HCL syntax error: unexpected end of file (unclosed block or bracket?)"]


# -- the command line -------------------------------------------------------------------------------

def run(*args: str, cwd: Path = LAYOUT, env: dict[str, str] | None = None) -> Result:
    old = os.getcwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, ["--no-cache", "-f", "json", *args], env=env, catch_exceptions=False)
    finally:
        os.chdir(old)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


def findings(result: Result) -> list[tuple[str, str | None, int | None, str]]:
    return [(f["rule_id"], f["file"], f["line"], f["message"]) for f in json.loads(result.stdout)["findings"]]


def vpcep001_port(result: Result) -> int | None:
    ports = [int(m.group(1)) for rid, _, _, msg in findings(result) if rid == "VPCEP001"
             for m in [re.search(r"tcp/(\d+)", msg)] if m]
    return ports[0] if ports else None


def test_cli_without_the_var_file_the_port_is_unknown_and_nothing_is_claimed() -> None:
    result = run("vars-prod-port")
    assert (result.exit_code, findings(result), result.stderr) == (0, [], "")


def test_cli_prod_var_file_gives_vpcep001_staging_does_not() -> None:
    prod = run("vars-prod-port", "--var-file", "vars-prod-port/prod.tfvars")
    assert prod.exit_code == 1 and prod.stderr == ""
    assert [(r, f, n) for r, f, n, _ in findings(prod)] == [("VPCEP001", "vars-prod-port/main.tf", 31)]
    assert vpcep001_port(prod) == 9090
    staging = run("vars-prod-port", "--var-file", "vars-prod-port/staging.tfvars")
    assert (staging.exit_code, findings(staging)) == (0, [])


@pytest.mark.parametrize(("args", "env", "port"), [
    pytest.param(("--var", "service_port=9090"), {}, 9090, id="var"),
    pytest.param((), {"TF_VAR_service_port": "9090"}, 9090, id="environment"),
    pytest.param(("--var-file", "vars-prod-port/staging.tfvars"), {"TF_VAR_service_port": "9090"}, None,
                 id="var-file-beats-environment"),
    pytest.param(("--var-file", "vars-prod-port/prod.tfvars", "--var", "service_port=8080"), {}, None, id="var-after-file-wins"),
    pytest.param(("--var", "service_port=8080", "--var-file", "vars-prod-port/prod.tfvars"), {}, 9090, id="file-after-var-wins"),
    pytest.param(("--var", "service_port=8080", "vars-prod-port", "--var-file", "vars-prod-port/prod.tfvars"), {}, 9090,
                 id="order-across-paths"),
])
def test_cli_sources_and_their_order(args: tuple[str, ...], env: dict[str, str], port: int | None) -> None:
    paths = () if "vars-prod-port" in args else ("vars-prod-port",)
    result = run(*paths, *args, env=env)
    assert result.exit_code == (1 if port else 0), result.stderr
    assert vpcep001_port(result) == port


@pytest.mark.parametrize(("args", "env", "port"), [
    pytest.param((), {"TF_VAR_service_port": "6666"}, 4444, id="automatic-files-in-terraforms-order"),
    pytest.param(("--var-file", "vars-precedence/cli.tfvars"), {}, 5555, id="var-file-over-automatic-files"),
    pytest.param(("--var-file", "vars-precedence/cli.tfvars", "--var", "service_port=7777"), {}, 7777, id="then-var"),
])
def test_cli_automatic_files(args: tuple[str, ...], env: dict[str, str], port: int) -> None:
    result = run("vars-precedence", *args, env=env)
    assert result.exit_code == 1 and vpcep001_port(result) == port


@pytest.mark.parametrize(("args", "env"), [
    pytest.param(("--var-file", "vars-types/off.tfvars"), {}, id="text-false-is-bool-false"),
    pytest.param(("--var", "endpoint_rule_enabled=0"), {}, id="zero-is-false"),
    pytest.param((), {"TF_VAR_endpoint_rule_enabled": "false"}, id="environment-bool"),
    pytest.param(("--var-file", "vars-types/narrow.tfvars"), {}, id="object-attribute-number-to-string"),
    pytest.param(("--var", "endpoint_rule={cidr = \"10.0.0.0/8\"}"), {}, id="object-from-the-command-line"),
])
def test_cli_converted_values_reach_the_rules(args: tuple[str, ...], env: dict[str, str]) -> None:
    assert run("vars-types").exit_code == 0  # as declared, the group admits the endpoint
    result = run("vars-types", *args, env=env)
    assert result.exit_code == 1, result.stderr
    assert [(r, f, n) for r, f, n, _ in findings(result)] == [("VPCEP001", "vars-types/main.tf", 50)]


def test_cli_a_list_from_the_command_line_adds_ports() -> None:
    result = run("vars-types", "--var", 'extra_ports=["9443"]')
    assert result.exit_code == 1 and vpcep001_port(result) == 9443


def assert_one_error(result: Result, place: str, message: str) -> dict[str, Any]:
    """Exit 2, one error line on stderr naming the place, and its VPCEP000 finding there."""
    assert result.exit_code == 2, (result.stderr, result.stdout[-300:])
    errors = [line for line in result.stderr.splitlines() if line.startswith("vpcep-lint: error: ")]
    assert len(errors) == 1, result.stderr
    assert re.fullmatch(rf"vpcep-lint: error: {re.escape(place)}: {message}", errors[0]), errors[0]
    (finding,) = [f for f in json.loads(result.stdout)["findings"] if f["rule_id"] == "VPCEP000"]
    file, _, line = place.partition(":")
    assert (finding["file"], finding["line"]) == (file, int(line.split(":")[0]) if line else 1)
    return finding


@pytest.mark.parametrize(("var_file", "place", "message"), [
    pytest.param("unclosed.tfvars", "vars-bad/unclosed.tfvars:3:1", r"HCL syntax error: unexpected end of file .*", id="unparsable"),
    pytest.param("port-name.tfvars", "vars-bad/port-name.tfvars:2:1",
                 r"invalid value for var\.service_port \(declared at vars-bad/main\.tf:13\): a number is required", id="not-a-number"),
    pytest.param("declares.tfvars", "vars-bad/declares.tfvars:1:1",
                 r'variable declaration in a variables file: declare variable "service_port" in a \.tf file; .*', id="declaration"),
    pytest.param("reference.tfvars", "vars-bad/reference.tfvars:1:1",
                 r"invalid value for var\.service_port \(declared at vars-bad/main\.tf:13\): variables may not be used here",
                 id="reference"),
    pytest.param("missing.tfvars", "vars-bad/missing.tfvars", r"variables file does not exist", id="missing"),
    pytest.param(".", "vars-bad", r"is a directory", id="a-directory"),
])
def test_cli_a_bad_var_file_is_one_error_and_the_other_roots_are_still_linted(var_file: str, place: str, message: str) -> None:
    result = run("vars-bad", str(EXAMPLE), "--var-file", f"vars-bad/{var_file}")
    assert_one_error(result, place, message)
    assert {(r, n) for r, f, n, _ in findings(result) if f and f.startswith(str(EXAMPLE))} == {("VPCEP001", 28), ("VPCEP002", 64)}


def test_cli_an_unreadable_var_file(tmp_path: Path) -> None:
    locked = tmp_path / "locked.tfvars"
    locked.write_text("service_port = 1\n")
    locked.chmod(0)
    if os.geteuid() != 0:
        result = run("vars-bad", "--var-file", str(locked))
    else:  # root reads a chmod 000 file anyway: run without the capabilities that allow it
        assert shutil.which("setpriv"), "setpriv (util-linux) is needed to test this as root"
        drop = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search"]
        proc = subprocess.run([*drop, sys.executable, "-m", "vpcep_lint.cli", "--no-cache", "-f", "json",
                               "vars-bad", "--var-file", str(locked)], cwd=LAYOUT, capture_output=True, text=True,
                              timeout=300)
        result = types.SimpleNamespace(exit_code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)  # type: ignore[assignment]
    assert_one_error(result, str(locked), "cannot read file: permission denied")


def test_cli_a_var_file_that_is_not_text(tmp_path: Path) -> None:
    blob = tmp_path / "blob.tfvars"
    blob.write_bytes(b"\x00\x01\x02" * 100)
    result = run("vars-bad", str(EXAMPLE), "--var-file", str(blob))
    assert_one_error(result, str(blob), "binary file, not text")


def test_cli_a_json_var_file_is_read_as_json() -> None:
    result = run("vars-bad", "--var-file", "vars-bad/values.json")
    assert result.exit_code == 1 and vpcep001_port(result) == 9090


def test_cli_a_value_for_an_undeclared_variable_in_a_file_is_a_warning_not_an_error() -> None:
    result = run("vars-bad", "--var-file", "vars-bad/typo.tfvars")
    assert result.exit_code == 0 and findings(result) == []
    assert result.stderr == ('vpcep-lint: warning: vars-bad/typo.tfvars:3:1: value for undeclared variable "servce_port" '
                             "(the root module vars-bad declares no such variable)\n")
    assert json.loads(result.stdout)["warnings"] == [{
        "file": "vars-bad/typo.tfvars", "line": 3, "column": 1,
        "message": 'value for undeclared variable "servce_port" (the root module vars-bad declares no such variable)'}]
    old = os.getcwd()
    os.chdir(LAYOUT)
    try:
        sarif = json.loads(CliRunner().invoke(main, ["--no-cache", "-f", "sarif", "vars-bad", "--var-file", "vars-bad/typo.tfvars"]).stdout)
    finally:
        os.chdir(old)
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert [(n["level"], n["message"]["text"]) for n in notes] == [("warning", 'fixtures/layout/vars-bad/typo.tfvars: value for undeclared '
                                                                     'variable "servce_port" (the root module vars-bad declares no such variable)')]
    with_findings = run("vars-bad", "--var-file", "vars-bad/typo.tfvars", "--var", "service_port=9090")
    assert with_findings.exit_code == 1 and "warning" in with_findings.stderr  # the exit code is the findings'


def test_cli_an_undeclared_tf_var_is_ignored_an_undeclared_var_is_an_error() -> None:
    quiet = run("vars-prod-port", env={"TF_VAR_region": "cn-north-4"})
    assert (quiet.exit_code, quiet.stderr) == (0, "")
    result = run("vars-prod-port", "--var", "region=cn-north-4")
    assert_one_error(result, "--var region", r'value for undeclared variable "region": the root module vars-prod-port '
                                             r"declares no such variable \(TF_VAR_region sets it only where it is declared\)")


@pytest.mark.parametrize(("arg", "message"), [
    pytest.param("service_port", r"expected NAME=VALUE: .*", id="no-equals"),
    pytest.param("service_port =9090", r'variable name "service_port " ends in a space; did you mean --var "service_port=9090"\?',
                 id="space-before-equals"),
])
def test_cli_a_malformed_var_is_one_error_and_the_other_roots_are_still_linted(arg: str, message: str) -> None:
    result = run("vars-prod-port", str(EXAMPLE), "--var", arg)
    assert_one_error(result, f"--var {arg}", message)
    assert {r for r, f, _, _ in findings(result) if f and f.startswith(str(EXAMPLE))} == {"VPCEP001", "VPCEP002"}


def test_cli_a_value_that_does_not_convert_is_an_error_at_the_declaration() -> None:
    result = run("vars-prod-port", "--var", "service_port=http")
    assert_one_error(result, "vars-prod-port/main.tf:14:1", r"invalid value for var\.service_port set by --var: a number is required")
    env = run("vars-prod-port", env={"TF_VAR_service_port": "8080/tcp"})
    assert_one_error(env, "vars-prod-port/main.tf:14:1",
                     r"invalid value for var\.service_port set by TF_VAR_service_port: a number is required")


def test_cli_one_broken_var_file_for_two_roots_is_reported_once(tmp_path: Path) -> None:
    (tmp_path / "broken.tfvars").write_text("service_port = \n")
    result = run("vars-prod-port", "vars-types", "--var-file", str(tmp_path / "broken.tfvars"))
    assert_one_error(result, f"{tmp_path}/broken.tfvars:1:16", r"HCL syntax error: .*")


# -- the var-files setting, as a pre-commit hook uses it -------------------------------------------

def test_config_var_files_apply_per_root() -> None:
    prod = run("infra/prod", cwd=CONFIG)
    assert prod.exit_code == 1 and vpcep001_port(prod) == 9090
    assert [(r, f, n) for r, f, n, _ in findings(prod)] == [("VPCEP001", "modules/svc/main.tf", 24)]
    staging = run("infra/staging", cwd=CONFIG)
    assert (staging.exit_code, findings(staging)) == (0, [])  # common.tfvars (8080) over its terraform.tfvars (9090)
    without = run("--config", os.devnull, "infra/staging", cwd=CONFIG)
    assert without.exit_code == 1 and vpcep001_port(without) == 9090


@pytest.mark.parametrize("given", [
    pytest.param(("infra/prod/prod.tfvars",), id="the-changed-var-file"),
    pytest.param(("--all-in-dir", "infra/prod/main.tf"), id="a-changed-tf-file"),
])
def test_config_var_files_apply_to_files_as_pre_commit_passes_them(given: tuple[str, ...]) -> None:
    result = run(*given, cwd=CONFIG)
    assert result.exit_code == 1 and vpcep001_port(result) == 9090


def test_config_var_files_apply_to_the_roots_that_call_a_changed_module() -> None:
    """The hook on a shared module's file lints the roots calling it, each with its own var files."""
    result = run("modules/svc/main.tf", cwd=CONFIG)
    assert result.exit_code == 1 and vpcep001_port(result) == 9090
    assert [(r, f) for r, f, _, _ in findings(result)] == [("VPCEP001", "modules/svc/main.tf")]
    (finding,) = json.loads(result.stdout)["findings"]
    assert finding["source"] == "infra/prod"


def test_config_var_files_apply_from_another_working_directory() -> None:
    result = run("layout/vars-config/infra/prod", cwd=FIXTURES)
    assert result.exit_code == 1 and vpcep001_port(result) == 9090


def test_the_command_line_comes_after_the_configured_files() -> None:
    result = run("infra/prod", "--var-file", "infra/common.tfvars", cwd=CONFIG)
    assert (result.exit_code, findings(result)) == (0, [])


def test_a_configured_var_file_that_does_not_exist_is_an_error_naming_the_config(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(CONFIG, project)
    (project / ".vpcep-lint.toml").write_text('[var-files]\n"infra/prod" = ["prdo.tfvars"]\n')
    result = run("infra/prod", "infra/staging", cwd=project)
    assert_one_error(result, "infra/prod/prdo.tfvars",
                     rf"variables file does not exist \(named in {re.escape(str(project / '.vpcep-lint.toml'))}\)")


# -- embedding --------------------------------------------------------------------------------------

def test_api_options_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(LAYOUT)
    inputs = VariableInputs.from_command_line([("var-file", "vars-prod-port/prod.tfvars")])
    report = lint(["vars-prod-port"], Options(variables=inputs))
    assert [f.rule_id for f in report.findings] == ["VPCEP001"]
    assert lint(["vars-prod-port"], Options()).findings == []  # no variables given: the root's own files only
    report = lint(["vars-bad"], Options(variables=VariableInputs.from_command_line([("var-file", "vars-bad/typo.tfvars")])))
    assert [str(w) for w in report.warnings] == [
        'vars-bad/typo.tfvars:3:1: value for undeclared variable "servce_port" (the root module vars-bad declares no such variable)']


def _walk(d: Path) -> Iterator[Path]:
    yield from sorted(p for p in d.rglob("*") if p.is_file())


def test_layout_fixtures_are_all_used() -> None:
    """Every file under fixtures/layout/vars-*/ is named by a test here (no dead fixtures)."""
    text = Path(__file__).read_text(encoding="utf-8")
    for d in sorted(LAYOUT.glob("vars-*")):
        for f in _walk(d):
            if f.suffix in (".tfvars", ".json") or f.name.endswith(".tfvars.json"):
                assert f.name in text or f.name in ("terraform.tfvars", "terraform.tfvars.json", "a.auto.tfvars",
                                                    "b.auto.tfvars.json", "common.tfvars"), f


def test_the_options_and_the_setting_are_documented() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    options = [line for line in readme.splitlines() if line.startswith("| `--")]
    assert any(line.startswith("| `--var NAME=VALUE`") for line in options)
    assert any(line.startswith("| `--var-file FILE`") for line in options)
    assert "var-files = {" in readme
    doc = (Path(__file__).resolve().parent.parent / "docs" / "variables.md").read_text(encoding="utf-8")
    for term in ("TF_VAR_", "terraform.tfvars.json", "*.auto.tfvars", "--var-file", "optional(", "var-files", "warning"):
        assert term in doc, term
