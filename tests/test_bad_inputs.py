"""Bad input: one clear line, a VPCEP000 finding at the place, exit 2, and the other inputs still linted.

The contract (issue "Never crash, never lie, never reach outside", STYLE.md §6): an input that
cannot be read or understood gives ONE line on stderr, `vpcep-lint: error: FILE[:LINE[:COL]]:
what is wrong`, a VPCEP000 finding at that place (so it reaches JSON and SARIF), and exit code 2;
every other input of the same run is still linted and reported. Never a traceback, and exit 3
only for internal errors. Inputs that merely look odd (a BOM, UTF-16, 0.11 interpolation,
heredocs, dynamic blocks, .tf.json, values of the wrong type, cycles, remote modules) are linted
normally and give no finding that says more than the input shows.

Every row runs the CLI on the case AND on fixtures/examples/broken-endpoint, whose two findings
must still be reported. Cases live in fixtures/VPCEP000/bad/<case>/; odd ones (binary, encodings,
10,000-deep nesting, symlinks, 100 MB) are generated in tmp_path.
"""
from __future__ import annotations

import builtins
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import types
from collections.abc import Callable, Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from conftest import FIXTURES

from vpcep_lint.api import Options, lint
from vpcep_lint.cli import main
from vpcep_lint.loaders.plan import _schema

BAD = FIXTURES / "VPCEP000" / "bad"
EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
EXAMPLE_FINDINGS = {
    ("VPCEP001", "huaweicloud_networking_secgroup.app", f"{EXAMPLE}/main.tf:28"),
    ("VPCEP002", "huaweicloud_vpc_network_acl.app", f"{EXAMPLE}/main.tf:64"),
}
EXAMPLE_TF = (EXAMPLE / "main.tf").read_text(encoding="utf-8")
Target = str | Callable[[Path], str]
"""A path below fixtures/VPCEP000/bad (run from there), or a function making the input in tmp_path."""


# -- running the CLI ---------------------------------------------------------------------------

@contextlib.contextmanager
def deadline(seconds: int, wall: int = 600) -> Iterator[None]:
    """Fail instead of hanging (cycles, symlink loops): after `seconds` of CPU time (a loop), or
    `wall` seconds of the clock (a blocked read). CPU time, so a loaded machine does not fail it."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} CPU seconds or {wall}s: a hang")

    old_prof = signal.signal(signal.SIGPROF, expired)
    old_alarm = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.alarm(wall)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.alarm(0)
        signal.signal(signal.SIGPROF, old_prof)
        signal.signal(signal.SIGALRM, old_alarm)


def invoke(target: Target, tmp_path: Path, *extra: str) -> Result:
    """`vpcep-lint TARGET EXAMPLE -f json`, from the case's folder; never lets an exception through."""
    if callable(target):
        cwd, arg = tmp_path, target(tmp_path)
    else:
        cwd, arg = BAD, target
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with deadline(60):
            result = CliRunner().invoke(main, [arg, str(EXAMPLE), "-f", "json", *extra])
    finally:
        os.chdir(old)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return result


def json_report(result: Result) -> dict:
    report = json.loads(result.stdout)
    jsonschema.Draft7Validator(_schema("report.schema.json")).validate(report)
    return report


def where(f: dict) -> str | None:
    return f"{f['file']}:{f['line']}" if f["file"] else None


def split(report: dict) -> tuple[set[tuple[str, str, str | None]], set[tuple[str, str, str | None]]]:
    """(findings of the example, findings of the case)."""
    example, case = set(), set()
    for f in report["findings"]:
        item = (f["rule_id"], f["resource"], where(f))
        (example if (f["file"] or f["source"] or "").startswith(str(EXAMPLE)) else case).add(item)
    return example, case


def assert_rejected(result: Result, file: str, line: int | None, column: int | None, message: str) -> None:
    """Exit 2, exactly one stderr line naming FILE[:LINE:COL], its VPCEP000 finding, the example still linted."""
    assert result.exit_code == 2, (result.exit_code, result.stderr, result.stdout[-500:])
    place = re.escape(file) + (f":{line}:{column}" if line else "")
    assert result.stderr.count("\n") == 1, result.stderr
    assert re.fullmatch(rf"vpcep-lint: error: {place}: {message}\n", result.stderr), result.stderr
    report = json_report(result)
    example, case = split(report)
    assert example == EXAMPLE_FINDINGS
    assert case == {("VPCEP000", None, f"{file}:{line or 1}")}
    (error,) = [f for f in report["findings"] if f["rule_id"] == "VPCEP000"]
    assert re.fullmatch(message, error["message"]) and error["severity"] == "error"
    assert (error["line"], error["column"]) == (line or 1, column or 1)


def assert_accepted(result: Result, must: set[tuple[str, str, str | None]], may: frozenset = frozenset()) -> None:
    """No input error; the case gives `must`, and nothing beyond `must | may` (which would be a lie)."""
    assert result.exit_code == 1, (result.exit_code, result.stderr)  # the example's findings
    assert result.stderr == ""
    example, case = split(json_report(result))
    assert example == EXAMPLE_FINDINGS
    assert must <= case <= must | may, case


# -- generated inputs ----------------------------------------------------------------------------

def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8", newline="\n")
    return path


def empty_directory(tmp: Path) -> str:
    (tmp / "empty").mkdir()
    return "empty"


def binary_file(tmp: Path) -> str:
    write(tmp / "main.tf", bytes(range(256)) * 16)
    return "main.tf"


def saved_plan(tmp: Path) -> str:
    write(tmp / "tfplan", b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(200))
    return "tfplan"


