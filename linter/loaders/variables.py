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

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Union

from ..loaders import functions
from ..loaders.hcl_syntax import Attribute, Block, Expr, HclSyntaxError, ParsedFile, parse_hcl, parse_tfvars_json
from ..loaders.sources import SourceSet, outside, read_text
from ..model import UNKNOWN, InputError

ENV_PREFIX = "TF_VAR_"


# -- inputs ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VarFile:
    """`--var-file FILE`, or a file the configuration names for a root."""

    path: str
    """Where to read it: absolute, or relative to the working directory."""
    origin: str = "--var-file"
    """Where it was named (`--var-file`, or the configuration file): for messages."""
    boundary: str | None = None
    """A directory the file must be in, symlinks resolved (the project of the configuration that names it)."""


@dataclass(frozen=True)
class VarArg:
    """`--var NAME=VALUE`, as given."""

    text: str


Assignment = Union[VarFile, VarArg]


@dataclass(frozen=True)
class RootVarFiles:
    """The `var-files` setting: root directory (or glob) -> var files relative to that root."""

    base: str
    """The directory the root patterns are relative to (the configuration file's)."""
    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    config: str = ""
    """The configuration file, for messages."""


@dataclass(frozen=True)
class VariableInputs:
    """Everything besides the root's own files that assigns root module variables."""

    assignments: tuple[Assignment, ...] = ()
    """`--var` and `--var-file` in command-line order (the configuration's files of a root first)."""
    env: Mapping[str, str] = field(default_factory=dict, hash=False)
    """The environment; only `TF_VAR_*` entries are read."""
    root_files: RootVarFiles | None = None
    """The `var-files` setting, resolved per root by `inputs_for_root`."""

    @classmethod
    def from_command_line(
        cls, items: Iterable[tuple[str, str]], env: Mapping[str, str] | None = None, root_files: RootVarFiles | None = None
    ) -> VariableInputs:
        """`items`: `("var", "NAME=VALUE")` and `("var-file", "FILE")` in the order given."""
        out: list[Assignment] = []
        for kind, value in items:
            out.append(VarArg(value) if kind == "var" else VarFile(value))
        env = {k: v for k, v in (env or {}).items() if k.startswith(ENV_PREFIX)}
        return cls(tuple(out), env, root_files)


def inputs_for_root(inputs: VariableInputs | None, root: str) -> VariableInputs:
    """The inputs of the root module in directory `root`: the `var-files` the configuration names
    for it (before the command line's, so that the command line wins), then `--var`/`--var-file`."""
    if inputs is None:
        return VariableInputs()
    setting = inputs.root_files
    if setting is None:
        return inputs
    files = [VarFile(os.path.join(root, name), setting.config or "var-files", setting.base)
             for name in root_var_files(setting, root)]
    return VariableInputs(tuple(files) + inputs.assignments, inputs.env, None)


def root_var_files(setting: RootVarFiles, root: str) -> list[str]:
    """The names the setting gives for `root`, from every entry that matches it, in the order written."""
    base = os.path.realpath(setting.base)
    real = os.path.realpath(root)
    if real == base:
        rel = "."
    elif real.startswith(base.rstrip(os.sep) + os.sep):
        rel = os.path.relpath(real, base).replace(os.sep, "/")
    else:
        return []
    out: list[str] = []
    for pattern, names in setting.entries:
        if _root_matches(rel, pattern):
            out += [n for n in names if n not in out]
    return out


def _root_matches(rel: str, pattern: str) -> bool:
    pattern = pattern.strip().rstrip("/") or "."
    if pattern.startswith("./") and len(pattern) > 2:
        pattern = pattern[2:]
    if pattern == rel:
        return True
    if not any(c in pattern for c in "*?["):
        return False
    regex = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            regex += "(?:.*/)?"
            i += 3
        elif pattern.startswith("**", i):
            regex += ".*"
            i += 2
        elif pattern[i] == "*":
            regex += "[^/]*"
            i += 1
        elif pattern[i] == "?":
            regex += "[^/]"
            i += 1
        else:
            j = i
            while j < len(pattern) and pattern[j] not in "*?":
                j += 1
            regex += fnmatch.translate(pattern[i:j])[4:-3] if "[" in pattern[i:j] else re.escape(pattern[i:j])
            i = j
    return re.fullmatch(regex, rel) is not None


