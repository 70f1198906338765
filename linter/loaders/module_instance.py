"""A module instance of a root module: its variables, locals and outputs, each evaluated on demand."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from ..model import UNKNOWN, Ref
from ..records import field, record
from .evaluator import Evaluator, Loader, Scope
from .hcl_tree import Attribute, Block
from .module_def import ModuleDef


class ModuleLoader(Loader, Protocol):
    """What a module instance asks of the loader of its root module (loaders.hcl.HclLoader)."""

    incomplete: bool
    """Set when a value read a module instance not expanded yet: it is not kept."""

    def guarded(self, fn: Callable[[], Any], attr: Attribute, file: str | None) -> Any: ...

    def guarded_eval(self, ev: Evaluator, attr: Attribute, file: str | None) -> Any: ...

    def module_arg(self, module: ModuleInstance, name: str, value: Any) -> Any: ...

    def root_var(self, module: ModuleInstance, name: str) -> Any: ...

    def reference_cycle(self, module: ModuleInstance, token: str) -> None: ...


@record
class ProviderConfig:
    key: str
    region: Any
    owner: ModuleInstance | None = None
    """The module instance whose block defines it: its region is evaluated there."""


@record
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
    symbols: dict[str, str] = field(default_factory=dict)
    """Unknown values that are the same as an expression (loaders.symbolic), by dotted path."""


class ModuleInstance:
    def __init__(
        self,
        loader: ModuleLoader,
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
        self.expanding = False
        """Its resources and module calls are being (or have been) expanded."""
        self.expanded = False
        self.call_comments: list[str] = []
        """Comments on the module blocks that lead here (suppressions apply inside)."""

    # -- names: each evaluated when first read, so that a module's inputs may read its own outputs
    def _once(self, cache: dict[str, Any], token: str, compute: Callable[[], Any]) -> Any:
        if token in cache:
            return cache[token]
        if token in self._busy:
            # a real reference cycle (Terraform rejects it): unknown here, and said once
            self.loader.reference_cycle(self, token)
            return UNKNOWN
        self._busy.add(token)
        outer, self.loader.incomplete = self.loader.incomplete, False
        try:
            value = compute()
        finally:
            self._busy.discard(token)
            premature = self.loader.incomplete
            self.loader.incomplete = outer or premature
        if not premature:  # read before what it reads was expanded: evaluated again when read again
            cache[token] = value
        return value

    def var(self, name: str) -> Any:
        token = "var." + name
        if token in self._vars:  # read before: no closure to make (most reads)
            return self._vars[token]

        def compute() -> Any:
            if name in self.call_args:
                return self.loader.module_arg(self, name, self.call_args[name]())
            return self.loader.root_var(self, name)

        return self._once(self._vars, token, compute)

    def local(self, name: str) -> Any:
        token = "local." + name
        if token in self._locals:
            return self._locals[token]
        attr = self.definition.locals.get(name)
        if attr is None:
            return UNKNOWN
        return self._once(self._locals, token, lambda: self._eval(attr, getattr(attr, "file", None)))

    def output(self, name: str) -> Any:
        block = self.definition.outputs.get(name)
        if block is None or "value" not in block.attributes:
            return UNKNOWN
        attr = block.attributes["value"]
        return self._once(self._outputs, "output." + name, lambda: self._eval(attr, getattr(block, "file", None)))

    def _eval(self, attr: Attribute, file: str | None) -> Any:
        return self.loader.guarded_eval(Evaluator(self, Scope()), attr, file)

    def outputs_object(self) -> dict[str, Any]:
        return {name: self.output(name) for name in self.definition.outputs}