def latin1_file(tmp: Path) -> str:
    write(tmp / "main.tf", 'resource "huaweicloud_vpc" "cafe" {\n  name = "vpc"\n  # caf\xe9 in Latin-1\n}\n'.encode("latin-1"))
    return "main.tf"


def deep_json(tmp: Path) -> str:
    write(tmp / "deep.json", '{"format_version": "1.0", "values": ' + "[" * 10_000 + "]" * 10_000 + "}")
    return "deep.json"


def deep_hcl_brackets(tmp: Path) -> str:
    write(tmp / "deep" / "main.tf", "locals {\n  x = " + "[" * 10_000 + "]" * 10_000 + "\n}\n")
    return "deep"


def deep_hcl_blocks(tmp: Path) -> str:
    write(tmp / "deep" / "main.tf", "a {\n" * 10_000 + "}\n" * 10_000)
    return "deep"


def deep_tf_json(tmp: Path) -> str:
    write(tmp / "deep" / "main.tf.json", '{"locals": {"x": ' + "[" * 10_000 + "]" * 10_000 + "}}")
    return "deep"


def hcl_named_hcl(tmp: Path) -> str:
    write(tmp / "main.hcl", 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n}\n')
    return "main.hcl"


def tf_json_named_json(tmp: Path) -> str:
    write(tmp / "main.json", json.dumps({"resource": {"huaweicloud_vpc": {"a": {"cidr": "10.0.0.0/16"}}}}))
    return "main.json"


def utf8_bom(tmp: Path) -> str:
    write(tmp / "bom" / "main.tf", b"\xef\xbb\xbf" + EXAMPLE_TF.encode("utf-8"))
    return "bom"


def port_lists(tmp: Path) -> str:
    """The example with a list and a float where a port string belongs (security group and ACL rules)."""
    text = EXAMPLE_TF.replace('ports             = "22"', 'ports             = ["22"]')
    text = text.replace('destination_port  = "22"', 'destination_port  = [22]').replace('ports             = "8080"', 'ports             = 8080.5')
    write(tmp / "port-lists" / "main.tf", text)
    return "port-lists"


def listener_port_list(tmp: Path) -> str:
    """VPCEP003/bad/whitelist-without-endpoint-cidr with a list for the listener's protocol_port."""
    text = (FIXTURES / "VPCEP003" / "bad" / "whitelist-without-endpoint-cidr" / "main.tf").read_text()
    write(tmp / "listener" / "main.tf", text.replace("protocol_port   = 443", "protocol_port   = [443]"))
    return "listener"


def utf8_bom_plan(tmp: Path) -> str:
    write(tmp / "plan.json", b"\xef\xbb\xbf" + (EXAMPLE / "plan.json").read_bytes())
    return "plan.json"


def utf16_plan(tmp: Path) -> str:
    write(tmp / "plan.json", (EXAMPLE / "plan.json").read_text(encoding="utf-8").encode("utf-16"))
    return "plan.json"


def utf16_plan_without_bom(tmp: Path) -> str:
    write(tmp / "plan.json", (EXAMPLE / "plan.json").read_text(encoding="utf-8").encode("utf-16-le"))
    return "plan.json"


DEEP = r"nesting too deep to parse \(more than 128 levels\)"


# -- hostile inputs: caps on the work one input may ask for, values no Terraform value can be ---------

def case(text: str, name: str = "main.tf") -> Callable[[Path], str]:
    """A module directory `case` holding one file."""
    def make(tmp: Path) -> str:
        write(tmp / "case" / name, text)
        return "case"

    return make


def resource_with(meta: str) -> str:
    return f'resource "huaweicloud_vpc" "a" {{\n  {meta}\n  cidr = "10.0.0.0/16"\n}}\n'


def for_each_over_a_huge_split(tmp: Path) -> str:
    """20,000 instances from one for_each: a string of 20 items, repeated 10 x 10 x 10 by join."""
    rep = lambda x: "join(\",\", [" + ", ".join([x] * 10) + "])"  # noqa: E731
    write(tmp / "case" / "main.tf", (
        'locals {\n  s1 = "' + ",".join(f"i{i}" for i in range(20)) + '"\n'
        f"  s2 = {rep('local.s1')}\n  s3 = {rep('local.s2')}\n  s4 = {rep('local.s3')}\n}}\n"
        'resource "huaweicloud_vpc" "a" {\n  for_each = { for i, v in split(",", local.s4) : i => v }\n  name = each.value\n}\n'))
    return "case"


def nested_for(tmp: Path) -> str:
    """Three nested `for` over 100 elements: a million iterations from one line."""
    items = "[" + ", ".join(f'"{i}"' for i in range(100)) + "]"
    write(tmp / "case" / "main.tf", (
        f"locals {{\n  a = {items}\n"
        '  big = [for x in local.a : [for y in local.a : [for z in local.a : "${x}${y}${z}"]]]\n}\n'
        'resource "huaweicloud_vpc" "a" {\n  name = length(local.big)\n}\n'))
    return "case"


def doubling(tmp: Path, first: str, step: str) -> str:
    lines = [f"  a0 = {first}"] + [f"  a{i} = {step.format(p=f'local.a{i - 1}')}" for i in range(1, 40)]
    write(tmp / "case" / "main.tf", "locals {\n" + "\n".join(lines) + '\n}\nresource "huaweicloud_vpc" "a" {\n  name = local.a39\n}\n')
    return "case"


