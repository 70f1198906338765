"""One input to one Inventory: a configuration directory through the HCL loader, a plan or state
document through the plan loader (located in its source directory when there is one)."""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from .loaders.sources import SourceSet, read_text
from .model import InputError, Inventory
from .options import Options
from .plan_sources import attach_sources
from .roots import Boundary, boundary_for

if TYPE_CHECKING:
    from .loaders.variables import VariableInputs


def load_directory(
    directory: str, sources: SourceSet, boundary: Boundary, variables: VariableInputs | None = None
) -> tuple[Inventory, list[InputError]]:
    from .loaders.hcl import HclLoader
    from .loaders.parallel import preparse

    preparse([directory], sources, boundary=boundary.top)
    loader = HclLoader(directory, sources, boundary=boundary.top, boundary_kind=boundary.kind,
                       variables=variables)
    inv = loader.load()
    inv.warnings = loader.warnings
    inv.source = sources.display(directory)
    for r in inv:
        r.source = inv.source
    if loader.errors:
        raw = sources.parsed_paths() | {directory}
        for err in loader.errors:
            if err.source in raw:  # the loader names files as it found them (`./main.tf`); show them as users do
                err.source = sources.display(err.source)
    return inv, loader.errors


def root_variables(options: Options, directory: str) -> VariableInputs | None:
    """The variable inputs of the root `directory`: its share of `--var`, `--var-file` and the settings."""
    from .loaders.variables import inputs_for_root

    return inputs_for_root(options.variables, directory)


def load_document(
    doc: Any, shown: str, path: str | None, options: Options, sources: SourceSet
) -> Inventory | InputError:
    from .loaders.plan import PlanError
    from .loaders.plan import load_document as load_plan

    try:
        inv = load_plan(doc, shown)
    except PlanError as exc:
        line, column = exc.line, None
        if exc.at is not None and path is not None:
            line, column = _locate(path, exc.at) or (line, column)
        return InputError(shown, exc.message, line, column)
    except RecursionError:
        return InputError(shown, "nesting too deep")
    except MemoryError:
        return InputError(shown, "not enough memory to load the document")
    source_dir = options.source_dir
    if source_dir is None and path is not None:
        candidate = os.path.dirname(os.path.abspath(path))
        if SourceSet.module_files(candidate):
            source_dir = candidate
    if source_dir is not None and os.path.isdir(source_dir):
        hcl_inv, _ = load_directory(source_dir, sources, boundary_for(source_dir, options.root, options.cwd))
        attach_sources(inv, hcl_inv)
    return inv


def _locate(path: str, at: tuple[str | int, ...]) -> tuple[int, int] | None:
    """Where the value at JSON path `at` is in the file: read again, only when a document is rejected."""
    from .loaders.plan import locate

    text = read_text(path)
    return None if isinstance(text, InputError) else locate(text, at)
