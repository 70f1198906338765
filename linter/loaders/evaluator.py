"""Evaluating one HCL expression in a module instance: values, references read, and what stays unknown.

Values returned by `Evaluator.eval` may hold `ResourcePath`, `ResourceGroup` and namespaces (not
yet read); `Evaluator.value` turns them into plain values, recording each reference read.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..model import UNKNOWN, Ref
from ..records import field, record
from . import functions, symbolic
from .compiled import compile_expr
from .hcl_tree import SCALAR_TYPES, Expr
from .symbolic import is_unknown, path_str, plain


@record(frozen=True)
class ResourcePath:
    """A not-yet-read reference into a resource instance: `huaweicloud_x.y.network[0].port`."""

    address: str
    path: tuple[Any, ...] = ()


@record(frozen=True)
class ResourceGroup:
    """`huaweicloud_x.y` of a resource with count or for_each: its instances by key."""

    instances: tuple[tuple[Any, str], ...]
    keyed: bool

    def members(self) -> list[ResourcePath]:
        return [ResourcePath(addr) for _, addr in self.instances]



@record
class Scope:
    names: dict[str, Any] = field(default_factory=dict)

    def child(self, **names: Any) -> Scope:
        merged = dict(self.names)
        merged.update(names)
        return Scope(merged)


class Namespace:
    def __init__(self, getter: Callable[[str], Any]) -> None:
        self.getter = getter


class ModuleOutputs(Namespace):
    """`module.x` of one module instance: each output is evaluated when read (`module.x.id`), all of
    them only when the whole object is (`module.x`)."""

    def __init__(self, getter: Callable[[str], Any], whole: Callable[[], dict[str, Any]]) -> None:
        super().__init__(getter)
        self.whole = whole


class Loader(Protocol):
    """What an expression reads through the loader of its root module (loaders.hcl.HclLoader)."""

    materialized: dict[int, tuple[Any, Any, list[Ref]]]
    codes: dict[int, Expr | tuple[Expr, Callable[[Evaluator], Any]]]

    def spend(self, units: int) -> None: ...

    def read_resource(self, ref: ResourcePath) -> Any: ...

    def resource_value(self, module: Any, rtype: str, name: str) -> Any: ...

    def module_value(self, module: Any, name: str) -> Any: ...


class Module(Protocol):
    """The module instance an expression is evaluated in (loaders.module_instance.ModuleInstance)."""

    @property
    def loader(self) -> Loader: ...

    def var(self, name: str) -> Any: ...

    def local(self, name: str) -> Any: ...


class Evaluator:
    """Evaluates one expression in a module instance and scope; collects references read."""

    def __init__(self, module: Module, scope: Scope, refs: list[Ref] | None = None) -> None:
        self.module = module
        self.scope = scope
        self.refs = refs if refs is not None else []
        self.open = False
        """Set when a value came from something that is not a resource (a data source, a variable
        without a value...): the references read do not tell the whole value."""
        self.codes = module.loader.codes
        """The run's compiled expressions (`loaders.compiled`); None: walk the tuples."""

    # Values returned by eval() may hold ResourcePath / ResourceGroup / namespaces; value()
    # turns them into plain values, recording each reference read.
    def value(self, expr: Expr) -> Any:
        return self.materialize(self.eval(expr))

    def materialize(self, v: Any) -> Any:
        if type(v) in SCALAR_TYPES:  # most values read: nothing to resolve
            return v
        if isinstance(v, ResourcePath):
            self.refs.append(Ref(v.address, path_str(v.path)))
            return self.module.loader.read_resource(v)
        if isinstance(v, ResourceGroup):
            for _, addr in v.instances:
                self.refs.append(Ref(addr, ""))
            return UNKNOWN
        if isinstance(v, (list, dict)):
            if len(v) < MEMO_MIN:
                return self._materialize_items(v)
            # a large value (a local read by many resources) is materialized once: its copy and the
            # references it read are kept, so that the thousandth reader costs no more than the first
            memo = self.module.loader.materialized
            hit = memo.get(id(v))
            if hit is not None and hit[0] is v:
                self.refs.extend(hit[2])
                return hit[1]
            self.module.loader.spend(len(v))
            start = len(self.refs)
            out = self._materialize_items(v)
            memo[id(v)] = (v, out, self.refs[start:])
            return out
        if isinstance(v, ModuleOutputs):
            return self.materialize(v.whole())
        if isinstance(v, Namespace):
            return UNKNOWN
        return v

    def _materialize_items(self, v: list[Any] | dict[str, Any]) -> Any:
        if isinstance(v, functions.Unsure):
            return functions.Unsure(self.materialize(x) for x in v)
        if isinstance(v, list):
            return [self.materialize(x) for x in v]
        return {k: self.materialize(x) for k, x in v.items()}

    def eval(self, e: Expr) -> Any:
        codes = self.codes
        if codes is not None:
            # an expression is compiled when it is evaluated a second time (a called module's, in
            # every root or instance): one evaluated once (each block of a large root) is walked,
            # and only noted, so that compiling costs no memory where nothing would reuse it
            hit = codes.get(id(e))
            if hit is e:
                try:
                    hit = codes[id(e)] = (e, compile_expr(e))
                except RecursionError:
                    hit = None
            elif hit is None or hit[0] is not e:
                codes[id(e)] = e
                hit = None
            if hit is not None:
                return hit[1](self)
        try:
            return self._eval(e)
        except RecursionError:
            return UNKNOWN

    def _eval(self, e: Expr) -> Any:
        handler = _HANDLERS.get(e[0])
        return handler(self, e) if handler is not None else UNKNOWN

    def _template(self, e: Expr) -> Any:
        out = []
        size = 0
        for part in e[1]:
            if not isinstance(part, str):
                v = self.value(part)
                if is_unknown(v) or isinstance(v, (list, dict)):
                    self._collect_rest(e[1])
                    return UNKNOWN
                part = functions.to_string(v)
            size += len(part)
            if size > functions.MAX_STRING:
                raise functions.ValueTooLarge(f"a string template builds more than {functions.MAX_STRING:,} characters")
            out.append(part)
        return "".join(out)

    def _object(self, e: Expr) -> Any:
        obj: dict[str, Any] = {}
        for k, v in e[1]:
            key = plain(self.value(k))
            val = self.eval(v)
            if key is UNKNOWN or key is None:
                self.materialize(val)
                return UNKNOWN
            obj[functions.to_string(key)] = val
        return obj

    def _cond(self, e: Expr) -> Any:
        c = self.value(e[1])
        if isinstance(c, bool):
            return self.eval(e[2] if c else e[3])
        self.value(e[2])
        self.value(e[3])
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
            return Namespace(lambda n: self._opened(m.var(n)))
        if name == "local":
            return Namespace(lambda n: self._opened(m.local(n)))
        if name == "module":
            return Namespace(lambda n: m.loader.module_value(m, n))
        if name in ("data", "path", "self", "count", "each"):
            self.open = True
            if name == "data":
                return Namespace(lambda n: Namespace(lambda _n: UNKNOWN))
            return UNKNOWN if name != "path" else Namespace(lambda n: UNKNOWN)
        if name == "terraform":
            return Namespace(lambda n: "default" if n == "workspace" else UNKNOWN)
        # anything else is a resource type
        return Namespace(lambda n: m.loader.resource_value(m, name, n))

    def _opened(self, value: Any) -> Any:
        if is_unknown(value):
            self.open = True
        return value

    def get_attr(self, obj: Any, name: str) -> Any:
        if isinstance(obj, Namespace):
            return self._opened(obj.getter(name))
        if isinstance(obj, ResourcePath):
            return ResourcePath(obj.address, obj.path + (name,))
        if isinstance(obj, ResourceGroup):
            return UNKNOWN
        if isinstance(obj, dict):
            return obj.get(name, UNKNOWN)
        return UNKNOWN

    def get_index(self, obj: Any, key: Any) -> Any:
        if is_unknown(key):
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
            return functions.list_item(obj, key)
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
        elif is_unknown(obj):
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
        return self.apply(name, self._call_args(name, arg_exprs, expand))

    def apply(self, name: str, args: list[Any] | None) -> Any:
        """Function `name` on its evaluated arguments (None: a spread argument that is not a list)."""
        if args is None:
            return UNKNOWN
        if name == "try":
            return next((a for a in args if a is not UNKNOWN), UNKNOWN)
        same = symbolic.apply(name, args)
        if same is not None:
            return same
        if name in _PASSES_SYMBOLS:  # elements are passed on as they are: an unknown one stays itself
            args = [UNKNOWN if isinstance(a, symbolic.Symbol) else a for a in args]
        else:
            args = [plain(a) for a in args]
        result = functions.call(name, args)
        if isinstance(result, (list, dict)):
            self.module.loader.spend(len(result))
        if name in functions.STRUCTURAL and result is UNKNOWN:
            self.materialize(args)
        return result

    def _call_args(self, name: str, arg_exprs: list[Expr], expand: bool) -> list[Any] | None:
        if name in functions.STRUCTURAL:
            args = [self.eval(a) for a in arg_exprs]
        else:
            args = [self.value(a) for a in arg_exprs]
        return self.spread(name, args, expand)

    def spread(self, name: str, args: list[Any], expand: bool) -> list[Any] | None:
        """`f(a, b...)`: the last argument's elements as arguments; None when it is not a list."""
        if expand and args:
            last = self.materialize(args[-1]) if name not in functions.STRUCTURAL else args[-1]
            if not isinstance(last, list):
                return None
            args = args[:-1] + list(last)
        return args

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
            kept = sub._for_item(e, tuple_out, obj_out)
            if kept is UNKNOWN:
                return UNKNOWN
        return tuple_out if key_e is None else obj_out

    def _for_item(self, e: Expr, tuple_out: list[Any], obj_out: dict[str, Any]) -> Any:
        """One element of a `for`, added to `tuple_out` or `obj_out`; UNKNOWN when its condition or key is."""
        _, _, _, _, key_e, val_e, cond_e, group = e
        if cond_e is not None:
            c = self.value(cond_e)
            if is_unknown(c):
                return UNKNOWN
            if not c:
                return None
        if key_e is None:
            tuple_out.append(self.eval(val_e))
            return None
        kk = self.value(key_e)
        if is_unknown(kk):
            return UNKNOWN
        vv = self.eval(val_e)
        key = functions.to_string(kk)
        if group:
            obj_out.setdefault(key, []).append(vv)
        else:
            obj_out[key] = vv
        return None