def module_fan_out(tmp: Path) -> str:
    """Each module calls the next twice, 18 levels deep: 2^18 instances from 19 small files."""
    for i in range(19):
        d = tmp / "case" if i == 0 else tmp / "case" / f"m{i}"
        src = f"./m{i + 1}" if i == 0 else f"../m{i + 1}"
        calls = "" if i == 18 else f'module "a" {{\n  source = "{src}"\n}}\n\nmodule "b" {{\n  source = "{src}"\n}}\n'
        write(d / "main.tf", 'resource "huaweicloud_vpc" "v" {\n  cidr = "10.0.0.0/16"\n}\n\n' + calls)
    return "case"


def module_chain(tmp: Path) -> str:
    """40 distinct modules, each calling the next: not a cycle, just deeper than followed."""
    d = tmp / "case"
    for i in range(41):
        write(d / "main.tf", 'resource "huaweicloud_vpc" "v" {\n  cidr = "10.0.0.0/16"\n}\n'
              + ("" if i == 40 else f'module "next" {{\n  source = "./c{i + 1}"\n}}\n'))
        d = d / f"c{i + 1}"
    return "case"


def plan_with(mutate: Callable[[dict], None], raw: Callable[[str], str] = lambda t: t) -> Callable[[Path], str]:
    def make(tmp: Path) -> str:
        doc = json.loads((EXAMPLE / "plan.json").read_text(encoding="utf-8"))
        mutate(doc)
        write(tmp / "plan.json", raw(json.dumps(doc, indent=2)))
        return "plan.json"

    return make


def set_output(doc: dict) -> None:
    doc["configuration"]["root_module"]["outputs"] = {"endpoint": 1.5}


def tfvars_fifo(tmp: Path) -> str:
    write(tmp / "case" / "main.tf", 'variable "cidr" {}\nresource "huaweicloud_vpc" "a" {\n  cidr = var.cidr\n}\n')
    os.mkfifo(tmp / "case" / "terraform.tfvars")
    return "case"


def tfvars_directory(tmp: Path) -> str:
    write(tmp / "case" / "main.tf", 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n}\n')
    (tmp / "case" / "terraform.tfvars").mkdir()
    return "case"


CHAIN = "case/" + "/".join(f"c{i}" for i in range(1, 33)) + "/main.tf"
NOT_LINTED = "; this root module is not linted"
HOSTILE = [
    pytest.param(case(resource_with("count = 1e999")), "case/main.tf", 2, 3,
                 r"count must be a whole number, not inf; treated as one instance", id="count-1e999"),
    pytest.param(case(resource_with('count = tonumber("nan")')), "case/main.tf", 2, 3,
                 r"count must be a whole number, not nan; treated as one instance", id="count-nan"),
    pytest.param(case(resource_with("count = 10000000")), "case/main.tf", 2, 3,
                 r"count = 10000000 exceeds the limit of 10,000 instances of one block; treated as one instance", id="count-10000000"),
    pytest.param(case(resource_with("count = 1e9")), "case/main.tf", 2, 3,
                 r"count = 1000000000 exceeds the limit of 10,000 instances of one block; treated as one instance", id="count-1e9"),
    pytest.param(for_each_over_a_huge_split, "case/main.tf", 8, 3,
                 r"for_each over 20,000 elements exceeds the limit of 10,000 instances of one block; treated as one instance",
                 id="for-each-over-a-huge-split"),
    pytest.param(nested_for, "case/main.tf", 3, 3, r"evaluating this root module takes more than 1,000,000 steps "
                 r"\(for expressions, dynamic blocks and functions over large collections\)" + NOT_LINTED, id="nested-for"),
    pytest.param(lambda tmp: doubling(tmp, '"xx"', '"${{{p}}}${{{p}}}"'), "case/main.tf", 22, 3,
                 r"a string template builds more than 1,048,576 characters", id="doubling-strings"),
    pytest.param(lambda tmp: doubling(tmp, '["x"]', "concat({p}, {p})"), "case/main.tf", 19, 3,
                 r"a list or map of more than 100,000 elements", id="doubling-lists"),
    pytest.param(module_fan_out, "case/m12/main.tf", 5, 1, r"more than 5,000 module instances in one root module" + NOT_LINTED,
                 id="modules-calling-their-child-twice"),
    pytest.param(module_chain, CHAIN, 4, 1, r"module 'next': modules nested more than 32 deep \(the limit\); not followed",
                 id="module-chain-40-deep"),
    pytest.param(case('locals {\n  x = "\\UFFFFFFFF"\n}\n'), "case/main.tf", 2, 8,
                 r"invalid escape \\UFFFFFFFF: not a Unicode character", id="escape-UFFFFFFFF"),
    pytest.param(case('locals {\n  x = "\\U00110000"\n}\n'), "case/main.tf", 2, 8,
                 r"invalid escape \\U00110000: not a Unicode character", id="escape-U00110000"),
    pytest.param(case(resource_with('name = "\\uD800"')), "case/main.tf", 2, 11,
                 r"invalid escape \\uD800: not a Unicode character", id="lone-surrogate-hcl"),
    pytest.param(case('{"resource": {"huaweicloud_vpc": {"a": {"name": "\\udc00"}}}}', "main.tf.json"), "case/main.tf.json", 1, 50,
                 r"invalid escape \\udc00: not a Unicode character \(half of a UTF-16 pair\)", id="lone-surrogate-tf-json"),
    pytest.param(plan_with(lambda d: None, lambda t: t.replace('"vpc-orders"', '"vpc-\\ud83d"', 1)), "plan.json", 135, 26,
                 r"invalid JSON: invalid escape \\ud83d: not a unicode character \(half of a utf-16 pair\)", id="lone-surrogate-plan"),
    pytest.param(case("locals {\n  x = " + "9" * 4301 + "\n}\n"), "case/main.tf", 2, 7,
                 r"a number of 4,301 digits \(at most 4,300 are read\)", id="integer-of-4301-digits"),
    pytest.param(plan_with(lambda d: None, lambda t: t.replace('"format_version": "1.2",', '"format_version": "1.2", "n": ' + "7" * 4301 + ",", 1)),
                 "plan.json", 2, 33, r"invalid JSON: a number of more than 4,300 digits", id="integer-of-4301-digits-plan"),
    pytest.param(case('module "m" {\n  source = "./a\\u0000b"\n}\n'), "case/main.tf", 1, 1,
                 r"module 'm': source '\./a\\x00b' holds a NUL character", id="nul-in-module-source"),
    pytest.param(case('{"locals": {"x": ' + "[" * 900 + "]" * 900 + "}}", "main.tf.json"), "case/main.tf.json", None, None, DEEP,
                 id="tf-json-900-deep"),
    pytest.param(plan_with(set_output), "plan.json", 1237, 21,
                 r"unexpected shape at configuration/root_module/outputs/endpoint: 1\.5 is not of type 'object'", id="float-for-an-object"),
    pytest.param(tfvars_fifo, "case/terraform.tfvars", None, None, r"not a regular file \(a FIFO, socket or device\)",
                 id="terraform-tfvars-fifo"),
    pytest.param(tfvars_directory, "case/terraform.tfvars", None, None, "is a directory", id="terraform-tfvars-directory"),
]


