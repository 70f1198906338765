"""A directory of `.tf` files (a root module and its local modules) -> an Inventory.

Evaluates what can be known statically: variable defaults and tfvars, locals, literals,
string templates, `count`/`for_each` over known values, local modules and their outputs,
and a few pure functions. Everything else is UNKNOWN. Nothing outside the module tree is read;
remote modules are not followed; functions that read files are never evaluated.
"""
from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..loaders import functions
from ..loaders.hcl_syntax import Attribute, Block, Expr, HclSyntaxError, ParsedFile
from ..loaders.manifest import ModuleManifest, read_manifest
from ..loaders.sources import SourceSet, outside
from ..loaders.variables import VariableInputs, assign, coerce, declared_type
from ..model import (
    UNKNOWN,
    InputError,
    Inventory,
    Ref,
    Resource,
    Span,
    Unchecked,
    excerpt,
    normalize_value,
)
from ..provider import canonical_type, convert

META_ATTRIBUTES = {"count", "for_each", "provider", "depends_on"}
META_BLOCKS = {"lifecycle", "provisioner", "connection"}

# Bounds on the work one root module may ask for (docs/security.md). A configuration that goes past
# one is an input error at the expression; past a per-root bound, the root is not linted at all.
MAX_MODULE_DEPTH = 32
"""Module calls nested deeper than this are not followed (an error)."""
MAX_INSTANCES = functions.MAX_INSTANCES
"""Instances of one resource or module block (`count`, `for_each`)."""
MAX_RESOURCE_INSTANCES = 250_000
"""Resource instances of one root module, all modules included."""
MAX_MODULE_INSTANCES = 5_000
"""Module instances of one root module."""
MAX_WORK = 1_000_000
"""Iterations of `for` expressions and `dynamic` blocks, and elements built by functions, in one root module."""