# -- types ---------------------------------------------------------------------------------------

Type = tuple[Any, ...]
"""("string",) ("number",) ("bool",) ("any",) ("list", T) ("set", T) ("map", T) ("tuple", (T, ...))
("object", ((name, T, optional, default), ...)) with default _NO_DEFAULT when none is given."""

ANY: Type = ("any",)
PRIMITIVES = {"string", "number", "bool"}
_NO_DEFAULT: Any = object()


def parse_type(expr: Expr | None, depth: int = 0) -> Type:
    """A `type = ...` expression as a Type; `any` for none, and for what is not a type expression
    (Terraform rejects those; the linter just does not convert)."""
    if expr is None or depth > 64:
        return ANY
    kind = expr[0]
    if kind == "var":
        name = expr[1]
        if name in PRIMITIVES or name == "any":
            return (name,)
        if name in ("list", "map"):  # the bare keywords mean list(any), map(any)
            return (name, ANY)
        return ANY
    if kind == "lit" and isinstance(expr[1], str) and depth == 0:
        # .tf.json writes the type as a string; Terraform 0.11 quoted it too
        try:
            parsed = parse_hcl(f"t = {expr[1]}\n", "<type>")
        except HclSyntaxError:
            return ANY
        attr = parsed.body.attributes.get("t")
        return parse_type(attr.expr, depth + 1) if attr is not None and attr.expr[0] != "lit" else ANY
    if kind == "call" and len(expr[2]) == 1:
        name, (arg,) = expr[1], expr[2]
        if name in ("list", "set", "map"):
            return (name, parse_type(arg, depth + 1))
        if name == "tuple" and arg[0] == "tuple":
            return ("tuple", tuple(parse_type(a, depth + 1) for a in arg[1]))
        if name == "object" and arg[0] == "object":
            attrs = []
            for key, value in arg[1]:
                if key[0] != "lit" or not isinstance(key[1], str):
                    return ANY
                optional, default = False, _NO_DEFAULT
                if value[0] == "call" and value[1] == "optional" and 1 <= len(value[2]) <= 2:
                    optional = True
                    attr_type = parse_type(value[2][0], depth + 1)
                    if len(value[2]) == 2:
                        try:
                            default = convert(static_value(value[2][1]), attr_type)
                        except (Rejected, ConversionError):
                            default = _NO_DEFAULT
                else:
                    attr_type = parse_type(value, depth + 1)
                attrs.append((key[1], attr_type, optional, default))
            return ("object", tuple(sorted(attrs, key=lambda a: a[0])))
    return ANY


def type_str(t: Type) -> str:
    kind = t[0]
    if kind in ("list", "set", "map"):
        return f"{kind}({type_str(t[1])})"
    if kind == "tuple":
        return "tuple([" + ", ".join(type_str(e) for e in t[1]) + "])"
    if kind == "object":
        parts = []
        for name, at, optional, _ in t[1]:
            parts.append(f"{name} = " + (f"optional({type_str(at)})" if optional else type_str(at)))
        return "object({" + ", ".join(parts) + "})"
    return str(kind)


def parses_as_expression(t: Type | None) -> bool:
    """Whether text from `--var` or `TF_VAR_` is an expression (else it is the string itself)."""
    return t is not None and t[0] not in PRIMITIVES


# -- literal expressions -------------------------------------------------------------------------

class Rejected(Exception):
    """An expression Terraform does not evaluate where no context is given."""


def static_value(expr: Expr) -> Any:
    """The value of an expression that may use no variable and call no function (a var file's
    values, a default): raises Rejected for those; UNKNOWN for what is not evaluated here."""
    try:
        return _static(expr)
    except RecursionError:
        return UNKNOWN