@pytest.mark.parametrize("target,file,line,column,message", HOSTILE)
def test_hostile_input_is_one_clear_error_and_the_others_are_still_linted(
    target: Target, file: str, line: int | None, column: int | None, message: str, tmp_path: Path
) -> None:
    assert_rejected(invoke(target, tmp_path), file, line, column, message)


def test_an_unreadable_module_directory_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As `chmod 000` does for anyone but root (tests may run as root), listing the directory fails."""
    write(tmp_path / "case" / "main.tf", 'module "net" {\n  source = "./net"\n}\n')
    write(tmp_path / "case" / "net" / "main.tf", 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n}\n')
    refused = os.path.realpath(tmp_path / "case" / "net")
    real_listdir = os.listdir

    def listdir(path: str = ".") -> list[str]:
        if os.path.realpath(path) == refused:
            raise PermissionError(13, "Permission denied", path)
        return real_listdir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    assert_rejected(invoke(lambda tmp: "case", tmp_path), "case/net", None, None, "cannot read directory: permission denied")


def test_a_real_module_cycle_is_still_a_cycle(tmp_path: Path) -> None:
    """Depth is not a cycle, and a cycle is not depth: a chain of 3 that comes back is a cycle."""
    write(tmp_path / "case" / "main.tf", 'module "a" {\n  source = "./a"\n}\n')
    write(tmp_path / "case" / "a" / "main.tf", 'module "b" {\n  source = "./b"\n}\n')
    write(tmp_path / "case" / "a" / "b" / "main.tf", 'module "top" {\n  source = "../../"\n}\n')
    assert_rejected(invoke(lambda tmp: "case", tmp_path), "case/a/b/main.tf", 1, 1,
                    r"module 'top': source '\.\./\.\./' includes itself \(module cycle\)")


# -- the catalogue: rejected -------------------------------------------------------------------

REJECTED = [
    pytest.param("empty-file/main.tf", "empty-file/main.tf", None, None, "empty file: nothing to lint", id="empty-file"),
    pytest.param(empty_directory, "empty", None, None, "empty directory", id="empty-directory"),
    pytest.param("no-tf-files", "no-tf-files", None, None, r"no Terraform files \(\.tf, \.tf\.json\) in directory or below it", id="directory-without-tf"),
    pytest.param(binary_file, "main.tf", None, None, "binary file, not text", id="binary-file"),
    pytest.param(saved_plan, "tfplan", None, None, r"a saved plan file \(binary\); lint `terraform show -json PLANFILE` output instead", id="saved-binary-plan"),
    pytest.param(latin1_file, "main.tf", 3, 8, r"not valid UTF-8 \(byte 0xe9\)", id="non-utf8-bytes"),
    pytest.param("truncated-plan/plan.json", "truncated-plan/plan.json", 41, 1, r"invalid JSON: unexpected end of the document \(a truncated file\?\)", id="truncated-json"),
    pytest.param("json-array/plan.json", "json-array/plan.json", None, None, r"JSON document is neither a Terraform plan nor a state \(`terraform show -json` output\)", id="json-array"),
    pytest.param("json-number/plan.json", "json-number/plan.json", None, None, r"JSON document is neither a Terraform plan nor a state .*", id="json-number"),
    pytest.param("format-version-2/plan.json", "format-version-2/plan.json", 2, 21, r"unsupported format_version 2\.0 \(supported: 0\.1 to 1\.x\)", id="format-version-2"),
    pytest.param("plan-without-changes/plan.json", "plan-without-changes/plan.json", None, None, "the plan has neither resource_changes nor planned_values: nothing to lint", id="plan-missing-everything"),
    pytest.param("plan-wrong-shape/plan.json", "plan-wrong-shape/plan.json", 507, 17, "unexpected shape at resource_changes/3/change: 'create' is not of type 'object'", id="plan-wrong-shape"),
    pytest.param(deep_json, "deep.json", None, None, "invalid JSON: nesting too deep", id="deep-nesting-json"),
    pytest.param(deep_hcl_brackets, "deep/main.tf", 2, 133, DEEP, id="deep-nesting-hcl-brackets"),
    pytest.param(deep_hcl_blocks, "deep/main.tf", 128, 4, DEEP, id="deep-nesting-hcl-blocks"),
    pytest.param(deep_tf_json, "deep/main.tf.json", None, None, DEEP, id="deep-nesting-tf-json"),
    pytest.param("syntax-unclosed-brace", "syntax-unclosed-brace/main.tf", 18, 1, r"HCL syntax error: unexpected end of file \(unclosed block or bracket\?\)", id="hcl-unclosed-brace"),
    pytest.param("syntax-missing-equals", "syntax-missing-equals/main.tf", 13, 3, "HCL syntax error: unexpected 'cidr'", id="hcl-missing-equals"),
    pytest.param("syntax-stray-brace", "syntax-stray-brace/main.tf", 15, 1, "HCL syntax error: unexpected '}'", id="hcl-stray-brace"),
    pytest.param("syntax-unterminated-string", "syntax-unterminated-string/main.tf", 12, 10, r"HCL syntax error: unterminated string \(a quoted string cannot span lines\)", id="hcl-bad-string"),
    pytest.param("syntax-argument-twice", "syntax-argument-twice/main.tf", 14, 3, r"HCL syntax error: argument 'cidr' is set twice \(first on line 13\)", id="hcl-argument-twice"),
    pytest.param("syntax-argument-and-block", "syntax-argument-and-block/main.tf", 69, 3, r"HCL syntax error: 'ingress_rules' is set as an argument \(line 67\) and as a block", id="hcl-argument-and-block"),
    pytest.param("duplicate-resource", "duplicate-resource/security.tf", 3, 1, "duplicate resource huaweicloud_networking_secgroup.app \\(first declared at duplicate-resource/network.tf:11\\)", id="duplicate-resource"),
    pytest.param("module-cycle-self", "module-cycle-self/main.tf", 12, 1, r"module 'again': source './' includes itself \(module cycle\)", id="module-calls-itself"),
    pytest.param("module-cycle-pair", "module-cycle-pair/b/main.tf", 1, 1, r"module 'a': source '\.\./a' includes itself \(module cycle\)", id="modules-call-each-other"),
    pytest.param("module-missing", "module-missing/main.tf", 11, 1, r"module 'network': source '\./modules/network' does not exist", id="module-source-missing"),
    pytest.param("does-not-exist.tf", "does-not-exist.tf", None, None, "no such file or directory", id="path-does-not-exist"),
    pytest.param(hcl_named_hcl, "main.hcl", None, None, r"not a Terraform file \(\.tf, \.tf\.json\), plan or state \(JSON\)", id="not-a-terraform-file"),
    pytest.param(tf_json_named_json, "main.json", None, None, r"Terraform JSON configuration is read only from files named \*\.tf\.json", id="tf-json-misnamed"),
]


@pytest.mark.parametrize("target,file,line,column,message", REJECTED)
def test_bad_input_is_one_clear_error_and_the_others_are_still_linted(
    target: Target, file: str, line: int | None, column: int | None, message: str, tmp_path: Path
) -> None:
    assert_rejected(invoke(target, tmp_path), file, line, column, message)


# -- the catalogue: accepted -------------------------------------------------------------------

def hcl(case: str, *items: tuple[str, str, int]) -> set[tuple[str, str, str | None]]:
    return {(rule, address, f"{case}:{line}") for rule, address, line in items}


SAME_AS_EXAMPLE = (("VPCEP001", "huaweicloud_networking_secgroup.app", 28), ("VPCEP002", "huaweicloud_vpc_network_acl.app", 64))
BY_ADDRESS = {("VPCEP001", "huaweicloud_networking_secgroup.app", None), ("VPCEP002", "huaweicloud_vpc_network_acl.app", None)}

ACCEPTED = [
    pytest.param(utf8_bom, hcl("bom/main.tf", *SAME_AS_EXAMPLE), frozenset(), id="utf8-bom"),
    pytest.param(utf8_bom_plan, BY_ADDRESS, frozenset(), id="utf8-bom-plan"),
    pytest.param(utf16_plan, BY_ADDRESS, frozenset(), id="utf16-plan-with-bom"),
    pytest.param(utf16_plan_without_bom, BY_ADDRESS, frozenset(), id="utf16-plan-without-bom"),
    pytest.param("interpolation-0-11", hcl("interpolation-0-11/main.tf", *SAME_AS_EXAMPLE), frozenset(), id="interpolation-0-11"),
    pytest.param("heredocs", hcl("heredocs/main.tf", ("VPCEP001", "huaweicloud_networking_secgroup.app", 30), ("VPCEP002", "huaweicloud_vpc_network_acl.app", 69)), frozenset(), id="heredocs"),
    # app: known for_each, evaluated (else no VPCEP002); other: unknown for_each, so not flagged
    pytest.param("dynamic-blocks", hcl("dynamic-blocks/main.tf", ("VPCEP001", "huaweicloud_networking_secgroup.app", 28), ("VPCEP002", "huaweicloud_vpc_network_acl.app", 138)), frozenset(), id="dynamic-blocks"),
    # known only from terraform.tfvars.json: read as Terraform reads it, so the findings appear
    pytest.param("tfvars-json", hcl("tfvars-json/main.tf", *SAME_AS_EXAMPLE), frozenset(), id="tfvars-json"),
    pytest.param("tfvars-json/terraform.tfvars.json", hcl("tfvars-json/main.tf", *SAME_AS_EXAMPLE), frozenset(), id="tfvars-json-given"),
    pytest.param("tf-json", hcl("tf-json/main.tf.json", ("VPCEP001", "huaweicloud_networking_secgroup.app", 41), ("VPCEP002", "huaweicloud_vpc_network_acl.app", 81)), frozenset(), id="tf-json"),
    pytest.param("plan-without-planned-values/plan.json", BY_ADDRESS, frozenset(), id="plan-missing-planned-values"),
    pytest.param("plan-without-configuration/plan-existing.json", BY_ADDRESS, frozenset(), id="plan-missing-configuration"),
    pytest.param("missing-references", set(), frozenset(), id="references-to-missing-resources"),
    # the peering has no route at all, whatever its VPCs' (cyclic, unknown) CIDRs are
    pytest.param("reference-cycles", hcl("reference-cycles/main.tf", ("VPCEP005", "huaweicloud_vpc_peering_connection.loop", 40)), frozenset(), id="reference-cycles"),
    pytest.param("module-remote-sources", set(), frozenset(), id="module-sources-remote-or-outside"),
    # Terraform would reject these; the linter must not crash, nor claim what it cannot see
    # (the group and the ACL admit 198.19.128.0/17 on no port at all: whatever a valid port_mapping
    # would say, they block it, so those two findings are true; nothing else may be claimed)
    pytest.param("wrong-types-hcl", set(), frozenset(BY_ADDRESS | hcl("wrong-types-hcl/main.tf", *SAME_AS_EXAMPLE)), id="hcl-string-where-blocks-belong"),
    pytest.param("wrong-types-plan/wrong-types.json", set(), frozenset(BY_ADDRESS), id="plan-string-where-blocks-belong"),
    pytest.param("null-everywhere", set(), frozenset(), id="hcl-null-everywhere"),
    pytest.param("null-everywhere-plan/null-everywhere.json", set(), frozenset(), id="plan-null-everywhere"),
    # Terraform converts these; the group admits the endpoint, so VPCEP001 would be a lie
    pytest.param("wrong-scalar-types", set(), frozenset(hcl("wrong-scalar-types/main.tf", ("VPCEP002", "huaweicloud_vpc_network_acl.app", 64))), id="numbers-and-strings-swapped"),
    pytest.param("ipv6-everywhere", set(), frozenset(), id="ipv6-everywhere"),
    # a port that is a list or a float: the rule is invalid, so at most the example's own findings
    pytest.param(port_lists, set(), frozenset(hcl("port-lists/main.tf", *SAME_AS_EXAMPLE)),
                 id="list-and-float-for-ports"),
    pytest.param(listener_port_list, set(), frozenset(hcl("listener/main.tf", ("VPCEP003", "huaweicloud_elb_listener.api", 41))),
                 id="list-for-listener-port"),
]


@pytest.mark.parametrize("target,must,may", ACCEPTED)
def test_odd_but_valid_input_is_linted_normally(target: Target, must: set, may: frozenset, tmp_path: Path) -> None:
    assert_accepted(invoke(target, tmp_path), must, may)


def test_a_plan_without_configuration_is_linted_with_a_note() -> None:
    """Decision: a plan with resource_changes but no `configuration` is still linted (known values,
    literal IDs) and gets a note, not an error: without configuration an unset optional argument
    looks unknown, so the linter only says less. A plan with neither resource_changes nor
    planned_values has nothing to lint: that is an error (row plan-missing-everything)."""
    case = BAD / "plan-without-configuration"
    report = lint([str(case / "plan-existing.json")], Options(cwd=str(case)))
    assert report.errors == []
    assert [str(u) for u in report.unchecked] == [
        "plan-existing.json: the configuration: not in the plan; unset and unknown values cannot be told apart"]
    assert {(f.rule_id, f.address) for f in report.findings} == {(r, a) for r, a, _ in BY_ADDRESS}


def test_remote_and_outside_module_sources_are_notes_not_errors() -> None:
    case = BAD / "module-remote-sources"
    report = lint([str(case)], Options(cwd=str(case)))
    assert report.errors == [] and report.findings == []
    # the peering's VPCs are in the modules not followed: it is said not checked too
    assert {u.kind for u in report.unchecked} == {"module", "subject"}
    assert [u.address for u in report.unchecked if u.kind == "subject"] == ["huaweicloud_vpc_peering_connection.peer"]
    notes = "\n".join(str(u) for u in report.unchecked)
    for name in ("from_git", "from_registry", "from_outside", "from_variable"):
        assert f"module '{name}' (source" in notes and "not followed" in notes, notes


# -- invalid values ------------------------------------------------------------------------------

def with_tfvars(tmp: Path, **values: str) -> str:
    shutil.copytree(BAD / "invalid-cidrs-and-ports", tmp / "case")
    write(tmp / "case" / "terraform.tfvars", "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()))
    return "case"


@pytest.mark.parametrize(
    "values",
    [
        pytest.param({"deny_cidr": "10.0.0.300/24"}, id="cidr-octet-300"),
        pytest.param({"deny_cidr": "198.19.128.0/33"}, id="cidr-prefix-33"),
        pytest.param({"deny_cidr": "any"}, id="cidr-any"),
        pytest.param({"deny_cidr": "198.19.128.0/255.255.128.0"}, id="cidr-netmask"),
        pytest.param({"deny_cidr": "198.19.128.0/17", "deny_ports": "80-"}, id="port-open-range"),
        pytest.param({"deny_cidr": "198.19.128.0/17", "deny_ports": "0"}, id="port-0"),
        pytest.param({"deny_cidr": "198.19.128.0/17", "deny_ports": "70000"}, id="port-70000"),
        pytest.param({"deny_cidr": "198.19.128.0/17", "deny_ports": "8080-80"}, id="port-reversed"),
        pytest.param({"deny_cidr": "198.19.128.0/17", "deny_ports": "http"}, id="port-name"),
    ],
)
def test_invalid_cidrs_and_ports_neither_crash_nor_deny_everything(values: dict[str, str], tmp_path: Path) -> None:
    """The security group and the ACL each hold a DENY rule with these (invalid) values before the
    rule that admits the endpoint. The cloud rejects such rules; read as "any address" or "every
    port" they would produce VPCEP001 and VPCEP002, which would be lies."""
    assert_accepted(invoke(lambda tmp: with_tfvars(tmp, **values), tmp_path), set())


