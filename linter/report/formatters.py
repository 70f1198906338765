"""The formatter table: the `vpcep_lint.formatters` entry-point group, built-ins included.

A formatter is any callable `render(report, options) -> str`: it gets the finished `Report` and a
`RenderOptions`, and returns the whole output as text (the CLI writes it to standard output or,
safely, to a file). vpcep-lint's own formats are registered in its pyproject.toml exactly as a
plugin registers one:

    [project.entry-points."vpcep_lint.formatters"]
    checkstyle = "acme_vpcep_formats:render_checkstyle"

Only the formatters a run asks for are imported.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..installed import EntryPointLike as EntryPoint
from ..installed import entry_points
from ..records import record

if TYPE_CHECKING:
    from ..api import Report

GROUP = "vpcep_lint.formatters"
VALID_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")


@record(frozen=True)
class RenderOptions:
    """What a formatter may be told besides the report. Every field has a neutral default."""

    colour: bool = False
    """ANSI colours: only when the output is a terminal and NO_COLOR is not set."""
    sarif_root: str | None = None
    """Directory file URIs are relative to (`--sarif-root`); None: the git top level, else the cwd."""
    category: str | None = None
    """SARIF `automationDetails.id` (`--category`)."""
    paths: Sequence[str] = ()
    """The inputs as given on the command line, after `exclude`."""
    destination: str | None = None
    """The file the output goes to; None for standard output."""
    show_path: bool = False
    """Text: print each finding's path as an indented tree under it (`--show-path`)."""


class Formatter(Protocol):
    def __call__(self, report: Report, options: RenderOptions, /) -> str: ...


class FormatterError(Exception):
    """A formatter name that is not registered, registered twice, or that does not load."""


def _distribution(ep: EntryPoint) -> str:
    dist = getattr(ep, "dist", None)
    return getattr(dist, "name", None) or "unknown distribution"


def registered(eps: Iterable[EntryPoint] | None = None) -> dict[str, EntryPoint]:
    """Formatter name -> entry point, without importing anything. Two distributions claiming one
    name raise FormatterError naming both."""
    found: dict[str, EntryPoint] = {}
    for ep in sorted(eps if eps is not None else entry_points(group=GROUP), key=lambda e: (e.name, e.value)):
        if not VALID_NAME.match(ep.name):
            continue  # could never be asked for on the command line (FORMAT=FILE splits at "=")
        have = found.get(ep.name)
        if have is not None and have.value != ep.value:
            raise FormatterError(
                f"formatter {ep.name!r} is provided twice: by {_distribution(have)} and by {_distribution(ep)}"
            )
        found[ep.name] = ep
    return found


def names(eps: Iterable[EntryPoint] | None = None) -> list[str]:
    return sorted(registered(eps))


def load(name: str, table: dict[str, EntryPoint] | None = None) -> Formatter:
    """The formatter registered as `name`; FormatterError when there is none or it does not load."""
    table = registered() if table is None else table
    ep = table.get(name)
    if ep is None:
        known = ", ".join(sorted(table)) or "none: is vpcep-lint installed (pip install -e .)?"
        raise FormatterError(f"unknown format {name!r}; available: {known}")
    try:
        fn = ep.load()
    except Exception as exc:  # a broken plugin: name it, do not crash
        raise FormatterError(
            f"formatter {name!r} from {_distribution(ep)} failed to load: {type(exc).__name__}: {exc}") from None
    if not callable(fn):
        raise FormatterError(f"formatter {name!r} from {_distribution(ep)} is not callable")
    return fn  # type: ignore[no-any-return]
