"""Record how Terraform itself assigns root module variables, for tests/test_variables.py.

    python tools/record_variable_cases.py [OUT]     (default: fixtures/variables/terraform-cases.json)

Each case below is a root module (variable declarations only), some variable files, TF_VAR_
environment variables and -var / -var-file arguments. For each, the real Terraform CLI runs
`terraform apply` in a temporary directory (no provider, no network: only outputs that
`jsonencode` every variable), and the values it assigned, or the diagnostics it gave, are written
next to the inputs. The tests read that file and never need Terraform. Needs `terraform` on PATH
(or TERRAFORM naming the binary). Rerun after adding a case.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "fixtures" / "variables" / "terraform-cases.json"


def case(id: str, tf: str, files: dict[str, str] | None = None, env: dict[str, str] | None = None,
         args: list[list[str]] | None = None) -> dict[str, Any]:
    return {"id": id, "tf": tf, "files": files or {}, "env": env or {}, "args": args or []}


def var(type_: str | None = None, default: str | None = None, name: str = "v", extra: str = "") -> str:
    body = (f"  type = {type_}\n" if type_ else "") + (f"  default = {default}\n" if default is not None else "")
    body += extra
    return f'variable "{name}" {{\n{body}}}\n'


def on_cli(type_: str | None, value: str, id: str) -> list[dict[str, Any]]:
    """The same text given as -var and as TF_VAR_v."""
    return [case(f"{id}-var", var(type_), args=[["-var", f"v={value}"]]),
            case(f"{id}-env", var(type_), env={"TF_VAR_v": value})]


def in_file(type_: str | None, value: str, id: str, default: str | None = None, extra: str = "") -> dict[str, Any]:
    return case(id, var(type_, default, extra=extra), files={"terraform.tfvars": f"v = {value}\n"})


LAYERS = ["a", "b", "c", "d", "e", "f", "g"]


def layered(id: str, args: list[list[str]]) -> dict[str, Any]:
    """Variable a is set by the environment only, b also by terraform.tfvars, and so on: each
    variable shows which source wins over the ones below it."""
    tf = "".join(var("string", name=n) for n in LAYERS)
    return case(
        id, tf,
        files={
            "terraform.tfvars": "".join(f'{n} = "terraform.tfvars"\n' for n in LAYERS[1:]),
            "terraform.tfvars.json": json.dumps({n: "terraform.tfvars.json" for n in LAYERS[2:]}, indent=2) + "\n",
            "a.auto.tfvars": "".join(f'{n} = "a.auto.tfvars"\n' for n in LAYERS[3:]),
            "b.auto.tfvars.json": json.dumps({n: "b.auto.tfvars.json" for n in LAYERS[4:]}, indent=2) + "\n",
            "x.tfvars": "".join(f'{n} = "x.tfvars"\n' for n in LAYERS[5:]),
        },
        env={f"TF_VAR_{n}": "env" for n in LAYERS},
        args=args,
    )


CASES: list[dict[str, Any]] = [
    # -- text from -var and TF_VAR_: literal for primitive types and no type, an expression otherwise
    *on_cli("number", "80", "number-from-text"),
    *on_cli("number", "8.5", "fraction-from-text"),
    *on_cli("number", "-5", "negative-from-text"),
    *on_cli("number", "1e3", "exponent-from-text"),
    *on_cli("number", " 80", "number-with-space"),
    *on_cli("number", "0x10", "hex-number"),
    *on_cli("number", "eighty", "not-a-number"),
    *on_cli("bool", "true", "bool-from-text"),
    *on_cli("bool", "0", "bool-from-zero"),
    *on_cli("bool", "True", "bool-capitalised"),
    *on_cli("bool", "yes", "bool-yes"),
    *on_cli("string", "80", "string-stays-text"),
    *on_cli("string", '"quoted"', "string-keeps-quotes"),
    *on_cli("string", "", "string-empty"),
    *on_cli(None, "[1, 2]", "untyped-is-literal"),
    *on_cli("any", "[1, 2]", "any-is-an-expression"),
    *on_cli("any", "hello", "any-bare-word"),
    *on_cli("list(number)", '["80", 443]', "list-of-numbers"),
    *on_cli("list(string)", '[1, true, "x"]', "list-of-strings"),
    *on_cli("set(string)", '["b", "a", "b"]', "set-of-strings"),
    *on_cli("set(number)", "[3, 1, 2, 1]", "set-of-numbers"),
    *on_cli("map(number)", '{a = "1", b = 2}', "map-of-numbers"),
    *on_cli("map(string)", "{}", "empty-map"),
    *on_cli("object({port = number, cidr = optional(string, \"0.0.0.0/0\")})", '{port = "8080"}',
            "object-with-optional"),
    *on_cli("object({port = number})", "{cidr = \"x\"}", "object-missing-attribute"),
    *on_cli("object({port = number})", "{port = 1, extra = 2}", "object-extra-attribute"),
    *on_cli("tuple([string, number])", '[1, "2"]', "tuple"),
    *on_cli("tuple([string, number])", "[1]", "tuple-too-short"),
    *on_cli("list(number)", "[1,", "expression-unfinished"),
    *on_cli("list(number)", "[1] x", "expression-extra-text"),
    *on_cli("list(any)", '[1, "a"]', "list-any-mixed-primitives"),
    *on_cli("map(any)", '{a = 1, b = "x"}', "map-any-mixed-primitives"),
    *on_cli("list(any)", '[[1], "a"]', "list-any-list-and-string"),
    *on_cli("list", '["a"]', "bare-list-keyword"),
    *on_cli("list(number)", "var.x", "expression-with-reference"),
    # -- values in files: expressions without references or functions, converted to the type
    in_file("number", '"80"', "file-quoted-number"),
    in_file("string", "80", "file-number-to-string"),
    in_file("string", "true", "file-bool-to-string"),
    in_file("bool", '"false"', "file-text-to-bool"),
    in_file("number", "true", "file-bool-to-number"),
    in_file("string", "[1]", "file-list-to-string"),
    in_file("list(string)", '"a"', "file-string-to-list"),
    in_file("number", "var.x", "file-reference"),
    in_file("string", 'upper("a")', "file-function"),
    in_file("number", "1 + 2", "file-arithmetic"),
    in_file("string", '"a-${1}"', "file-template"),
    in_file("number", "null", "file-null-over-default", default="5"),
    in_file("number", "null", "file-null-not-nullable", default="5", extra="  nullable = false\n"),
    in_file("number", "null", "file-null-not-nullable-no-default", extra="  nullable = false\n"),
    in_file("list(object({port = optional(number, 80)}))", '[{}, {port = "443"}]', "file-nested-optional"),
    in_file("map(object({cidr = string, ports = list(number)}))", '{a = {cidr = "10.0.0.0/8", ports = ["22"]}}',
            "file-map-of-objects"),
    in_file("string", "<<EOT\nline\nEOT", "file-heredoc"),
    in_file("number", "-1", "file-negative"),
    in_file("bool", "1 == 1", "file-comparison"),
    in_file("string", "true ? \"a\" : \"b\"", "file-conditional"),
    in_file("object({port = optional(number, 80)})", "{port = null}", "file-null-attribute-gets-default"),
    in_file("set(any)", '[2, "1", 2]', "file-set-any-mixed"),
    in_file("number", "80.0", "file-whole-fraction"),
    case("default-converted", var("number", '"80"')),
    case("default-function", var("string", 'upper("a")')),
    case("default-reference", var("string", "var.other") + var("string", '"x"', name="other")),
    case("default-unsuitable", var("number", '"x"')),
    case("default-object-optional", var("object({a = string, b = optional(number, 80)})", "{a = 1}")),
    case("json-file-values", var("object({port = number, tags = map(string)})"),
         files={"terraform.tfvars.json": json.dumps({"v": {"port": "8080", "tags": {"a": 1}}}, indent=2) + "\n"}),
    case("json-file-template", var("string"), files={"terraform.tfvars.json": '{"v": "a-${1}"}\n'}),
    case("var-file-named-json", var("number"), files={"vals.json": '{"v": "7"}\n'}, args=[["-var-file", "vals.json"]]),
    # -- precedence
    layered("precedence-without-arguments", []),
    layered("precedence-var-file-then-var", [["-var-file", "x.tfvars"], ["-var", "g=-var"]]),
    layered("precedence-var-then-var-file", [["-var", "g=-var"], ["-var-file", "x.tfvars"]]),
    case("auto-files-in-lexical-order", var("string"),
         files={"9.auto.tfvars": 'v = "9"\n', "10.auto.tfvars": 'v = "10"\n'}),
    case("overridden-bad-value-is-not-parsed", var("number"), files={"terraform.tfvars": "v = 1\n"},
         env={"TF_VAR_v": "abc"}),
    case("overridden-reference-is-not-evaluated", var("number"), files={"terraform.tfvars": "v = var.x\n"},
         args=[["-var", "v=1"]]),
    case("later-var-wins", var("number"), args=[["-var", "v=1"], ["-var", "v=2"]]),
    # -- undeclared variables and bad arguments
    case("undeclared-in-tfvars", var("number", "1"), files={"terraform.tfvars": "v = 2\nfoo = 1\n"}),
    case("undeclared-three-in-tfvars", var("number", "1"), files={"terraform.tfvars": "foo = 1\nbar = 2\nbaz = 3\n"}),
    case("undeclared-in-var-file", var("number", "1"), files={"prod.tfvars": "foo = 1\n"},
         args=[["-var-file", "prod.tfvars"]]),
    case("undeclared-on-command-line", var("number", "1"), args=[["-var", "foo=1"]]),
    case("undeclared-in-environment", var("number", "1"), env={"TF_VAR_foo": "1"}),
    case("var-without-equals", var("number", "1"), args=[["-var", "v"]]),
    case("var-name-with-trailing-space", var("number", "1"), args=[["-var", "v =1"]]),
    case("var-file-missing", var("number", "1"), args=[["-var-file", "missing.tfvars"]]),
    case("var-file-syntax-error", var("number", "1"), files={"bad.tfvars": "v = 1\nw = [\n"},
         args=[["-var-file", "bad.tfvars"]]),
    case("var-file-declares-variable", var("number", "1"), files={"bad.tfvars": 'v = 2\nvariable "w" {}\n'},
         args=[["-var-file", "bad.tfvars"]]),
    case("var-file-with-block", var("number", "1"), files={"bad.tfvars": 'v = 2\nlocals {\n  w = 1\n}\n'},
         args=[["-var-file", "bad.tfvars"]]),
    case("tfvars-json-not-an-object", var("number", "1"), files={"terraform.tfvars.json": "[1]\n"}),
]


def run_case(c: dict[str, Any], terraform: str) -> dict[str, Any]:
    names = re.findall(r'^variable "([^"]+)"', c["tf"], re.M)
    outputs = "".join(f'output "{n}" {{\n  value = jsonencode(var.{n})\n}}\n' for n in names)
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp) / "root"
        d.mkdir()
        (d / "main.tf").write_text(c["tf"] + outputs)
        for name, text in c["files"].items():
            (d / name).write_text(text)
        rc_file = Path(tmp) / "terraformrc"
        rc_file.write_text("")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TF_")}
        env.update({"TF_CLI_CONFIG_FILE": str(rc_file), "CHECKPOINT_DISABLE": "1", "TF_IN_AUTOMATION": "1"})
        env.update(c["env"])
        flags = [f"{flag}={value}" for flag, value in c["args"]]
        proc = subprocess.run([terraform, "apply", "-auto-approve", "-input=false", "-json", *flags],
                              cwd=d, env=env, capture_output=True, text=True, timeout=120)
        diagnostics = []
        for line in proc.stdout.splitlines():
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("type") == "diagnostic":
                diag = msg["diagnostic"]
                rng = diag.get("range") or {}
                diagnostics.append({
                    "severity": diag["severity"], "summary": diag["summary"], "detail": diag.get("detail", ""),
                    "file": rng.get("filename"), "line": (rng.get("start") or {}).get("line"),
                })
        result: dict[str, Any] = {"exit": proc.returncode, "diagnostics": diagnostics}
        if proc.returncode == 0:
            out = subprocess.run([terraform, "output", "-json"], cwd=d, env=env, capture_output=True, text=True,
                                 check=True)
            result["values"] = {n: json.loads(o["value"]) for n, o in json.loads(out.stdout).items()}
        elif not diagnostics:
            result["stderr"] = proc.stderr
        return result


def main() -> int:
    terraform = os.environ.get("TERRAFORM", "terraform")
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    version = subprocess.run([terraform, "version", "-json"], capture_output=True, text=True, check=True,
                             env={**os.environ, "CHECKPOINT_DISABLE": "1", "TF_CLI_CONFIG_FILE": os.devnull})
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "duplicate case id"
    recorded = [{**c, "terraform": run_case(c, terraform)} for c in CASES]
    doc = {"terraform_version": json.loads(version.stdout)["terraform_version"], "cases": recorded}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(recorded)} cases -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