def test_invalid_values_control_a_valid_deny_rule_is_flagged(tmp_path: Path) -> None:
    """The same configuration with a valid deny-all: both rules see it (so the test above can fail)."""
    result = invoke(lambda tmp: with_tfvars(tmp, deny_cidr="0.0.0.0/0"), tmp_path)
    assert {r for r, _, _ in split(json_report(result))[1]} == {"VPCEP001", "VPCEP002"}


def test_ipv6_rules_control_an_ipv4_deny_rule_is_flagged(tmp_path: Path) -> None:
    """ipv6-everywhere with its first rule made IPv4: VPCEP001 appears, so IPv6 rules are really read."""
    shutil.copytree(BAD / "ipv6-everywhere", tmp_path / "v4")
    main_tf = tmp_path / "v4" / "main.tf"
    text = main_tf.read_text().replace('ethertype         = "IPv6"', 'ethertype         = "IPv4"', 1)
    main_tf.write_text(text.replace('remote_ip_prefix  = "::/0"', 'remote_ip_prefix  = "0.0.0.0/0"', 1))
    result = invoke(lambda tmp: "v4", tmp_path)
    assert {r for r, _, _ in split(json_report(result))[1]} == {"VPCEP001"}


# -- file system oddities ----------------------------------------------------------------------

