"""Root module input variables, assigned as Terraform assigns them.

Where a value comes from, lowest precedence first (a later source wins, name by name):

1. the variable's `default`;
2. `TF_VAR_<name>` in the environment;
3. `terraform.tfvars`, then `terraform.tfvars.json`, then `*.auto.tfvars` / `*.auto.tfvars.json`
   in lexical order of their names, all in the root module's directory;
4. the var files the configuration names for this root (`var-files`), in the order written;
5. `--var NAME=VALUE` and `--var-file FILE`, in the order given on the command line.

Values in files are expressions without references or function calls (Terraform evaluates them
with no context). Text from `--var` and `TF_VAR_` is taken literally for a variable of a primitive
type (`string`, `number`, `bool`) or of no type, and parsed as an expression for any other type.
Only the winning value of a variable is evaluated and converted to the declared type, with
Terraform's conversions (`"80"` to 80 for `number`, `"true"` to true for `bool`, numbers to text
for `string`, `optional()` attribute defaults, ...). What cannot be converted is an input error
at the value and the variable is unknown; a value for a variable the root does not declare is
a warning when it comes from a file, an error on the command line, and ignored in the environment.

This module reads files only through the `SourceSet` it is given and evaluates nothing but
literal expressions. `assign` is the entry point; `inputs_for_root` gives the inputs of one root.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from ..model import UNKNOWN, InputError
from ..records import field, record
from .hcl_syntax import parse_hcl
from .hcl_tree import Attribute, Block, HclSyntaxError, ParsedFile
from .sources import SourceSet, outside, read_text
from .tf_json import parse_tfvars_json
from .variable_inputs import ENV_PREFIX, RootVarFiles, VarArg, VarFile, VariableInputs, inputs_for_root, root_var_files
from .variable_types import (
    ANY,
    NO_DEFAULT,
    PRIMITIVES,
    ConversionError,
    Rejected,
    Type,
    coerce,
    convert,
    declared_type,
    parse_type,
    parses_as_expression,
    static_value,
    type_str,
)

# -- assigning -----------------------------------------------------------------------------------

@record
class Assigned:
    """The variables of one root module: values (declared ones with a known value), and what went wrong."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each value came from (`default`, `TF_VAR_x`, `prod.tfvars:3`, `--var`)."""


@record
class _Candidate:
    name: str
    kind: str
    """`env`, `file` (a var file or an automatic one) or `arg` (--var)."""
    text: str = ""
    attr: Attribute | None = None
    file: str = ""
    """The file as shown (kind `file`)."""


def read_var_file(path: str, sources: SourceSet, boundary: str | None = None,
                  where: str = "the boundary") -> ParsedFile | InputError:
    """A var file: JSON when its name ends in `.json` (as Terraform decides), else HCL; with a
    `boundary`, one that is a link out of it is not read (a note)."""
    if boundary is not None and outside(path, boundary) is not None:
        return sources.outside_note(path, where)
    if path.endswith(".json") and not path.endswith(".tfvars.json"):
        shown = sources.display(path)
        text = read_text(path)
        if isinstance(text, InputError):
            text.source = shown
            return text
        try:
            return parse_tfvars_json(text, path)
        except HclSyntaxError as exc:
            return InputError(shown, exc.message, exc.line, exc.column)
    return sources.parse(path, boundary=boundary, where=where)


def assign(
    root: str,
    declarations: Mapping[str, Block],
    inputs: VariableInputs | None = None,
    sources: SourceSet | None = None,
    files_boundary: str | None = None,
    where: str = "the boundary",
) -> Assigned:
    """The values of the variables `declarations` (the root module's `variable` blocks, each with
    a `file` attribute naming its file where known) from every source, in Terraform's precedence."""
    inputs = inputs or VariableInputs()
    sources = sources or SourceSet()
    result = Assigned()
    final: dict[str, _Candidate] = {}
    for key in sorted(inputs.env):
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            name = key[len(ENV_PREFIX):]
            final[name] = _Candidate(name, "env", text=inputs.env[key])
    for path in SourceSet.tfvars_files(root):
        # an automatic one (terraform.tfvars, *.auto.tfvars) that is a link out of the module tree's
        # boundary is not read: a note, as for the .tf files
        _add_file(result, final, sources, path, read_boundary=files_boundary, where=where)
    for item in inputs.assignments:
        if isinstance(item, VarFile):
            named = "" if item.origin == "--var-file" else f" (named in {item.origin})"
            _add_file(result, final, sources, item.path, missing=f"variables file does not exist{named}",
                      boundary=item.boundary, origin=item.origin, where=where)
        else:
            _add_argument(result, final, item.text)
    _check_undeclared(result, final, declarations, sources.display(root))
    for name, block in declarations.items():
        _assign_declared(result, name, block, final.get(name), sources)
    return result