def _static(e: Expr) -> Any:
    kind = e[0]
    if kind == "lit":
        return e[1]
    if kind == "tuple":
        return [_static(x) for x in e[1]]
    if kind == "object":
        obj: dict[str, Any] = {}
        unknown = False
        for k, v in e[1]:
            key, value = _static(k), _static(v)
            if key is UNKNOWN or key is None or isinstance(key, (list, dict)):
                unknown = True
                continue
            obj[functions.to_string(key)] = value
        return UNKNOWN if unknown else obj
    if kind == "tmpl":
        out = []
        parts = [p if isinstance(p, str) else _static(p) for p in e[1]]
        for p in parts:
            if p is UNKNOWN or p is None or isinstance(p, (list, dict)):
                return UNKNOWN
            out.append(functions.to_string(p))
        return "".join(out)
    if kind == "var":
        raise Rejected("variables may not be used here")
    if kind == "call":
        raise Rejected("functions may not be called here")
    if kind == "cond":
        c, a, b = _static(e[1]), _static(e[2]), _static(e[3])
        return (a if c else b) if isinstance(c, bool) else UNKNOWN
    if kind == "binop":
        return functions.binop(e[1], _static(e[2]), _static(e[3]))
    if kind == "unop":
        return functions.unop(e[1], _static(e[2]))
    if kind == "index":
        obj, key = _static(e[1]), _static(e[2])
        if isinstance(obj, list) and isinstance(key, int) and not isinstance(key, bool) and 0 <= key < len(obj):
            return obj[key]
        if isinstance(obj, dict) and isinstance(key, str):
            return obj.get(key, UNKNOWN)
        return UNKNOWN
    if kind == "attr":
        obj = _static(e[1])
        return obj.get(e[2], UNKNOWN) if isinstance(obj, dict) else UNKNOWN
    if kind == "for":
        _static(e[3])  # a reference in the collection is still rejected
        return UNKNOWN
    return UNKNOWN  # a template directive, a splat...


# -- conversion ----------------------------------------------------------------------------------