def test_directory_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    """`loop -> .` and `sub/up -> ..` used as module sources: a module cycle each, reported cleanly."""
    root = tmp_path / "root"
    write(root / "main.tf", 'module "loop" {\n  source = "./loop/loop/loop"\n}\n\nmodule "sub" {\n  source = "./sub"\n}\n')
    write(root / "sub" / "main.tf", 'module "up" {\n  source = "./up"\n}\n')
    os.symlink(".", root / "loop")
    os.symlink("..", root / "sub" / "up")
    result = invoke(lambda tmp: "root", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "vpcep-lint: error: root/main.tf:1:1: module 'loop': source './loop/loop/loop' includes itself (module cycle)",
        "vpcep-lint: error: root/sub/main.tf:1:1: module 'up': source './up' includes itself (module cycle)",
    ]
    assert split(json_report(result))[0] == EXAMPLE_FINDINGS


def test_a_directory_reached_through_a_symlink_loop_is_linted_once(tmp_path: Path) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "root", ignore=shutil.ignore_patterns("*.json"))
    os.symlink(".", tmp_path / "root" / "loop")
    result = invoke(lambda tmp: "root", tmp_path, "root/loop/loop/loop")
    assert result.exit_code == 1 and result.stderr == ""
    report = json_report(result)
    assert split(report)[1] == hcl("root/main.tf", *SAME_AS_EXAMPLE)
    assert [i["path"] for i in report["inputs"]] == [str(EXAMPLE), "root"]


