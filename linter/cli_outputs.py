"""The reports of a `vpcep-lint` run: where each goes (checked before anything is linted), each
rendered by its formatter, the files written atomically, standard output last."""
from __future__ import annotations

import os
import sys
import traceback
from typing import Any

import click

from .outputs import Output, OutputError, OutputUsageError, Protected, check, plan, write_atomic, write_stdout


def error(message: str) -> None:
    click.echo(f"vpcep-lint: error: {message}", err=True)


def plan_outputs(kw: dict[str, Any], conf: Any) -> list[Output]:
    """Where each report goes, checked before anything is linted (usage error, or OutputError)."""
    from .report import formatters

    try:
        kw["formatter_table"] = table = formatters.registered()  # one entry-point scan per run
        known = sorted(table)
        outputs = plan(kw["fmt"], kw["output"], known)
    except (formatters.FormatterError, OutputUsageError) as exc:
        raise click.UsageError(str(exc)) from None
    read = dict(
        the_configuration_in_force=[kw.get("config_path"), conf.path],
        a_variable_file_of_this_run=list(kw.get("var_file") or ()),
    )
    reports_may_not_replace = Protected.of(kw["paths"], the_baseline_read=[kw["baseline"]], **read)
    for o in outputs:
        if o.path is not None:
            check(o.path, f"the {o.format} report", reports_may_not_replace)
    if kw["write_baseline"]:  # may replace the --baseline it reads: that refreshes it
        check(kw["write_baseline"], "baseline", Protected.of(kw["paths"], **read))
    return outputs


def write_reports(report: Any, outputs: list[Output], kw: dict[str, Any], paths: list[str]) -> tuple[bool, bool]:
    """Render every output, write the files (each atomically), then standard output; whether a
    formatter failed (an internal error) and whether a file could not be written (an input error).
    Either way the other outputs are still written, and a file that failed keeps its old content.
    """
    rendered, failed_formatter = _render(report, outputs, kw, paths)
    failed_output = False
    for o, text in sorted(rendered, key=lambda r: r[0].path is None):  # files first, stdout last
        try:
            if o.path is None:
                write_stdout(text)
            else:
                write_atomic(o.path, text, f"the {o.format} report")
        except OutputError as exc:
            error(safe(str(exc)))
            failed_output = True
    return failed_formatter, failed_output


def _render(report: Any, outputs: list[Output], kw: dict[str, Any],
            paths: list[str]) -> tuple[list[tuple[Output, str]], bool]:
    """Each output's text, and whether a formatter failed (the others are still rendered)."""
    from .report import formatters

    table = kw.get("formatter_table")
    if table is None:
        table = formatters.registered()
    failed = False
    rendered: list[tuple[Output, str]] = []
    for o in outputs:
        options = formatters.RenderOptions(
            colour=o.path is None and sys.stdout.isatty() and "NO_COLOR" not in os.environ,
            sarif_root=kw["sarif_root"],
            category=kw["category"],
            paths=tuple(paths),
            destination=o.path,
            show_path=bool(kw.get("show_path")),
        )
        try:
            text = formatters.load(o.format, table)(report, options)
            if not isinstance(text, str):
                raise TypeError(f"returned {type(text).__name__}, not str")
        except formatters.FormatterError as exc:
            error(safe(str(exc)))
            failed = True
            continue
        except Exception as exc:
            if kw.get("debug"):
                traceback.print_exc()
            error(safe(f"internal error: formatter {o.format!r} failed: {type(exc).__name__}: {exc}"))
            failed = True
            continue
        rendered.append((o, text))
    return rendered, failed


def safe(text: str) -> str:
    from .report.text import escape

    return escape(text)
