"""Module expansion: the instances of every resource and module block (`count`, `for_each`), the
modules each call reads (local, or downloaded by `terraform init`), and their providers."""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, cast

from ..model import ENVIRONMENT, UNKNOWN, InputError, excerpt, normalize_value
from ..provider import canonical_type
from . import functions
from .evaluator import Evaluator, ModuleOutputs, ResourceGroup, ResourcePath, Scope
from .hcl_tree import Attribute, Block
from .limits import MAX_INSTANCES, MAX_MODULE_DEPTH, MAX_MODULE_INSTANCES, MAX_RESOURCE_INSTANCES, LimitExceeded
from .loader_base import LoaderBase
from .module_def import ModuleDef, comments_for, traversal_name
from .module_instance import ModuleInstance, ModuleLoader, ProviderConfig, ResourceInstance
from .sources import outside, real_path
from .symbolic import plain


class ModuleExpansion(LoaderBase):
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
                cfg.region = normalize_value(plain(Evaluator(owner, Scope()).value(cfg.region)))
            except functions.ValueTooLarge:
                cfg.region = UNKNOWN
            if cfg.region is None:
                cfg.region = UNKNOWN
        return cfg.region

    def provider_origin(self, module: ModuleInstance, key: str) -> Any:
        """`Resource.region_from` of a resource on provider configuration `key` of `module`."""
        cfg = module.providers.get(key)
        if cfg is None:
            return ENVIRONMENT if key == "huaweicloud" else None  # no block: the default provider
        if cfg.region is None and key == "huaweicloud":
            return ENVIRONMENT
        return ("provider", cfg.owner.prefix if cfg.owner is not None else "", key)

    def expand(self, module: ModuleInstance) -> None:
        module.expanding = True
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
        module.expanded = True

    def _expand_resource(self, module: ModuleInstance, block: Block, final: bool) -> bool:
        rtype = canonical_type(block.labels[0])
        # one string per address in a process, whichever root makes it: the results a root worker
        # sends back hold each once
        config = sys.intern(f"{module.prefix}{block.labels[0]}.{block.labels[1]}")
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
                addr = sys.intern(config + _key_suffix(key))
                counted = "count" in block.attributes
                scope = Scope({"count": {"index": key}} if counted else {"each": {"key": key, "value": each_value}})
                self._add_instance(module, block, addr, rtype, key, scope)
                pairs.append((key, addr))
            group = ResourceGroup(tuple(pairs), keyed="for_each" in block.attributes)
        module.groups[name_key] = group
        return True

    def _instance_keys(
        self, module: ModuleInstance, block: Block, config: str, note: bool = True
    ) -> list[tuple[Any, Any]] | None:
        """The instance keys (and `each.value`s) of a block with `count` or `for_each`; None for one
        instance: no meta-argument, or one not known (said when `note`: on the final attempt)."""
        if "count" in block.attributes:
            return self._count_keys(module, block, config, note)
        if "for_each" in block.attributes:
            return self._for_each_keys(module, block, config, note)
        return None

    def _count_keys(self, module: ModuleInstance, block: Block, config: str,
                    note: bool) -> list[tuple[Any, Any]] | None:
        file = getattr(block, "file", None)
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

    def _for_each_keys(self, module: ModuleInstance, block: Block, config: str,
                       note: bool) -> list[tuple[Any, Any]] | None:
        file = getattr(block, "file", None)
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

    def _add_instance(self, module: ModuleInstance, block: Block, addr: str, rtype: str, key: Any,
                      scope: Scope) -> None:
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
        parent.children[name] = UNKNOWN  # until its instances exist: a reference to it is unknown
        found = self._module_directory(parent, block)
        if found is None:
            return
        directory, real = found
        definition = self.sources.module_def(directory, self.definition)
        if definition is None:
            return
        keys = self._instance_keys(parent, block, f"{parent.prefix}module.{name}")
        provider_map = _provider_map(parent, block)
        self._module_stack.append(real)
        try:
            # every instance exists before any is expanded, so that the inputs of one may read the
            # outputs of another, or its own (valid Terraform when no value depends on itself)
            instances = [(key, self._module_instance(parent, block, definition, provider_map, key, each_value))
                         for key, each_value in (keys if keys is not None else [(None, None)])]
            parent.children[name] = instances[0][1] if keys is None else instances
            for _, child in instances:
                if not child.expanding:
                    self.expand(child)
        finally:
            self._module_stack.pop()

    def _module_instance(self, parent: ModuleInstance, block: Block, definition: ModuleDef,
                         provider_map: dict[str, ProviderConfig], key: Any, each_value: Any) -> ModuleInstance:
        name = block.labels[0]
        file = getattr(block, "file", self.root)
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
        args = {arg: _lazy(parent, scope, attr, file)
                for arg, attr in block.attributes.items() if arg not in _CALL_META}
        child_providers = self._providers(definition, provider_map, None)
        call_key = f"{parent.key}.{name}" if parent.key else name
        loader = cast("ModuleLoader", self)  # HclLoader, the one subclass, completes the protocol
        child = ModuleInstance(loader, definition, prefix, args, child_providers, parent.depth + 1, call_key)
        child.call_comments = parent.call_comments + comments_for(parent.definition.comments.get(file, []), block)
        return child

    def _module_directory(self, parent: ModuleInstance, block: Block) -> tuple[str, str] | None:
        """The directory a module call reads and its real path; None, with a note or an error, when it is not read."""
        name = block.labels[0]
        src_attr = block.attributes.get("source")
        source = src_attr.expr[1] if src_attr and src_attr.expr[0] == "lit" else None
        what = f"module {name!r} (source {excerpt(source, 60) if isinstance(source, str) else repr(source)})"
        if not isinstance(source, str):
            self._unchecked("module", what, "the source is not a literal string; not followed", block)
            return None
        if "\0" in source:
            self._module_error(block, f"source {excerpt(source, 60)} holds a NUL character")
            return None
        if source.startswith(("./", "../")):
            directory = os.path.normpath(os.path.join(parent.definition.directory, source))
        else:
            found = self.manifest.directory(f"{parent.key}.{name}" if parent.key else name, source)
            if found is None:
                why = ("not downloaded: not in .terraform/modules/modules.json (run terraform init); not followed"
                       if self.manifest.path else
                       "not local and not downloaded (run terraform init to lint it); not followed")
                self._unchecked("module", what, why, block)
                return None
            directory = found
        real = real_path(directory)
        if outside(directory, self.boundary) is not None:
            shown = self.sources.display(real)
            self._unchecked("module", what, f"outside {self.boundary_name} ({shown}); not followed", block)
            return None
        if not os.path.isdir(directory):
            self._module_error(block, f"source {excerpt(source, 60)} does not exist")
            return None
        if real in self._module_stack:
            self._module_error(block, f"source {excerpt(source, 60)} includes itself (module cycle)")
            return None
        if parent.depth + 1 > MAX_MODULE_DEPTH:
            self._module_error(block, f"modules nested more than {MAX_MODULE_DEPTH} deep (the limit); "
                                      "not followed")
            return None
        return directory, real

    def _module_error(self, block: Block, problem: str) -> None:
        file = getattr(block, "file", self.root)
        self.errors.append(InputError(file, f"module {block.labels[0]!r}: {problem}", block.line, block.column))

    # -- references ---------------------------------------------------------------------------
    def resource_value(self, module: ModuleInstance, rtype: str, name: str) -> Any:
        group = module.groups.get(f"{rtype}.{name}")
        if group is None:
            if not module.expanding:
                self.expand(module)  # a module instance read before its turn: expanded now
                group = module.groups.get(f"{rtype}.{name}")
            if group is None and not module.expanded:
                self.incomplete = True  # not known yet: what reads it is not kept
        return UNKNOWN if group is None else group

    def module_value(self, module: ModuleInstance, name: str) -> Any:
        child = module.children.get(name)
        if child is UNKNOWN and not module.expanded:
            self.incomplete = True
        if child is None or child is UNKNOWN:
            return UNKNOWN
        if isinstance(child, ModuleInstance):
            return ModuleOutputs(child.output, child.outputs_object)
        if child and isinstance(child[0][0], int):
            return [ModuleOutputs(inst.output, inst.outputs_object) for _, inst in child]
        return {str(k): ModuleOutputs(inst.output, inst.outputs_object) for k, inst in child}


def _lazy(module: ModuleInstance, scope: Scope, attr: Attribute, file: str) -> Callable[[], Any]:
    def thunk() -> Any:
        return module.loader.guarded_eval(Evaluator(module, scope), attr, file)

    return thunk


def _key_suffix(key: Any) -> str:
    if key is None:
        return ""
    if isinstance(key, int) and not isinstance(key, bool):
        return f"[{key}]"
    escaped = str(key).replace("\\", "\\\\").replace('"', '\\"')
    return f'["{escaped}"]'


_CALL_META = ("source", "version", "count", "for_each", "providers", "depends_on")


def _provider_map(parent: ModuleInstance, block: Block) -> dict[str, ProviderConfig]:
    """The providers a module call passes: the default one, or those its `providers` names."""
    if "providers" not in block.attributes:
        return {k: v for k, v in parent.providers.items() if k == "huaweicloud"}
    provider_map = dict(parent.providers)
    mapping = block.attributes["providers"].expr
    if mapping[0] == "object":
        for k_expr, v_expr in mapping[1]:
            child_key = traversal_name(k_expr)
            parent_key = traversal_name(v_expr)
            if child_key and parent_key and parent_key in parent.providers:
                provider_map[child_key] = parent.providers[parent_key]
    return provider_map