def test_file_symlink_loop_is_an_error_not_a_silent_skip(tmp_path: Path) -> None:
    """a.tf -> b.tf -> a.tf: Terraform cannot read the directory; neither should we pretend to."""
    write(tmp_path / "root" / "main.tf", 'resource "huaweicloud_vpc" "a" {\n  cidr = "10.0.0.0/16"\n}\n')
    os.symlink("b.tf", tmp_path / "root" / "a.tf")
    os.symlink("a.tf", tmp_path / "root" / "b.tf")
    result = invoke(lambda tmp: "root", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "vpcep-lint: error: root/a.tf: cannot read file: Too many levels of symbolic links",
        "vpcep-lint: error: root/b.tf: cannot read file: Too many levels of symbolic links",
    ]


@pytest.fixture
def unreadable(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], None]:
    """Make `open` and `os.open` refuse one path, as chmod 000 does for anyone but root (tests may run as root)."""
    refused: set[str] = set()
    real_open = builtins.open
    real_os_open = os.open

    def guarded_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, (str, os.PathLike)) and os.path.realpath(file) in refused:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    def guarded_os_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if kwargs.get("dir_fd") is None and isinstance(file, (str, os.PathLike)) and os.path.realpath(file) in refused:
            raise PermissionError(13, "Permission denied", str(file))
        return real_os_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(os, "open", guarded_os_open)
    return lambda path: refused.add(os.path.realpath(path))


def test_unreadable_file_given_directly(tmp_path: Path, unreadable: Callable[[Path], None]) -> None:
    unreadable(write(tmp_path / "plan.json", (EXAMPLE / "plan.json").read_text()))
    assert_rejected(invoke(lambda tmp: "plan.json", tmp_path), "plan.json", None, None, "cannot read file: permission denied")


def test_unreadable_file_in_a_directory(tmp_path: Path, unreadable: Callable[[Path], None]) -> None:
    shutil.copytree(EXAMPLE, tmp_path / "root", ignore=shutil.ignore_patterns("*.json"))
    unreadable(write(tmp_path / "root" / "extra.tf", 'resource "huaweicloud_vpc" "extra" {\n  cidr = "10.0.0.0/16"\n}\n'))
    result = invoke(lambda tmp: "root", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == "vpcep-lint: error: root/extra.tf: cannot read file: permission denied\n"
    example, case = split(json_report(result))
    assert example == EXAMPLE_FINDINGS
    assert case == hcl("root/main.tf", *SAME_AS_EXAMPLE) | {("VPCEP000", None, "root/extra.tf:1")}


DROP_FILE_ACCESS_OVERRIDE = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search",
                             "--inh-caps", "-dac_override,-dac_read_search"]
