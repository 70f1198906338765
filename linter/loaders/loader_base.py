"""The state of loading one root module: its bounds, its errors and notes, and the modules it reads."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..model import UNKNOWN, InputError, Ref, Unchecked
from . import functions, symbolic
from .evaluator import MEMO_MIN, Evaluator
from .hcl_tree import Attribute, Block
from .limits import MAX_WORK, LimitExceeded
from .manifest import ModuleManifest, read_manifest
from .module_def import ModuleDef, read_module
from .module_instance import ModuleInstance, ResourceInstance
from .sources import SourceSet, real_path
from .variables import VariableInputs


class LoaderBase:
    """What every part of loading a root module shares (loaders.hcl.HclLoader is the whole)."""

    def __init__(
        self, root: str, sources: SourceSet, boundary: str | None = None, boundary_kind: str = "git",
        variables: VariableInputs | None = None,
    ) -> None:
        self.root = root
        self.sources = sources
        self.boundary = real_path(boundary or root)
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
        self._module_stack: list[str] = []
        self.work = 0
        self.module_instances = 0
        self.materialized: dict[int, tuple[Any, Any, list[Ref]]] = {}
        self.codes = sources.codes
        self._normalized: dict[int, tuple[Any, Any]] = {}
        self._limit_errors: set[tuple[str, int, int]] = set()
        self._cycles: set[str] = set()
        self.incomplete = False
        """Set while expanding when a value read a module instance not expanded yet (it is not kept)."""

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
        except (functions.ValueTooLarge, LimitExceeded) as exc:
            return self._past_a_bound(exc, attr, file)

    def guarded_value(self, ev: Evaluator, attr: Attribute, file: str | None) -> Any:
        """`guarded(lambda: ev.value(attr.expr), attr, file)`, without the closure (once per attribute)."""
        return self.guarded_eval(ev, attr, file, True)

    def guarded_eval(self, ev: Evaluator, attr: Attribute, file: str | None, value: bool = False) -> Any:
        """`guarded(lambda: ev.eval(attr.expr), attr, file)` (`ev.value` when `value`), without the closure."""
        try:
            return ev.value(attr.expr) if value else ev.eval(attr.expr)
        except (functions.ValueTooLarge, LimitExceeded) as exc:
            return self._past_a_bound(exc, attr, file)

    def _past_a_bound(self, exc: Exception, attr: Attribute, file: str | None) -> Any:
        """A value too large is an error at `attr` and UNKNOWN; the run's work limit goes on up,
        placed at `attr` if it has no place yet."""
        if isinstance(exc, functions.ValueTooLarge):
            self.limit_error(exc.message, attr, file)
            return UNKNOWN
        if isinstance(exc, LimitExceeded) and exc.where is None and file is not None:
            exc.where = (file, attr.line, attr.column)
        raise exc

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
            if len(value) >= MEMO_MIN:
                hit = self._normalized.get(id(value))
                if hit is not None and hit[0] is value:
                    return hit[1]
                self.spend(len(value))
            out: Any = [self.normalize(v) for v in value] if isinstance(value, list) else \
                {k: self.normalize(v) for k, v in value.items()}
            if len(value) >= MEMO_MIN:
                self._normalized[id(value)] = (value, out)
            return out
        return value

    def strip_normalize(self, values: Any) -> tuple[Any, dict[str, str]]:
        """`symbolic.strip`, then `normalize`: in one walk when the values hold no Symbol and no list or
        map long enough for `normalize`'s memo (most resources)."""
        out = _small_normalized(values)
        if out is not _NOT_SMALL:
            return out, {}
        stripped, symbols = symbolic.strip(values)
        return self.normalize(stripped), symbols

    # -- loading ----------------------------------------------------------------------------
    # -- reading -------------------------------------------------------------------------------
    def definition(self, directory: str) -> ModuleDef:
        return read_module(directory, self.sources, self.boundary, self.boundary_name, self.errors)

    @property
    def manifest(self) -> ModuleManifest:
        if self._manifest is None:
            self._manifest = read_manifest(self.root, self.sources.display(self.root))
            if self._manifest.error is not None:
                self.errors.append(self._manifest.error)
        return self._manifest

    def _unchecked(self, kind: str, what: str, why: str, block: Block) -> None:
        shown = self.sources.display(getattr(block, "file", self.root))
        self.unchecked.append(Unchecked(kind, what, why, shown, block.line))

    def reference_cycle(self, module: ModuleInstance, token: str) -> None:
        """`token` of `module` refers to itself: Terraform rejects the configuration; it is unknown here."""
        what = f"{module.prefix}{token}"
        if what not in self._cycles:
            self._cycles.add(what)
            self.unchecked.append(Unchecked("value", what, "refers to itself (a reference cycle, which Terraform "
                                            "rejects); unknown", self.sources.display(module.definition.directory)))


_NOT_SMALL = object()


def _small_normalized(value: Any) -> Any:
    """What `normalize` makes of `value`, or _NOT_SMALL when it holds a Symbol, a list or map of
    MEMO_MIN elements or more, or a subclass of str, list or dict (left to `strip` and `normalize`)."""
    t = type(value)
    if t is str:
        return value if value != "" else None
    if t is dict:
        return _small_dict(value) if len(value) < MEMO_MIN else _NOT_SMALL
    if t is list:
        return _small_list(value) if len(value) < MEMO_MIN else _NOT_SMALL
    if isinstance(value, (str, list, dict, symbolic.Symbol)):
        return _NOT_SMALL
    return value


def _small_dict(value: dict[str, Any]) -> Any:
    out: dict[str, Any] = {}
    for k, v in value.items():
        n = _small_normalized(v)
        if n is _NOT_SMALL:
            return _NOT_SMALL
        out[k] = n
    return out


def _small_list(value: list[Any]) -> Any:
    out = []
    for v in value:
        n = _small_normalized(v)
        if n is _NOT_SMALL:
            return _NOT_SMALL
        out.append(n)
    return out