def _add_file(result: Assigned, final: dict[str, _Candidate], sources: SourceSet, path: str, *,
              missing: str | None = None, boundary: str | None = None, origin: str = "",
              read_boundary: str | None = None, where: str = "the boundary") -> None:
    """The assignments of one variables file into `final`, its problems into `result`."""
    shown = sources.display(path)
    if missing is not None and not os.path.lexists(path):
        result.errors.append(InputError(shown, missing))
        return
    if boundary is not None and not _inside(path, boundary):
        result.errors.append(InputError(
            shown, f"variables file named in {origin} is outside {sources.display(boundary)}; not read"))
        return
    parsed = read_var_file(path, sources, read_boundary, where)
    if isinstance(parsed, InputError):
        result.errors.append(parsed)
        return
    result.errors.extend(_stray_block(shown, block) for block in parsed.body.blocks)
    for name, attr in parsed.body.attributes.items():
        final[name] = _Candidate(name, "file", attr=attr, file=shown)


def _stray_block(shown: str, block: Block) -> InputError:
    """The error for a block in a variables file (which holds only NAME = VALUE lines)."""
    if block.type == "variable":
        label = block.labels[0] if block.labels else "NAME"
        return InputError(
            shown, f'variable declaration in a variables file: declare variable "{label}" in a .tf file; '
                   f"here assign it: {label} = VALUE", block.line, block.column)
    return InputError(
        shown, f'unexpected "{block.type}" block: a variables file holds only NAME = VALUE lines',
        block.line, block.column)


def _add_argument(result: Assigned, final: dict[str, _Candidate], text: str) -> None:
    """One `--var NAME=VALUE` into `final`, or its error into `result`."""
    name, eq, value = text.partition("=")
    if not eq:
        result.errors.append(InputError(
            f"--var {text}", "expected NAME=VALUE: a variable name and its value separated by an equals sign"))
    elif name != name.rstrip():
        result.errors.append(InputError(
            f"--var {text}",
            f'variable name "{name}" ends in a space; did you mean --var "{name.rstrip()}={value.lstrip()}"?'))
    else:
        final[name] = _Candidate(name, "arg", text=value)


def _check_undeclared(result: Assigned, final: dict[str, _Candidate], declarations: Mapping[str, Block],
                      shown_root: str) -> None:
    """A warning for a variables file's value of an undeclared variable, an error for a --var's."""
    for name in sorted(final):
        given = final[name]
        if name in declarations:
            continue
        if given.kind == "file" and given.attr is not None:
            result.warnings.append(InputError(
                given.file,
                f'value for undeclared variable "{name}" ({_root_name(shown_root)} declares no such variable)',
                given.attr.line, given.attr.column))
        elif given.kind == "arg":
            result.errors.append(InputError(
                f"--var {name}", f'value for undeclared variable "{name}": {_root_name(shown_root)} declares no such '
                                 f"variable (TF_VAR_{name} sets it only where it is declared)"))
        # a TF_VAR_ for a variable this root does not declare is normal: it is meant for other roots


def _type_note(t: Type | None) -> str:
    return "" if t is None or t[0] in PRIMITIVES else f" (type {type_str(t)})"


def _declared_default(result: Assigned, name: str, block: Block, sources: SourceSet, t: Type | None) -> Any:
    """The declaration's default, converted to its type; NO_DEFAULT for none, UNKNOWN for a bad one."""
    if "default" not in block.attributes:
        return NO_DEFAULT
    attr = block.attributes["default"]
    try:
        default = static_value(attr.expr)
        return convert(default, t) if t is not None else default
    except Rejected as exc:
        result.errors.append(_at_decl(block, sources, f"invalid default value for var.{name}: {exc}", attr))
    except ConversionError as exc:
        result.errors.append(_at_decl(block, sources, f"invalid default value for var.{name}: {exc}"
                                      + _type_note(t), attr))
    return UNKNOWN


