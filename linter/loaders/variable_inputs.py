"""Where root module variables come from: `--var`, `--var-file`, the environment and the
configuration's `var-files` (see loaders.variables for the precedence)."""
from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Iterable, Mapping

from ..file_paths import is_within
from ..records import field, record

ENV_PREFIX = "TF_VAR_"

# -- inputs ------------------------------------------------------------------------------------

@record(frozen=True)
class VarFile:
    """`--var-file FILE`, or a file the configuration names for a root."""

    path: str
    """Where to read it: absolute, or relative to the working directory."""
    origin: str = "--var-file"
    """Where it was named (`--var-file`, or the configuration file): for messages."""
    boundary: str | None = None
    """A directory the file must be in, symlinks resolved (the project of the configuration that names it)."""


@record(frozen=True)
class VarArg:
    """`--var NAME=VALUE`, as given."""

    text: str


Assignment = VarFile | VarArg


@record(frozen=True)
class RootVarFiles:
    """The `var-files` setting: root directory (or glob) -> var files relative to that root."""

    base: str
    """The directory the root patterns are relative to (the configuration file's)."""
    entries: tuple[tuple[str, tuple[str, ...]], ...] = ()
    config: str = ""
    """The configuration file, for messages."""


@record(frozen=True)
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
        cls, items: Iterable[tuple[str, str]], env: Mapping[str, str] | None = None,
        root_files: RootVarFiles | None = None,
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
    elif is_within(real, base):
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