class ConversionError(Exception):
    def __init__(self, message: str, path: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path

    def at(self, step: str) -> ConversionError:
        return ConversionError(self.message, (step,) + self.path)

    def __str__(self) -> str:
        return "".join(f"{p}: " for p in self.path) + self.message


_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _parse_number(text: str) -> int | float:
    if not _NUMBER.fullmatch(text):
        raise ConversionError("a number is required")
    try:
        d = Decimal(text)
    except InvalidOperation:
        raise ConversionError("a number is required") from None
    if d == d.to_integral_value() and abs(d) < Decimal(10) ** 30:
        return int(d)
    return float(d)


def _kind_name(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if _is_number(v):
        return "number"
    if isinstance(v, str):
        return "string"
    return "other"


def convert(value: Any, t: Type) -> Any:
    """`value` converted to type `t` as Terraform converts it; raises ConversionError."""
    if value is UNKNOWN or value is None:
        return value
    kind = t[0]
    if kind == "any":
        return value  # a list or map given for `any` is a tuple or an object: its elements keep their types
    if kind == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, bool) or _is_number(value):
            return functions.to_string(value)
        raise ConversionError("string required")
    if kind == "number":
        if _is_number(value):
            return int(value) if isinstance(value, float) and value.is_integer() and abs(value) < 1e30 else value
        if isinstance(value, str):
            return _parse_number(value)
        raise ConversionError("number required")
    if kind == "bool":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value in ("true", "1"):
                return True
            if value in ("false", "0"):
                return False
            if value.lower() in ("true", "false"):
                raise ConversionError(f'a bool is required; to convert from string, use lowercase "{value.lower()}"')
            raise ConversionError("a bool is required")
        raise ConversionError("bool required")
    if kind in ("list", "set"):
        if not isinstance(value, list):
            raise ConversionError(f"{kind} of {type_str(t[1])} required")
        items = []
        for i, item in enumerate(value):
            try:
                items.append(convert(item, t[1]))
            except ConversionError as exc:
                raise exc.at(f"element {i}") from None
        if t[1] == ANY:
            items = _unify(items, kind)
        return _set(items) if kind == "set" else items
    if kind == "map":
        if not isinstance(value, dict):
            raise ConversionError(f"map of {type_str(t[1])} required")
        out = {}
        for k, item in value.items():
            try:
                out[k] = convert(item, t[1])
            except ConversionError as exc:
                raise exc.at(f'element "{k}"') from None
        if t[1] == ANY:
            out = dict(zip(out, _unify(list(out.values()), "map")))
        return out
    if kind == "tuple":
        if not isinstance(value, list) or len(value) != len(t[1]):
            raise ConversionError("tuple required")
        items = []
        for i, (item, et) in enumerate(zip(value, t[1])):
            try:
                items.append(convert(item, et))
            except ConversionError as exc:
                raise exc.at(f"element {i}") from None
        return items
    if kind == "object":
        if not isinstance(value, dict):
            raise ConversionError("object required")
        obj: dict[str, Any] = {}
        for name, at, optional, default in t[1]:
            if name not in value and not optional:
                raise ConversionError(f'attribute "{name}" is required')
            item = value.get(name)
            if item is None and default is not _NO_DEFAULT:
                item = default
            try:
                obj[name] = convert(item, at)
            except ConversionError as exc:
                raise exc.at(f'attribute "{name}"') from None
        return obj
    return value


def _unify(items: list[Any], kind: str) -> list[Any]:
    """Elements of list(any), set(any), map(any) must share one type: mixed primitives become strings."""
    known = [x for x in items if x is not None and x is not UNKNOWN]
    kinds = {_kind_name(x) for x in known}
    if not kinds or len(kinds) == 1 and "other" not in kinds:
        return items
    if "other" not in kinds:
        return [functions.to_string(x) if x is not None and x is not UNKNOWN else x for x in items]
    shapes = {type(x) for x in known}
    if len(shapes) > 1:
        raise ConversionError(f"all {'map' if kind == 'map' else kind} elements must have the same type")
    return items


def _set(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for x in items:
        if x not in out:
            out.append(x)
    known = [x for x in out if x is not UNKNOWN and x is not None]
    if len(known) == len(out) and len({_kind_name(x) for x in out}) == 1 and _kind_name(out[0]) != "other":
        return sorted(out)
    return out


def coerce(value: Any, t: Type) -> Any:
    """`value` converted to `t` when it can be, else unchanged: for the arguments of a module call,
    whose errors Terraform reports at the call (not ours to judge)."""
    if t == ANY or not _plain(value):
        return value
    try:
        return convert(value, t)
    except (ConversionError, RecursionError):
        return value


def _plain(v: Any, depth: int = 0) -> bool:
    if depth > 32:
        return False
    if v is None or v is UNKNOWN or isinstance(v, (str, int, float, bool)):
        return True
    if isinstance(v, list):
        return all(_plain(x, depth + 1) for x in v)
    if isinstance(v, dict):
        return all(_plain(x, depth + 1) for x in v.values())
    return False


# -- assigning -----------------------------------------------------------------------------------

@dataclass
class Assigned:
    """The variables of one root module: values (declared ones with a known value), and what went wrong."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each value came from (`default`, `TF_VAR_x`, `prod.tfvars:3`, `--var`)."""


@dataclass
class _Candidate:
    name: str
    kind: str
    """`env`, `file` (a var file or an automatic one) or `arg` (--var)."""
    text: str = ""
    attr: Attribute | None = None
    file: str = ""
    """The file as shown (kind `file`)."""


def read_var_file(path: str, sources: SourceSet, boundary: str | None = None, where: str = "the boundary") -> ParsedFile | InputError:
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
    shown_root = sources.display(root)

    for key in sorted(inputs.env):
        if key.startswith(ENV_PREFIX) and len(key) > len(ENV_PREFIX):
            name = key[len(ENV_PREFIX):]
            final[name] = _Candidate(name, "env", text=inputs.env[key])

    def add_file(path: str, missing: str | None, boundary: str | None = None, origin: str = "", automatic: bool = False) -> None:
        shown = sources.display(path)
        if missing is not None and not os.path.lexists(path):
            result.errors.append(InputError(shown, missing))
            return
        if boundary is not None and not _inside(path, boundary):
            result.errors.append(InputError(shown, f"variables file named in {origin} is outside {sources.display(boundary)}; not read"))
            return
        # an automatic one (terraform.tfvars, *.auto.tfvars) that is a link out of the module tree's
        # boundary is not read: a note, as for the .tf files
        parsed = read_var_file(path, sources, files_boundary if automatic else None, where)
        if isinstance(parsed, InputError):
            result.errors.append(parsed)
            return
        for block in parsed.body.blocks:
            if block.type == "variable":
                label = block.labels[0] if block.labels else "NAME"
                result.errors.append(InputError(
                    shown, f'variable declaration in a variables file: declare variable "{label}" in a .tf file; '
                           f"here assign it: {label} = VALUE", block.line, block.column))
            else:
                result.errors.append(InputError(
                    shown, f'unexpected "{block.type}" block: a variables file holds only NAME = VALUE lines',
                    block.line, block.column))
        for name, attr in parsed.body.attributes.items():
            final[name] = _Candidate(name, "file", attr=attr, file=shown)

    for path in SourceSet.tfvars_files(root):
        add_file(path, None, automatic=True)
    for item in inputs.assignments:
        if isinstance(item, VarFile):
            where = "" if item.origin == "--var-file" else f" (named in {item.origin})"
            add_file(item.path, f"variables file does not exist{where}", item.boundary, item.origin)
            continue
        name, eq, text = item.text.partition("=")
        if not eq:
            result.errors.append(InputError(
                f"--var {item.text}", "expected NAME=VALUE: a variable name and its value separated by an equals sign"))
            continue
        if name != name.rstrip():
            result.errors.append(InputError(
                f"--var {item.text}", f'variable name "{name}" ends in a space; did you mean --var "{name.rstrip()}={text.lstrip()}"?'))
            continue
        final[name] = _Candidate(name, "arg", text=text)

    for name in sorted(final):
        given = final[name]
        if name in declarations:
            continue
        if given.kind == "file" and given.attr is not None:
            result.warnings.append(InputError(
                given.file, f'value for undeclared variable "{name}" ({_root_name(shown_root)} declares no such variable)',
                given.attr.line, given.attr.column))
        elif given.kind == "arg":
            result.errors.append(InputError(
                f"--var {name}", f'value for undeclared variable "{name}": {_root_name(shown_root)} declares no such '
                                 f"variable (TF_VAR_{name} sets it only where it is declared)"))
        # a TF_VAR_ for a variable this root does not declare is normal: it is meant for other roots

    for name, block in declarations.items():
        t = parse_type(block.attributes["type"].expr) if "type" in block.attributes else None
        declared_at = _declared_at(block, sources)
        default = _NO_DEFAULT
        if "default" in block.attributes:
            attr = block.attributes["default"]
            try:
                default = static_value(attr.expr)
                if t is not None:
                    default = convert(default, t)
            except Rejected as exc:
                result.errors.append(_at_decl(block, sources, f"invalid default value for var.{name}: {exc}", attr))
                default = UNKNOWN
            except ConversionError as exc:
                result.errors.append(_at_decl(block, sources, f"invalid default value for var.{name}: {exc}"
                                              + ("" if t is None or t[0] in PRIMITIVES else f" (type {type_str(t)})"), attr))
                default = UNKNOWN
        cand = final.get(name)
        if cand is None:
            if default is not _NO_DEFAULT:
                result.values[name] = default
                result.sources[name] = "default"
            continue
        value, where, problem = _candidate_value(cand, t)
        if problem is None and value is not UNKNOWN:
            try:
                value = convert(value, t) if t is not None else value
            except ConversionError as exc:
                problem = str(exc) + ("" if t is None or t[0] in PRIMITIVES else f" (type {type_str(t)})")
        if problem is not None:
            if cand.kind == "file" and cand.attr is not None:
                msg = f"invalid value for var.{name} (declared at {declared_at}): {problem}"
                result.errors.append(InputError(cand.file, msg, cand.attr.line, cand.attr.column))
            else:
                result.errors.append(_at_decl(block, sources, f"invalid value for var.{name} set by {where}: {problem}"))
            result.values[name] = UNKNOWN
            continue
        if value is None and _not_nullable(block):
            if default is not _NO_DEFAULT and default is not None:
                value = default
            else:
                msg = f"var.{name} may not be null (nullable = false) and has no default"
                if cand.kind == "file" and cand.attr is not None:
                    result.errors.append(InputError(cand.file, msg, cand.attr.line, cand.attr.column))
                else:
                    result.errors.append(_at_decl(block, sources, f"{msg} (set by {where})"))
                value = UNKNOWN
        result.values[name] = value
        result.sources[name] = where
    return result


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
        return UNKNOWN, where, f"{exc} (for type {type_str(t or ANY)} the text is an expression: put a string in quotes)"


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


def declared_type(block: Block) -> Type:
    return parse_type(block.attributes["type"].expr) if "type" in block.attributes else ANY


__all__ = [
    "Assigned", "RootVarFiles", "VarArg", "VarFile", "VariableInputs", "assign", "coerce", "convert",
    "declared_type", "inputs_for_root", "parse_type", "root_var_files", "static_value", "type_str",
]