def _assign_declared(result: Assigned, name: str, block: Block, cand: _Candidate | None, sources: SourceSet) -> None:
    """The value of one declared variable: the one given (converted to its type) or its default."""
    t = parse_type(block.attributes["type"].expr) if "type" in block.attributes else None
    default = _declared_default(result, name, block, sources, t)
    if cand is None:
        if default is not NO_DEFAULT:
            result.values[name] = default
            result.sources[name] = "default"
        return
    value, where, problem = _candidate_value(cand, t)
    if problem is None and value is not UNKNOWN:
        try:
            value = convert(value, t) if t is not None else value
        except ConversionError as exc:
            problem = str(exc) + _type_note(t)
    if problem is not None:
        if cand.kind == "file" and cand.attr is not None:
            msg = f"invalid value for var.{name} (declared at {_declared_at(block, sources)}): {problem}"
            result.errors.append(InputError(cand.file, msg, cand.attr.line, cand.attr.column))
        else:
            result.errors.append(_at_decl(block, sources, f"invalid value for var.{name} set by {where}: {problem}"))
        result.values[name] = UNKNOWN
        return
    if value is None and _not_nullable(block):
        value = _null_value(result, name, block, cand, sources, default, where)
    result.values[name] = value
    result.sources[name] = where


def _null_value(result: Assigned, name: str, block: Block, cand: _Candidate, sources: SourceSet, default: Any,
                where: str) -> Any:
    """What a null given for a `nullable = false` variable becomes: its default, else an error and UNKNOWN."""
    if default is not NO_DEFAULT and default is not None:
        return default
    msg = f"var.{name} may not be null (nullable = false) and has no default"
    if cand.kind == "file" and cand.attr is not None:
        result.errors.append(InputError(cand.file, msg, cand.attr.line, cand.attr.column))
    else:
        result.errors.append(_at_decl(block, sources, f"{msg} (set by {where})"))
    return UNKNOWN


def _candidate_value(cand: _Candidate, t: Type | None) -> tuple[Any, str, str | None]:
    """(value before conversion, where it came from, problem or None)."""
    if cand.kind == "file":
        assert cand.attr is not None
        where = f"{cand.file}:{cand.attr.line}"
        try:
            return static_value(cand.attr.expr), where, None
        except Rejected as exc:
            return UNKNOWN, where, str(exc)
    where = f"{ENV_PREFIX}{cand.name}" if cand.kind == "env" else "--var"
    if not parses_as_expression(t):
        return cand.text, where, None
    try:
        parsed = parse_hcl(f"v = {cand.text}\n", f"<value for var.{cand.name}>")
    except HclSyntaxError as exc:
        return UNKNOWN, where, f"the value is not a valid expression: {exc.message}"
    attr = parsed.body.attributes.get("v")
    if attr is None or len(parsed.body.attributes) != 1 or parsed.body.blocks:
        return UNKNOWN, where, "the value is not a valid expression: extra characters after the expression"
    try:
        return static_value(attr.expr), where, None
    except Rejected as exc:
        return UNKNOWN, where, (f"{exc} (for type {type_str(t or ANY)} the text is an expression: "
                                "put a string in quotes)")


def _root_name(shown: str) -> str:
    return "the root module in the working directory" if shown == "." else f"the root module {shown}"


def _inside(path: str, directory: str) -> bool:
    return outside(path, directory) is None


def _not_nullable(block: Block) -> bool:
    attr = block.attributes.get("nullable")
    return attr is not None and attr.expr == ("lit", False)


def _declared_at(block: Block, sources: SourceSet) -> str:
    file = getattr(block, "file", None)
    return f"{sources.display(file)}:{block.line}" if file else f"line {block.line}"


def _at_decl(block: Block, sources: SourceSet, message: str, attr: Attribute | None = None) -> InputError:
    file = getattr(block, "file", None)
    node: Any = attr or block
    return InputError(sources.display(file) if file else "", message, node.line, node.column)


__all__ = [
    "ANY", "Assigned", "ConversionError", "Rejected", "RootVarFiles", "VarArg", "VarFile", "VariableInputs", "assign",
    "coerce", "convert", "declared_type", "inputs_for_root", "parse_type", "root_var_files", "static_value", "type_str",
]