class LimitExceeded(Exception):
    """A bound of the root module was passed: the root is not linted (an error at the expression)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.where: tuple[str, int, int] | None = None


@dataclass(frozen=True)
class ResourcePath:
    """A not-yet-read reference into a resource instance: `huaweicloud_x.y.network[0].port`."""

    address: str
    path: tuple[Any, ...] = ()


@dataclass(frozen=True)
class ResourceGroup:
    """`huaweicloud_x.y` of a resource with count or for_each: its instances by key."""

    instances: tuple[tuple[Any, str], ...]
    keyed: bool

    def members(self) -> list[ResourcePath]:
        return [ResourcePath(addr) for _, addr in self.instances]


@dataclass
class ProviderConfig:
    key: str
    region: Any
    owner: ModuleInstance | None = None
    """The module instance whose block defines it: its region is evaluated there."""


@dataclass
class ModuleDef:
    directory: str
    files: list[ParsedFile]
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    modules: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    comments: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


@dataclass
class Scope:
    names: dict[str, Any] = field(default_factory=dict)

    def child(self, **names: Any) -> Scope:
        merged = dict(self.names)
        merged.update(names)
        return Scope(merged)


class _Namespace:
    def __init__(self, getter: Callable[[str], Any]) -> None:
        self.getter = getter


@dataclass
class ResourceInstance:
    module: ModuleInstance
    block: Block
    address: str
    type: str
    key: Any
    scope: Scope
    values: dict[str, Any] | None = None
    refs: dict[tuple[Any, ...], list[Ref]] = field(default_factory=dict)
    unresolved: set[tuple[Any, ...]] = field(default_factory=set)
    evaluating: bool = False


class ModuleInstance:
    def __init__(
        self,
        loader: HclLoader,
        definition: ModuleDef,
        prefix: str,
        call_args: dict[str, Callable[[], Any]],
        providers: dict[str, ProviderConfig],
        depth: int,
        key: str = "",
    ) -> None:
        self.loader = loader
        self.key = key
        """The module call's path from the root without instance keys (`net.subnets`): the key of
        `.terraform/modules/modules.json`."""
        self.definition = definition
        self.prefix = prefix
        self.call_args = call_args
        self.providers = providers
        self.depth = depth
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._busy: set[str] = set()
        self.groups: dict[str, Any] = {}
        self.children: dict[str, Any] = {}
        self._outputs: dict[str, Any] = {}
        self.call_comments: list[str] = []
        """Comments on the module blocks that lead here (suppressions apply inside)."""

    # -- names -------------------------------------------------------------------------------
    def var(self, name: str) -> Any:
        if name in self._vars:
            return self._vars[name]
        token = "var." + name
        if token in self._busy:
            return UNKNOWN
        self._busy.add(token)
        try:
            if name in self.call_args:
                value = self.loader.module_arg(self, name, self.call_args[name]())
            else:
                value = self.loader.root_var(self, name)
        finally:
            self._busy.discard(token)
        self._vars[name] = value
        return value

    def local(self, name: str) -> Any:
        if name in self._locals:
            return self._locals[name]
        attr = self.definition.locals.get(name)
        if attr is None:
            return UNKNOWN
        token = "local." + name
        if token in self._busy:
            return UNKNOWN  # a reference cycle: Terraform rejects it; we just don't know
        self._busy.add(token)
        try:
            value = self.loader.guarded(lambda: Evaluator(self, Scope()).eval(attr.expr), attr, getattr(attr, "file", None))
        finally:
            self._busy.discard(token)
        self._locals[name] = value
        return value

    def output(self, name: str) -> Any:
        if name in self._outputs:
            return self._outputs[name]
        block = self.definition.outputs.get(name)
        if block is None or "value" not in block.attributes:
            return UNKNOWN
        token = "output." + name
        if token in self._busy:
            return UNKNOWN
        self._busy.add(token)
        try:
            attr = block.attributes["value"]
            value = self.loader.guarded(lambda: Evaluator(self, Scope()).eval(attr.expr), attr, getattr(block, "file", None))
        finally:
            self._busy.discard(token)
        self._outputs[name] = value
        return value

    def outputs_object(self) -> dict[str, Any]:
        return {name: self.output(name) for name in self.definition.outputs}


class Evaluator:
    """Evaluates one expression in a module instance and scope; collects references read."""

    def __init__(self, module: ModuleInstance, scope: Scope, refs: list[Ref] | None = None) -> None:
        self.module = module
        self.scope = scope
        self.refs = refs if refs is not None else []
        self.open = False
        """Set when a value came from something that is not a resource (a data source, a variable
        without a value...): the references read do not tell the whole value."""

    # Values returned by eval() may hold ResourcePath / ResourceGroup / namespaces; value()
    # turns them into plain values, recording each reference read.
    def value(self, expr: Expr) -> Any:
        return self.materialize(self.eval(expr))

    def materialize(self, v: Any) -> Any:
        if isinstance(v, ResourcePath):
            self.refs.append(Ref(v.address, _path_str(v.path)))
            return self.module.loader.read_resource(v)
        if isinstance(v, ResourceGroup):
            for _, addr in v.instances:
                self.refs.append(Ref(addr, ""))
            return UNKNOWN
        if isinstance(v, (list, dict)):
            if len(v) < _MEMO_MIN:
                return [self.materialize(x) for x in v] if isinstance(v, list) else {k: self.materialize(x) for k, x in v.items()}
            # a large value (a local read by many resources) is materialized once: its copy and the
            # references it read are kept, so that the thousandth reader costs no more than the first
            memo = self.module.loader.materialized
            hit = memo.get(id(v))
            if hit is not None and hit[0] is v:
                self.refs.extend(hit[2])
                return hit[1]
            self.module.loader.spend(len(v))
            start = len(self.refs)
            out = [self.materialize(x) for x in v] if isinstance(v, list) else {k: self.materialize(x) for k, x in v.items()}
            memo[id(v)] = (v, out, self.refs[start:])
            return out
        if isinstance(v, _Namespace):
            return UNKNOWN
        return v

    def eval(self, e: Expr) -> Any:
        try:
            return self._eval(e)
        except RecursionError:
            return UNKNOWN

    def _eval(self, e: Expr) -> Any:
        kind = e[0]
        if kind == "lit":
            return e[1]
        if kind == "tmpl":
            out = []
            size = 0
            for part in e[1]:
                if not isinstance(part, str):
                    v = self.value(part)
                    if v is UNKNOWN or isinstance(v, (list, dict)):
                        self._collect_rest(e[1])
                        return UNKNOWN
                    part = functions.to_string(v)
                size += len(part)
                if size > functions.MAX_STRING:
                    raise functions.ValueTooLarge(f"a string template builds more than {functions.MAX_STRING:,} characters")
                out.append(part)
            return "".join(out)
        if kind == "var":
            return self.root(e[1])
        if kind == "attr":
            return self.get_attr(self.eval(e[1]), e[2])
        if kind == "index":
            return self.get_index(self.eval(e[1]), self.value(e[2]))
        if kind == "splat":
            return self.splat(self.eval(e[1]), e[2])
        if kind == "tuple":
            return [self.eval(x) for x in e[1]]
        if kind == "object":
            obj: dict[str, Any] = {}
            for k, v in e[1]:
                key = self.value(k)
                val = self.eval(v)
                if key is UNKNOWN or key is None:
                    self.materialize(val)
                    return UNKNOWN
                obj[functions.to_string(key)] = val
            return obj
        if kind == "call":
            return self.call(e[1], e[2], e[3])
        if kind == "cond":
            c = self.value(e[1])
            if isinstance(c, bool):
                return self.eval(e[2] if c else e[3])
            self.value(e[2])
            self.value(e[3])
            return UNKNOWN
        if kind == "binop":
            return functions.binop(e[1], self.value(e[2]), self.value(e[3]))
        if kind == "unop":
            return functions.unop(e[1], self.value(e[2]))
        if kind == "for":
            return self.for_expr(e)
        return UNKNOWN

    def _collect_rest(self, parts: list[Any]) -> None:
        for part in parts:
            if not isinstance(part, str):
                self.value(part)

    def root(self, name: str) -> Any:
        if name in self.scope.names:
            return self.scope.names[name]
        m = self.module
        if name == "var":
            return _Namespace(lambda n: self._opened(m.var(n)))
        if name == "local":
            return _Namespace(lambda n: self._opened(m.local(n)))
        if name == "module":
            return _Namespace(lambda n: m.loader.module_value(m, n))
        if name in ("data", "path", "self", "count", "each"):
            self.open = True
            if name == "data":
                return _Namespace(lambda n: _Namespace(lambda _n: UNKNOWN))
            return UNKNOWN if name != "path" else _Namespace(lambda n: UNKNOWN)
        if name == "terraform":
            return _Namespace(lambda n: "default" if n == "workspace" else UNKNOWN)
        # anything else is a resource type
        return _Namespace(lambda n: m.loader.resource_value(m, name, n))

    def _opened(self, value: Any) -> Any:
        if value is UNKNOWN:
            self.open = True
        return value

    def get_attr(self, obj: Any, name: str) -> Any:
        if isinstance(obj, _Namespace):
            return self._opened(obj.getter(name))
        if isinstance(obj, ResourcePath):
            return ResourcePath(obj.address, obj.path + (name,))
        if isinstance(obj, ResourceGroup):
            return UNKNOWN
        if isinstance(obj, dict):
            return obj.get(name, UNKNOWN)
        return UNKNOWN

    def get_index(self, obj: Any, key: Any) -> Any:
        if key is UNKNOWN:
            if isinstance(obj, ResourceGroup):
                # unknown instance key: any of them may be meant
                for _, addr in obj.instances:
                    self.refs.append(Ref(addr, ""))
            else:
                self.materialize(obj)
            return UNKNOWN
        if isinstance(obj, ResourcePath):
            return ResourcePath(obj.address, obj.path + (key,))
        if isinstance(obj, ResourceGroup):
            for k, addr in obj.instances:
                if k == key or (isinstance(k, str) and k == functions.to_string(key)):
                    return ResourcePath(addr)
            return UNKNOWN
        if isinstance(obj, list):
            if isinstance(key, (int, float)) and not isinstance(key, bool) and 0 <= int(key) < len(obj):
                return obj[int(key)]
            if isinstance(key, str) and key.isdigit() and int(key) < len(obj):
                return obj[int(key)]
            return UNKNOWN
        if isinstance(obj, dict):
            return obj.get(functions.to_string(key), UNKNOWN)
        return UNKNOWN

    def splat(self, obj: Any, ops: list[Expr]) -> Any:
        if isinstance(obj, ResourceGroup):
            items: list[Any] = obj.members()
        elif isinstance(obj, list):
            items = obj
        elif obj is None:
            return []
        elif obj is UNKNOWN:
            return UNKNOWN
        else:
            items = [obj]
        self.module.loader.spend(len(items))
        out = []
        for item in items:
            for op in ops:
                if op[0] == "attr":
                    item = self.get_attr(item, op[1])
                else:
                    item = self.get_index(item, self.value(op[1]))
            out.append(item)
        return out

    def call(self, name: str, arg_exprs: list[Expr], expand: bool) -> Any:
        if name in functions.STRUCTURAL:
            args = [self.eval(a) for a in arg_exprs]
        else:
            args = [self.value(a) for a in arg_exprs]
        if expand and args:
            last = self.materialize(args[-1]) if name not in functions.STRUCTURAL else args[-1]
            if not isinstance(last, list):
                return UNKNOWN
            args = args[:-1] + list(last)
        if name == "try":
            for a in args:
                if a is not UNKNOWN:
                    return a
            return UNKNOWN
        result = functions.call(name, args)
        if isinstance(result, (list, dict)):
            self.module.loader.spend(len(result))
        if name in functions.STRUCTURAL and result is UNKNOWN:
            self.materialize(args)
        return result

    def for_expr(self, e: Expr) -> Any:
        _, key_var, value_var, coll_e, key_e, val_e, cond_e, group = e
        coll = self.eval(coll_e)
        if isinstance(coll, ResourceGroup):
            coll = {k: ResourcePath(a) for k, a in coll.instances} if coll.keyed else coll.members()
        if not isinstance(coll, (list, dict)):
            self.materialize(coll)
            return UNKNOWN
        pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll))
        self.module.loader.spend(len(pairs) * FOR_COST)
        tuple_out: list[Any] = []
        obj_out: dict[str, Any] = {}
        for k, v in pairs:
            names = {value_var: v}
            if key_var:
                names[key_var] = k
            sub = Evaluator(self.module, self.scope.child(**names), self.refs)
            if cond_e is not None:
                c = sub.value(cond_e)
                if c is UNKNOWN:
                    return UNKNOWN
                if not c:
                    continue
            if key_e is None:
                tuple_out.append(sub.eval(val_e))
            else:
                kk = sub.value(key_e)
                if kk is UNKNOWN:
                    return UNKNOWN
                vv = sub.eval(val_e)
                key = functions.to_string(kk)
                if group:
                    obj_out.setdefault(key, []).append(vv)
                else:
                    obj_out[key] = vv
        return tuple_out if key_e is None else obj_out


_MEMO_MIN = 64
"""Lists and maps this long or longer are materialized and normalized once, however often read."""
FOR_COST = 8
"""An iteration of a `for` (a scope and an evaluator each) costs about as much as copying 8 elements."""


def _path_str(path: tuple[Any, ...]) -> str:
    out = ""
    for p in path:
        if isinstance(p, int) and not isinstance(p, bool):
            out += f"[{p}]"
        elif isinstance(p, str) and out and not p.isidentifier():
            out += f'["{p}"]'
        else:
            out += ("." if out else "") + str(p)
    return out


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    escaped = str(key).replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


class HclLoader:
    """Loads one root module directory into an Inventory."""

    def __init__(
        self, root: str, sources: SourceSet, boundary: str | None = None, boundary_kind: str = "git",
        variables: VariableInputs | None = None,
    ) -> None:
        self.root = root
        self.sources = sources
        self.boundary = os.path.realpath(boundary or root)
        """Module directories must be below this real path (the git work tree, --root, or /)."""
        self.boundary_kind = boundary_kind
        self.variables = variables
        """What assigns the root module's variables besides its own tfvars files (see loaders.variables)."""
        self.errors: list[InputError] = []
        self.warnings: list[InputError] = []
        """Input problems that Terraform only warns about (a value for an undeclared variable)."""
        self.unchecked: list[Unchecked] = []
        self._manifest: ModuleManifest | None = None
        self.instances: dict[str, ResourceInstance] = {}
        self.order: list[ResourceInstance] = []
        self.root_module: ModuleInstance | None = None
        self._root_vars: dict[str, Any] | None = None
        self._types: dict[int, Any] = {}
        self._module_stack: list[str] = []
        self.work = 0
        self.module_instances = 0
        self.materialized: dict[int, tuple[Any, Any, list[Ref]]] = {}
        self._normalized: dict[int, tuple[Any, Any]] = {}
        self._limit_errors: set[tuple[str, int, int]] = set()

    @property
    def boundary_name(self) -> str:
        return {"git": "the git work tree", "root": "the --root directory"}.get(self.boundary_kind, "the boundary")

    # -- bounds --------------------------------------------------------------------------------
    def spend(self, units: int) -> None:
        self.work += units
        if self.work > MAX_WORK:
            raise LimitExceeded(f"evaluating this root module takes more than {MAX_WORK:,} steps "
                                "(for expressions, dynamic blocks and functions over large collections)")

    def guarded(self, fn: Callable[[], Any], attr: Attribute, file: str | None) -> Any:
        """`fn()`, or UNKNOWN after an error at `attr` when it builds a value past a bound."""
        try:
            return fn()
        except functions.ValueTooLarge as exc:
            self.limit_error(exc.message, attr, file)
            return UNKNOWN
        except LimitExceeded as exc:
            if exc.where is None and file is not None:
                exc.where = (file, attr.line, attr.column)
            raise

    def limit_error(self, message: str, attr: Attribute | Block, file: str | None) -> None:
        where = (file or self.root, attr.line, attr.column)
        if where not in self._limit_errors:
            self._limit_errors.add(where)
            self.errors.append(InputError(where[0], message, attr.line, attr.column))

    def normalize(self, value: Any) -> Any:
        """normalize_value, once per large list or map however many resources hold it."""
        if isinstance(value, str):
            return value if value != "" else None
        if isinstance(value, (list, dict)):
            if len(value) >= _MEMO_MIN:
                hit = self._normalized.get(id(value))
                if hit is not None and hit[0] is value:
                    return hit[1]
                self.spend(len(value))
            out: Any = [self.normalize(v) for v in value] if isinstance(value, list) else \
                {k: self.normalize(v) for k, v in value.items()}
            if len(value) >= _MEMO_MIN:
                self._normalized[id(value)] = (value, out)
            return out
        return value

    # -- loading ----------------------------------------------------------------------------
    def definition(self, directory: str) -> ModuleDef | None:
        files = self.sources.list_module_files(directory)
        if isinstance(files, InputError):
            files.source = self.sources.display(directory)
            self.errors.append(files)
            files = []
        parsed: list[ParsedFile] = []
        for path in files:
            result = self.sources.parse(path, boundary=self.boundary, where=self.boundary_name)
            if isinstance(result, InputError):
                self.errors.append(result)
            else:
                parsed.append(result)
        d = ModuleDef(directory, parsed)
        declared: dict[str, Block] = {}
        for pf in parsed:
            d.comments[pf.path] = sorted(pf.comments)
            for b in pf.body.blocks:
                if b.type == "resource" and len(b.labels) == 2:
                    b.file = pf.path  # type: ignore[attr-defined]
                    if self._unique(declared, f"resource {b.labels[0]}.{b.labels[1]}", b):
                        d.resources.append(b)
                elif b.type == "module" and b.labels:
                    b.file = pf.path  # type: ignore[attr-defined]
                    if self._unique(declared, f"module {b.labels[0]!r}", b):
                        d.modules.append(b)
                elif b.type == "variable" and b.labels:
                    b.file = pf.path  # type: ignore[attr-defined]
                    d.variables[b.labels[0]] = b
                elif b.type == "locals":
                    for attr in b.attributes.values():
                        attr.file = pf.path  # type: ignore[attr-defined]
                    d.locals.update(b.attributes)
                elif b.type == "output" and b.labels:
                    b.file = pf.path  # type: ignore[attr-defined]
                    d.outputs[b.labels[0]] = b
                elif b.type == "provider" and b.labels:
                    d.providers.append(b)
        return d

    @property
    def manifest(self) -> ModuleManifest:
        if self._manifest is None:
            self._manifest = read_manifest(self.root, self.sources.display(self.root))
            if self._manifest.error is not None:
                self.errors.append(self._manifest.error)
        return self._manifest

    def _unchecked(self, kind: str, what: str, why: str, block: Block) -> None:
        self.unchecked.append(Unchecked(kind, what, why, self.sources.display(getattr(block, "file", self.root)), block.line))

    def _unique(self, declared: dict[str, Block], what: str, block: Block) -> bool:
        """False, with an error at the second block naming the first, when `what` is declared twice."""
        first = declared.setdefault(what, block)
        if first is block:
            return True
        here = self.sources.display(getattr(block, "file", self.root))
        there = self.sources.display(getattr(first, "file", self.root))
        self.errors.append(InputError(here, f"duplicate {what} (first declared at {there}:{first.line})",
                                      block.line, block.column))
        return False

    def load(self) -> Inventory:
        definition = self.definition(self.root)
        inv = Inventory(source=self.root, kind="hcl")
        if definition is None:
            return inv
        providers = self._providers(definition, {}, None)
        root = ModuleInstance(self, definition, "", {}, providers, 0)
        self.root_module = root
        # every source is read now, so that a bad var file is reported even when nothing reads it
        assigned = assign(self.root, definition.variables, self.variables, self.sources,
                          files_boundary=self.boundary, where=self.boundary_name)
        self._root_vars = assigned.values
        self.errors.extend(assigned.errors)
        self.warnings.extend(assigned.warnings)
        self._module_stack.append(os.path.realpath(self.root))
        if self._root_vars is None:  # read now, needed or not: a bad or outside tfvars file is said
            self._root_vars = self._read_tfvars(root)
        try:
            self.expand(root)
            built = [self.build(inst) for inst in self.order]
        except LimitExceeded as exc:
            file, line, column = exc.where or (self.root, None, None)
            self.errors.append(InputError(file, f"{exc.message}; this root module is not linted", line, column))
            return inv
        for r in built:
            inv.add(r)
        inv.unchecked.extend(self.unchecked)
        return inv

    def root_var(self, module: ModuleInstance, name: str) -> Any:
        """A variable no module call sets: the root's assigned value, a module's default."""
        if module.depth == 0 and self._root_vars is not None:
            return self._root_vars.get(name, UNKNOWN)
        block = module.definition.variables.get(name)
        if block is None or "default" not in block.attributes:
            return UNKNOWN
        attr = block.attributes["default"]
        value = self.guarded(lambda: Evaluator(module, Scope()).value(attr.expr), attr, getattr(block, "file", None))
        return self.module_arg(module, name, value)

    def module_arg(self, module: ModuleInstance, name: str, value: Any) -> Any:
        """A module variable's value converted to its declared type, as Terraform converts it
        (`"2"` for a `number` is 2); a value that does not convert is left as it is."""
        block = module.definition.variables.get(name)
        if block is None or "type" not in block.attributes:
            return value
        key = id(block)
        t = self._types.get(key)
        if t is None:
            t = self._types[key] = declared_type(block)
        return coerce(value, t)

    def _providers(
        self, definition: ModuleDef, inherited: dict[str, ProviderConfig], module: ModuleInstance | None
    ) -> dict[str, ProviderConfig]:
        providers = dict(inherited)
        for block in definition.providers:
            if block.labels[0] != "huaweicloud":
                continue
            alias_attr = block.attributes.get("alias")
            alias = alias_attr.expr[1] if alias_attr and alias_attr.expr[0] == "lit" else None
            key = "huaweicloud" + (f".{alias}" if alias else "")
            region_attr = block.attributes.get("region")
            providers[key] = ProviderConfig(key, region_attr.expr if region_attr else None)
        return providers

    def provider_region(self, module: ModuleInstance, key: str) -> Any:
        cfg = module.providers.get(key)
        if cfg is None:
            return UNKNOWN
        if cfg.region is None:
            return UNKNOWN  # the provider falls back to the environment
        if isinstance(cfg.region, tuple):
            owner = cfg.owner or self.root_module or module
            try:
                cfg.region = normalize_value(Evaluator(owner, Scope()).value(cfg.region))
            except functions.ValueTooLarge:
                cfg.region = UNKNOWN
            if cfg.region is None:
                cfg.region = UNKNOWN
        return cfg.region

    def expand(self, module: ModuleInstance) -> None:
        for pc in module.providers.values():
            if pc.owner is None:
                pc.owner = module
        # resources first (module arguments may read them), except those whose count or
        # for_each needs a module of this one: they wait until the modules are expanded
        deferred = [b for b in module.definition.resources if not self._expand_resource(module, b, final=False)]
        for block in module.definition.modules:
            self._expand_module(module, block)
        for block in deferred:
            self._expand_resource(module, block, final=True)

    def _expand_resource(self, module: ModuleInstance, block: Block, final: bool) -> bool:
        rtype = canonical_type(block.labels[0])
        config = f"{module.prefix}{block.labels[0]}.{block.labels[1]}"
        name_key = f"{block.labels[0]}.{block.labels[1]}"
        keys = self._instance_keys(module, block, config, note=final)
        if keys is None and not final and ("count" in block.attributes or "for_each" in block.attributes):
            return False
        if keys is None:
            group: Any = ResourcePath(config)
            self._add_instance(module, block, config, rtype, None, Scope())
        else:
            pairs = []
            for key, each_value in keys:
                addr = config + _key_suffix(key)
                scope = Scope({"count": {"index": key}} if "count" in block.attributes else {"each": {"key": key, "value": each_value}})
                self._add_instance(module, block, addr, rtype, key, scope)
                pairs.append((key, addr))
            group = ResourceGroup(tuple(pairs), keyed="for_each" in block.attributes)
        module.groups[name_key] = group
        return True

    def _instance_keys(
        self, module: ModuleInstance, block: Block, config: str, note: bool = True
    ) -> list[tuple[Any, Any]] | None:
        file = getattr(block, "file", None)
        if "count" in block.attributes:
            attr = block.attributes["count"]
            n = self.guarded(lambda: Evaluator(module, Scope()).value(attr.expr), attr, file)
            if isinstance(n, bool) or not isinstance(n, (int, float)):
                if note:
                    self._unchecked("value", f"count of {config}", "not known statically; treated as one instance", block)
                return None
            problem = None
            if n != n or n in (float("inf"), float("-inf")) or n != int(n):
                problem = f"count must be a whole number, not {functions.to_string(n)}"
            elif n < 0:
                problem = f"count cannot be negative ({functions.to_string(n)})"
            elif n > MAX_INSTANCES:
                problem = f"count = {functions.to_string(n)} exceeds the limit of {MAX_INSTANCES:,} instances of one block"
            if problem is not None:
                if note:  # said once, on the final attempt (the first may wait for modules)
                    self.limit_error(problem + "; treated as one instance", attr, file)
                return None
            return [(i, None) for i in range(int(n))]
        if "for_each" in block.attributes:
            attr = block.attributes["for_each"]
            coll = self.guarded(lambda: Evaluator(module, Scope()).eval(attr.expr), attr, file)
            if isinstance(coll, (dict, list)) and len(coll) > MAX_INSTANCES:
                if note:
                    self.limit_error(f"for_each over {len(coll):,} elements exceeds the limit of {MAX_INSTANCES:,} "
                                     "instances of one block; treated as one instance", attr, file)
                return None
            if isinstance(coll, dict):
                return [(k, v) for k, v in sorted(coll.items())]
            if isinstance(coll, list) and all(isinstance(x, str) for x in coll):
                return [(k, k) for k in sorted(set(coll))]
            if note:
                self._unchecked("value", f"for_each of {config}", "not known statically; treated as one instance", block)
            return None
        return None

    def _add_instance(self, module: ModuleInstance, block: Block, addr: str, rtype: str, key: Any, scope: Scope) -> None:
        if addr in self.instances:
            self.errors.append(InputError(self.sources.display(getattr(block, "file", self.root)),
                                          f"duplicate resource address {addr}", block.line, block.column))
            return
        if len(self.order) >= MAX_RESOURCE_INSTANCES:
            exc = LimitExceeded(f"more than {MAX_RESOURCE_INSTANCES:,} resource instances in one root module")
            attr = block.attributes.get("count") or block.attributes.get("for_each") or block
            exc.where = (getattr(block, "file", self.root), attr.line, attr.column)
            raise exc
        inst = ResourceInstance(module, block, addr, rtype, key, scope)
        self.instances[addr] = inst
        self.order.append(inst)

    def _expand_module(self, parent: ModuleInstance, block: Block) -> None:
        name = block.labels[0]
        src_attr = block.attributes.get("source")
        source = src_attr.expr[1] if src_attr and src_attr.expr[0] == "lit" else None
        call_key = f"{parent.key}.{name}" if parent.key else name
        file = getattr(block, "file", self.root)
        what = f"module {name!r} (source {excerpt(source, 60) if isinstance(source, str) else repr(source)})"
        if not isinstance(source, str):
            self._unchecked("module", what, "the source is not a literal string; not followed", block)
            parent.children[name] = UNKNOWN
            return
        if "\0" in source:
            self.errors.append(InputError(file, f"module {name!r}: source {excerpt(source, 60)} holds a NUL character",
                                          block.line, block.column))
            parent.children[name] = UNKNOWN
            return
        if source.startswith(("./", "../")):
            directory = os.path.normpath(os.path.join(parent.definition.directory, source))
        else:
            found = self.manifest.directory(call_key, source)
            if found is None:
                why = ("not downloaded: not in .terraform/modules/modules.json (run terraform init); not followed"
                       if self.manifest.path else "not local and not downloaded (run terraform init to lint it); not followed")
                self._unchecked("module", what, why, block)
                parent.children[name] = UNKNOWN
                return
            directory = found
        real = os.path.realpath(directory)
        if outside(directory, self.boundary) is not None:
            self._unchecked("module", what, f"outside {self.boundary_name} ({self.sources.display(real)}); not followed", block)
            parent.children[name] = UNKNOWN
            return
        if not os.path.isdir(directory):
            self.errors.append(InputError(file, f"module {name!r}: source {excerpt(source, 60)} does not exist", block.line, block.column))
            parent.children[name] = UNKNOWN
            return
        if real in self._module_stack:
            self.errors.append(InputError(file, f"module {name!r}: source {excerpt(source, 60)} includes itself (module cycle)", block.line, block.column))
            parent.children[name] = UNKNOWN
            return
        if parent.depth + 1 > MAX_MODULE_DEPTH:
            self.errors.append(InputError(file, f"module {name!r}: modules nested more than {MAX_MODULE_DEPTH} deep "
                                          "(the limit); not followed", block.line, block.column))
            parent.children[name] = UNKNOWN
            return
        definition = self.sources.module_def(directory, self)
        if definition is None:
            parent.children[name] = UNKNOWN
            return
        keys = self._instance_keys(parent, block, f"{parent.prefix}module.{name}")
        provider_map = dict(parent.providers)
        if "providers" in block.attributes:
            mapping = block.attributes["providers"].expr
            if mapping[0] == "object":
                for k_expr, v_expr in mapping[1]:
                    child_key = _traversal_name(k_expr)
                    parent_key = _traversal_name(v_expr)
                    if child_key and parent_key and parent_key in parent.providers:
                        provider_map[child_key] = parent.providers[parent_key]
        provider_map = {k: v for k, v in provider_map.items() if k == "huaweicloud" or "providers" in block.attributes}
        self._module_stack.append(real)
        try:
            instances: list[tuple[Any, ModuleInstance]] = []
            for key, each_value in keys if keys is not None else [(None, None)]:
                self.module_instances += 1
                if self.module_instances > MAX_MODULE_INSTANCES:
                    exc = LimitExceeded(f"more than {MAX_MODULE_INSTANCES:,} module instances in one root module")
                    exc.where = (file, block.line, block.column)
                    raise exc
                prefix = f"{parent.prefix}module.{name}{_key_suffix(key)}."
                if key is None:
                    scope = Scope()
                elif isinstance(key, int) and "count" in block.attributes:
                    scope = Scope({"count": {"index": key}})
                else:
                    scope = Scope({"each": {"key": key, "value": each_value}})
                args = {
                    arg: _lazy(parent, scope, attr, file)
                    for arg, attr in block.attributes.items()
                    if arg not in ("source", "version", "count", "for_each", "providers", "depends_on")
                }
                child_providers = self._providers(definition, provider_map, None)
                child = ModuleInstance(self, definition, prefix, args, child_providers, parent.depth + 1, call_key)
                child.call_comments = parent.call_comments + _comments_for(
                    parent.definition.comments.get(getattr(block, "file", ""), []), block
                )
                self.expand(child)
                instances.append((key, child))
            if keys is None:
                parent.children[name] = instances[0][1]
            else:
                parent.children[name] = instances
        finally:
            self._module_stack.pop()

    # -- references ---------------------------------------------------------------------------
    def resource_value(self, module: ModuleInstance, rtype: str, name: str) -> Any:
        group = module.groups.get(f"{rtype}.{name}")
        if group is None:
            return UNKNOWN
        return group

    def module_value(self, module: ModuleInstance, name: str) -> Any:
        child = module.children.get(name)
        if child is None or child is UNKNOWN:
            return UNKNOWN
        if isinstance(child, ModuleInstance):
            return _Namespace(child.output)
        if isinstance(child, list):
            if child and isinstance(child[0][0], int):
                return [child_inst.outputs_object() for _, child_inst in child]
            return {str(k): child_inst.outputs_object() for k, child_inst in child}
        return UNKNOWN

    def read_resource(self, ref: ResourcePath) -> Any:
        inst = self.instances.get(ref.address)
        if inst is None or not ref.path:
            return UNKNOWN
        values = self.evaluate(inst)
        if values is None:
            return UNKNOWN
        v: Any = values
        for part in ref.path:
            if isinstance(v, dict) and isinstance(part, str) and part in v:
                v = v[part]
            elif isinstance(v, list) and isinstance(part, int) and 0 <= part < len(v):
                v = v[part]
            else:
                return UNKNOWN
        if v is None:
            return UNKNOWN  # unset in configuration: computed by the provider
        return v

    # -- building resources ---------------------------------------------------------------------
    def evaluate(self, inst: ResourceInstance) -> dict[str, Any] | None:
        if inst.values is not None:
            return inst.values
        if inst.evaluating:
            return None
        inst.evaluating = True
        try:
            values, refs = self._eval_body(inst.module, inst.block, inst.scope, (), inst.unresolved,
                                           getattr(inst.block, "file", self.root))
        finally:
            inst.evaluating = False
        inst.values = convert(inst.type, self.normalize(values))
        inst.refs = refs
        return inst.values

    def _eval_body(
        self, module: ModuleInstance, block: Block, scope: Scope, at: tuple[Any, ...],
        unresolved: set[tuple[Any, ...]] | None = None, file: str | None = None,
    ) -> tuple[dict[str, Any], dict[tuple[Any, ...], list[Ref]]]:
        values: dict[str, Any] = {}
        refs: dict[tuple[Any, ...], list[Ref]] = {}
        for name, attr in block.attributes.items():
            if not at and name in META_ATTRIBUTES:
                continue
            ev = Evaluator(module, scope)
            values[name] = self.guarded(lambda: ev.value(attr.expr), attr, file)
            if ev.refs:
                refs[at + (name,)] = _dedupe(ev.refs)
            if ev.open and unresolved is not None:
                unresolved.add(at + (name,))
        counts: dict[str, int] = {}
        for sub in block.blocks:
            if not at and sub.type in META_BLOCKS:
                continue
            if sub.type == "dynamic" and sub.labels:
                self._eval_dynamic(module, sub, scope, at, values, refs, counts, unresolved, file)
                continue
            i = counts.get(sub.type, 0)
            if values.get(sub.type) is UNKNOWN:
                continue
            sv, sr = self._eval_body(module, sub, scope, at + (sub.type, i), unresolved, file)
            values.setdefault(sub.type, []).append(sv)
            refs.update(sr)
            counts[sub.type] = i + 1
        return values, refs

    def _eval_dynamic(
        self,
        module: ModuleInstance,
        block: Block,
        scope: Scope,
        at: tuple[Any, ...],
        values: dict[str, Any],
        refs: dict[tuple[Any, ...], list[Ref]],
        counts: dict[str, int],
        unresolved: set[tuple[Any, ...]] | None = None,
        file: str | None = None,
    ) -> None:
        name = block.labels[0]
        iterator = name
        it_attr = block.attributes.get("iterator")
        if it_attr is not None and it_attr.expr[0] == "var":
            iterator = it_attr.expr[1]
        content = next((b for b in block.blocks if b.type == "content"), None)
        fe = block.attributes.get("for_each")
        ev = Evaluator(module, scope)
        coll = self.guarded(lambda: ev.eval(fe.expr), fe, file) if fe else UNKNOWN
        if isinstance(coll, ResourceGroup):
            coll = coll.members()
        if content is None or not isinstance(coll, (list, dict)) or values.get(name) is UNKNOWN:
            ev.materialize(coll)
            values[name] = UNKNOWN
            return
        pairs = list(coll.items()) if isinstance(coll, dict) else list(enumerate(coll))
        self.spend(len(pairs) * FOR_COST)
        for k, v in pairs:
            i = counts.get(name, 0)
            sv, sr = self._eval_body(module, content, scope.child(**{iterator: {"key": k, "value": v}}), at + (name, i),
                                     unresolved, file)
            values.setdefault(name, []).append(sv)
            refs.update(sr)
            counts[name] = i + 1

    def build(self, inst: ResourceInstance) -> Resource:
        values = self.evaluate(inst) or {}
        block = inst.block
        file = getattr(block, "file", self.root)
        rel = self.sources.display(file)
        span = Span(rel, block.line, block.column, block.end_line, block.end_column)
        attr_spans = {
            name: Span(rel, a.line, a.column, a.end_line, a.end_column) for name, a in block.attributes.items()
        }
        for sub in block.blocks:
            attr_spans.setdefault(sub.type if sub.type != "dynamic" else (sub.labels or ["dynamic"])[0],
                                  Span(rel, sub.line, sub.column, sub.end_line, sub.end_column))
        region = values.get("region")
        if region is None or region is UNKNOWN:
            key = "huaweicloud"
            pattr = block.attributes.get("provider")
            if pattr is not None:
                key = _traversal_name(pattr.expr) or key
            region = self.provider_region(inst.module, key)
        comments = _comments_for(inst.module.definition.comments.get(file, []), block)
        comments += inst.module.call_comments
        name = block.labels[1]
        return Resource(
            address=inst.address,
            type=inst.type,
            name=name,
            module=inst.module.prefix.rstrip("."),
            index=inst.key,
            values=values,
            region=region,
            span=span,
            attr_spans=attr_spans,
            refs={k: [r for r in v if r.address != inst.address] for k, v in inst.refs.items()},
            unresolved=set(inst.unresolved),
            recorded=False,
            source=self.sources.display(self.root),
            comments=tuple(comments),
        )


def _lazy(module: ModuleInstance, scope: Scope, attr: Attribute, file: str) -> Callable[[], Any]:
    def thunk() -> Any:
        return module.loader.guarded(lambda: Evaluator(module, scope).eval(attr.expr), attr, file)

    return thunk


def _dedupe(refs: list[Ref]) -> list[Ref]:
    return list(dict.fromkeys(refs))


def _traversal_name(expr: Expr) -> str | None:
    """`huaweicloud.peer` -> "huaweicloud.peer"; `huaweicloud` -> "huaweicloud"."""
    if expr[0] == "var":
        return str(expr[1])
    if expr[0] == "attr":
        head = _traversal_name(expr[1])
        return f"{head}.{expr[2]}" if head else None
    if expr[0] == "lit" and isinstance(expr[1], str):
        return expr[1]
    return None


def _comments_for(comments: list[tuple[int, str]], block: Block) -> list[str]:
    """Comments on the line above the block and inside it (`comments` is sorted by line)."""
    i = bisect_left(comments, block.line - 1, key=lambda c: c[0])
    out = []
    while i < len(comments) and comments[i][0] <= block.end_line:
        out.append(comments[i][1])
        i += 1
    return out


__all__ = ["HclLoader", "HclSyntaxError"]