_PASSES_SYMBOLS = {"concat", "tolist", "merge", "values", "slice", "reverse", "lookup", "element", "one"}
"""Structural functions that move elements without reading them (not `distinct`, `toset`, `compact`,
`flatten`, `coalesce`: their result depends on what an unknown element is)."""

_HANDLERS: dict[str, Callable[[Evaluator, Expr], Any]] = {
    "lit": lambda ev, e: e[1],
    "tmpl": Evaluator._template,
    "var": lambda ev, e: ev.root(e[1]),
    "attr": lambda ev, e: ev.get_attr(ev.eval(e[1]), e[2]),
    "index": lambda ev, e: ev.get_index(ev.eval(e[1]), ev.value(e[2])),
    "splat": lambda ev, e: ev.splat(ev.eval(e[1]), e[2]),
    "tuple": lambda ev, e: [ev.eval(x) for x in e[1]],
    "object": Evaluator._object,
    "call": lambda ev, e: ev.call(e[1], e[2], e[3]),
    "cond": Evaluator._cond,
    "binop": lambda ev, e: functions.binop(e[1], plain(ev.value(e[2])), plain(ev.value(e[3]))),
    "unop": lambda ev, e: functions.unop(e[1], plain(ev.value(e[2]))),
    "for": lambda ev, e: ev.for_expr(e),
}


MEMO_MIN = 64
"""Lists and maps this long or longer are materialized and normalized once, however often read."""
FOR_COST = 8
"""An iteration of a `for` (a scope and an evaluator each) costs about as much as copying 8 elements."""


