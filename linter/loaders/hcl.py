"""A directory of `.tf` files (a root module and its local modules) -> an Inventory.

Evaluates what can be known statically: variable defaults and tfvars, locals, literals,
string templates, `count`/`for_each` over known values, local modules and their outputs,
and a few pure functions. Everything else is UNKNOWN. Nothing outside the module tree is read;
remote modules are not followed; functions that read files are never evaluated.
"""
from __future__ import annotations

from typing import Any

from ..model import UNKNOWN, InputError, Inventory
from .evaluator import Evaluator, Scope
from .hcl_tree import HclSyntaxError
from .limits import LimitExceeded
from .module_instance import ModuleInstance
from .resource_build import ResourceBuilding
from .sources import real_path
from .symbolic import Symbol
from .variables import assign, coerce, declared_type


class HclLoader(ResourceBuilding):
    """Loads one root module directory into an Inventory."""

    def load(self) -> Inventory:
        definition = self.definition(self.root)
        inv = Inventory(source=self.root, kind="hcl")
        providers = self._providers(definition, {}, None)
        root = ModuleInstance(self, definition, "", {}, providers, 0)
        self.root_module = root
        # every source is read now, so that a bad var file is reported even when nothing reads it
        assigned = assign(self.root, definition.variables, self.variables, self.sources,
                          files_boundary=self.boundary, where=self.boundary_name)
        self._root_vars = assigned.values
        self.errors.extend(assigned.errors)
        self.warnings.extend(assigned.warnings)
        self._module_stack.append(real_path(self.root))
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
            value = self._root_vars.get(name, UNKNOWN)
            if value is UNKNOWN and name in module.definition.variables:
                return Symbol("var." + name)  # unknown, but the same wherever it is read
            return value
        block = module.definition.variables.get(name)
        if block is None or "default" not in block.attributes:
            return UNKNOWN
        attr = block.attributes["default"]
        file = getattr(block, "file", None)
        value = self.guarded(lambda: Evaluator(module, Scope()).value(attr.expr), attr, file)
        return self.module_arg(module, name, value)

    def module_arg(self, module: ModuleInstance, name: str, value: Any) -> Any:
        """A module variable's value converted to its declared type, as Terraform converts it
        (`"2"` for a `number` is 2); a value that does not convert is left as it is."""
        block = module.definition.variables.get(name)
        if block is None or "type" not in block.attributes:
            return value
        memo = self.sources.var_types  # a module's variable blocks are shared by the roots calling it
        hit = memo.get(id(block))
        if hit is not None and hit[0] is block:
            t = hit[1]
        else:
            t = declared_type(block)
            memo[id(block)] = (block, t)
        return coerce(value, t)


__all__ = ["HclLoader", "HclSyntaxError"]
