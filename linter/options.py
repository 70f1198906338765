"""What one run is asked to do: the `Options` of `lint`, and the rules they select."""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from .records import record
from .rule import Rule

if TYPE_CHECKING:
    from .loaders.variables import VariableInputs


@record
class Options:
    select: Sequence[str] | None = None
    ignore: Sequence[str] = ()
    show_unknown: bool = False
    """Kept for embedders; what was not checked is always in `Report.unchecked`."""
    source_dir: str | None = None
    all_in_dir: bool = False
    cache_dir: str | None = None
    use_cache: bool = False
    jobs: int | None = None
    """Worker processes for the roots of a repository (`rootpool`); None: one per core, 1: none."""
    rules: Sequence[type[Rule]] | None = None
    """Rule classes to run instead of the discovered ones (tests, embedding)."""
    cwd: str | None = None
    root: str | None = None
    """`--root`: the boundary files are read within, and where roots and callers are searched."""
    excluded: Callable[[str], bool] | None = None
    """The configuration's `exclude`: directories below a directory argument that are skipped."""
    variables: VariableInputs | None = None
    """`--var`, `--var-file`, `TF_VAR_*` and the `var-files` setting; each root's share comes
    from `loaders.variables.inputs_for_root`. None: only the roots' own tfvars files."""


def select_rules(all_rules: Sequence[type[Rule]], options: Options) -> list[type[Rule]]:
    """The rules `select` names (all when None) less those `ignore` names, by id or id prefix."""
    chosen = []
    for cls in all_rules:
        if options.select is not None and not any(cls.id.startswith(s) for s in options.select):
            continue
        if any(cls.id.startswith(s) for s in options.ignore):
            continue
        chosen.append(cls)
    return chosen