"""util-linux setpriv: what follows runs without the capabilities that let root read any file."""


def invoke_unprivileged(target: str, tmp_path: Path) -> Result:
    """`invoke`, but as a user who cannot read what chmod forbids (root reads a chmod 000 file anyway,
    so as root the command runs in a subprocess without that power)."""
    if os.geteuid() != 0:
        return invoke(lambda tmp: target, tmp_path)
    assert shutil.which("setpriv"), "setpriv (util-linux) is needed to test this as root"
    proc = subprocess.run([*DROP_FILE_ACCESS_OVERRIDE, sys.executable, "-m", "vpcep_lint.cli", "--no-cache",
                           target, str(EXAMPLE), "-f", "json"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in proc.stderr, proc.stderr
    return types.SimpleNamespace(exit_code=proc.returncode, stdout=proc.stdout, stderr=proc.stderr)  # type: ignore[return-value]


def test_chmod_000_file(tmp_path: Path) -> None:
    path = write(tmp_path / "main.tf", EXAMPLE_TF)
    path.chmod(0)
    try:
        assert_rejected(invoke_unprivileged("main.tf", tmp_path), "main.tf", None, None,
                        "cannot read file: permission denied")
    finally:
        path.chmod(0o644)


def test_chmod_000_directory(tmp_path: Path) -> None:
    d = tmp_path / "infra"
    write(d / "main.tf", EXAMPLE_TF)
    d.chmod(0)
    try:
        assert_rejected(invoke_unprivileged("infra", tmp_path), "infra", None, None,
                        "cannot read directory: permission denied")
    finally:
        d.chmod(0o755)


# -- duplicate declarations -----------------------------------------------------------------------

def test_duplicate_resource_names_both_places(tmp_path: Path) -> None:
    result = invoke("duplicate-resource", tmp_path)
    assert result.exit_code == 2
    assert "duplicate-resource/network.tf:11" in result.stderr and "duplicate-resource/security.tf:3" in result.stderr


def test_duplicate_resource_with_count_is_an_error(tmp_path: Path) -> None:
    assert_rejected(invoke("duplicate-resource-with-count", tmp_path), "duplicate-resource-with-count/main.tf", 16, 1,
                    "duplicate resource .*huaweicloud_networking_secgroup.app.*main.tf:11.*")


def test_duplicate_module_call_is_reported_at_the_call(tmp_path: Path) -> None:
    assert_rejected(invoke("duplicate-module", tmp_path), "duplicate-module/main.tf", 15, 1, "duplicate module .*network.*")


# -- a 100 MB plan -------------------------------------------------------------------------------

_RUN_LIMITED = textwrap.dedent(
    """
    import resource, sys
    limit = int(sys.argv[1]) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from vpcep_lint.cli import main
    sys.argv = ["vpcep-lint", *sys.argv[2:]]
    try:
        main()
    finally:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM"):
                print(line.split()[1], file=sys.stderr)
    """
)


def big_plan(path: Path, size: int) -> int:
    """A plan of many small resource changes, written as a stream; returns their number."""
    pad = "x" * 200
    written, n = 0, 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": [')
        while written < size:
            change = {
                "address": f"huaweicloud_networking_secgroup_rule.r{n}",
                "mode": "managed",
                "type": "huaweicloud_networking_secgroup_rule",
                "name": f"r{n}",
                "change": {
                    "actions": ["create"],
                    "before": None,
                    "after": {"direction": "ingress", "ethertype": "IPv4", "protocol": "tcp", "ports": "22",
                              "remote_ip_prefix": "10.0.0.0/8", "description": pad},
                    "after_unknown": {"id": True, "security_group_id": True},
                },
            }
            text = ("," if n else "") + json.dumps(change)
            out.write(text)
            written += len(text)
            n += 1
        out.write("]}\n")
    return n


def run_limited(limit_mb: int, *args: str, cwd: Path) -> tuple[subprocess.CompletedProcess[str], int]:
    proc = subprocess.run(
        [sys.executable, "-c", _RUN_LIMITED, str(limit_mb), *args],
        cwd=cwd, capture_output=True, text=True, timeout=300, env={**os.environ, "VPCEP_LINT_CACHE_DIR": str(cwd / "cache")},
    )
    *lines, peak = proc.stderr.splitlines()
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout, "\n".join(lines)), int(peak) // 1024


@pytest.mark.slow
def test_a_100_mb_plan_fits_in_bounded_memory_or_fails_cleanly(tmp_path: Path) -> None:
    n = big_plan(tmp_path / "big.json", 100 * 1024 * 1024)
    # With 1 GiB of address space the plan is linted: about five times its size at the peak.
    proc, peak = run_limited(1024, "big.json", str(EXAMPLE), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr
    report = json.loads(proc.stdout)
    assert {"path": "big.json", "kind": "plan", "resources": n} in [
        {k: i[k] for k in ("path", "kind", "resources")} for i in report["inputs"]]
    assert peak < 800, f"peak RSS {peak} MB"
    # With too little memory the plan is one clean input error; the example is still linted.
    proc, _ = run_limited(350, "big.json", str(EXAMPLE), "-f", "json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert re.fullmatch(r"vpcep-lint: error: big\.json: not enough memory to (read|load) .*", proc.stderr), proc.stderr
    rules = sorted(f["rule_id"] for f in json.loads(proc.stdout)["findings"])
    assert rules == ["VPCEP000", "VPCEP001", "VPCEP002"]

