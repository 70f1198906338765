"""The `vpcep-lint` command: `vpcep-lint [OPTIONS] PATH...`."""
from __future__ import annotations

import gc
import os
import sys
import traceback
from typing import Any

import click

from . import __version__
from .cli_outputs import error, plan_outputs, safe, write_reports
from .config import Config, ConfigError, apply_exclude, excluder, resolve, show
from .finding_filters import apply_after
from .outputs import Output, OutputError, write_atomic
from .registry import RuleLoadError, explain, rules_table
from .results import Report
from .rule import Rule

EXIT_CLEAN, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


_ORDER_KEY = "vpcep_lint.option_order"


class _Command(click.Command):
    """Records the order options were given in: `--var` and `--var-file` apply in that order."""

    def make_parser(self, ctx: click.Context) -> Any:
        parser = super().make_parser(ctx)
        parse = parser.parse_args

        def parse_args(args: list[str]) -> Any:
            opts, largs, order = parse(args)
            ctx.meta[_ORDER_KEY] = [getattr(p, "name", None) for p in order]
            return opts, largs, order

        parser.parse_args = parse_args  # type: ignore[method-assign]
        return parser


def _var_items(ctx: click.Context, kw: dict[str, Any]) -> list[tuple[str, str]]:
    """`--var` and `--var-file` values, interleaved as on the command line."""
    queues = {"var": list(kw.get("var") or ()), "var_file": list(kw.get("var_file") or ())}
    out: list[tuple[str, str]] = []
    for name in ctx.meta.get(_ORDER_KEY, ()):
        if name in queues and queues[name]:
            out.append(("var" if name == "var" else "var-file", queues[name].pop(0)))
    # anything the parser did not report in order (never expected): files first, then values
    out += [("var-file", v) for v in queues["var_file"]] + [("var", v) for v in queues["var"]]
    return out


@click.command(cls=_Command, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path(readable=False))  # unreadable: a VPCEP000 finding, not a usage error
@click.option("-f", "--format", "fmt", multiple=True, metavar="FORMAT[=FILE]",
              help="Output format (text, json, sarif, github, markdown, or a plugin's), to stdout or to FILE; "
                   "repeatable, at most one to stdout.  [default: text]")
@click.option("-o", "--output", metavar="FILE",
              help="Write the report of the single --format to FILE instead of stdout.")
@click.option("--source-dir", type=click.Path(file_okay=False),
              help="Configuration directory of a plan, for file:line and suppressions.")
@click.option("--var", "var", multiple=True, metavar="NAME=VALUE",
              help="Set a root module variable, as terraform -var does (repeatable).")
@click.option("--var-file", "var_file", multiple=True, metavar="FILE",
              help="Read variable values from FILE, as terraform -var-file does (repeatable).")
@click.option("--select", multiple=True, help="Only these rule ids or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, help="Skip these rule ids or prefixes (comma-separated).")
@click.option("--fail-on", type=click.Choice(["error", "warning", "note"]), default=None,
              help="Lowest severity that makes the exit code 1.  [default: warning]")
@click.option("--exit-zero", is_flag=True,
              help="Exit 0 even when there are findings (input and internal errors still count).")
@click.option("--show-unknown", is_flag=True,
              help="List what could not be checked (every run counts it in the summary).")
@click.option("--fix", "fix", is_flag=True,
              help="Write the missing rule, entry or route of VPCEP001/002/003/005 findings into the .tf files.")
@click.option("--diff", "diff", is_flag=True, help="Print the --fix edits as a unified diff and write nothing.")
@click.option("--show-path", is_flag=True,
              help="Text: print each finding's path (endpoint, service, backend, filter, deciding entry) under it.")
@click.option("--fail-on-unknown", is_flag=True,
              help="Exit 1 when anything could not be checked (a module not followed, a value not known).")
@click.option("--root", "root_dir", type=click.Path(file_okay=False, exists=True),
              help="Boundary of the run: files are read, and roots and callers searched, only below DIR.  [default: "
                   "the git work tree, else the file system]")
@click.option("--all-in-dir", is_flag=True, help="With .tf files given: report findings of their whole directories.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Read settings from this TOML file.")
@click.option("--show-config", is_flag=True, help="Print the settings in force and exit.")
@click.option("--baseline", type=click.Path(dir_okay=False),
              help="A previous JSON report: only findings not in it count.")
@click.option("--write-baseline", metavar="FILE", help="Write the findings as a baseline JSON report to FILE.")
@click.option("--sarif-root", type=click.Path(file_okay=False),
              help="Directory SARIF URIs are relative to.  [default: git top level, else .]")
@click.option("--category", help="SARIF automationDetails.id.  [default: vpcep-lint/<first input>]")
@click.option("--no-cache", is_flag=True, help="Do not read or write the parse cache.")
@click.option("--list-rules", is_flag=True, help="List the available rules and exit.")
@click.option("--explain", metavar="RULE", help="Print a rule's documentation and exit.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.version_option(__version__, "-V", "--version", prog_name="vpcep-lint", message="%(prog)s %(version)s")
@click.pass_context
def main(ctx: click.Context, /, **kw: Any) -> None:
    """Lint Huawei Cloud Terraform for VPC endpoint connectivity mistakes.

    PATH is a directory of .tf files, .tf files, a `terraform show -json` plan or state,
    or - for a plan or state on standard input.
    """
    # A lint run builds many small objects and frees almost none of them before it exits: the
    # cycle collector would only re-scan them (about half the time of a large run).
    gc.disable()
    kw["var_items"] = _var_items(ctx, kw)
    try:
        code = run(**kw)
    except click.exceptions.Exit:
        raise
    except click.UsageError:
        raise
    except Exception as exc:  # the last line of defence: exit 3, never a bare traceback
        if kw.get("debug"):
            traceback.print_exc()
        hint = "" if kw.get("debug") else " (run with --debug for details)"
        error(f"internal error: {type(exc).__name__}: {exc}{hint}")
        code = EXIT_INTERNAL
    if _LEAVE_WITHOUT_TEARDOWN and not kw.get("debug"):
        _leave(code)
    ctx.exit(code)


_LEAVE_WITHOUT_TEARDOWN = False
"""Set by the console script only: a library caller or a test runner keeps its process."""


def entry() -> None:
    """The `vpcep-lint` console script: `main`, then leave without tearing the run's objects down."""
    global _LEAVE_WITHOUT_TEARDOWN
    _LEAVE_WITHOUT_TEARDOWN = True
    main()


def _leave(code: int) -> None:
    """Exit once the output is flushed, skipping the interpreter's teardown: freeing every object
    of a large run one by one (and the collector's pass over them) costs up to a quarter of it."""
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        return  # the normal exit says what went wrong
    os._exit(code)


def run(**kw: Any) -> int:
    from .registry import DuplicateRuleError, discover

    try:
        all_rules, load_errors = discover()
    except DuplicateRuleError as exc:
        error(str(exc))
        return EXIT_INPUT
    if kw["list_rules"] or kw["explain"]:
        return _list_or_explain(kw, all_rules, load_errors)
    paths = list(kw["paths"])
    fixing = _fix_mode(kw)
    try:
        conf = resolve(kw, paths, {r.id for r in all_rules})
    except ConfigError as exc:
        error(str(exc))
        return EXIT_INPUT
    if kw["show_config"]:
        click.echo(show(conf), nl=False)
        return EXIT_CLEAN
    if not paths:
        raise click.UsageError("no PATH given (a directory, .tf files, a plan or state JSON, or -)")
    unknown = [rid for rid in conf.select + conf.ignore if not any(r.id.startswith(rid) for r in all_rules)]
    if unknown:
        raise click.UsageError(f"unknown rule id or prefix {unknown[0]!r}; see --list-rules")
    try:
        outputs = plan_outputs(kw, conf)
    except OutputError as exc:
        error(safe(str(exc)))
        return EXIT_INPUT
    report = _lint(kw, conf, paths, all_rules, load_errors)
    try:
        current = apply_after(report, conf, kw)
        if kw["write_baseline"]:
            _write_baseline(kw["write_baseline"], report, current)
    except ConfigError as exc:
        error(str(exc))
        return EXIT_INPUT
    _tell(report, kw)
    return _finish(report, conf, outputs, kw, paths, fixing)


def _finish(report: Report, conf: Config, outputs: list[Output], kw: dict[str, Any], paths: list[str],
            fixing: bool) -> int:
    """The reports and the exit code; with `--fix`/`--diff`, the fixes instead (docs/fix.md)."""
    if fixing:
        return _fixes(report, kw)
    code = exit_code(report, conf.fail_on, kw["exit_zero"], kw["fail_on_unknown"])
    return _emit(report, outputs, kw, paths, code)


def _fix_mode(kw: dict[str, Any]) -> bool:
    """`--fix` or `--diff` (docs/fix.md); both at once is a usage error."""
    if kw.get("fix") and kw.get("diff"):
        raise click.UsageError("--fix writes the edits and --diff only prints them: give one")
    return bool(kw.get("fix") or kw.get("diff"))


def _fixes(report: Report, kw: dict[str, Any]) -> int:
    from .fix_write import run_fixes

    return run_fixes(report, write_files=bool(kw.get("fix")), root=kw["root_dir"],
                     echo=lambda text, err: click.echo(text, err=err, nl=err))


def _list_or_explain(kw: dict[str, Any], all_rules: list[type[Rule]], load_errors: list[RuleLoadError]) -> int:
    """`--list-rules`, else `--explain RULE`."""
    if kw["list_rules"]:
        click.echo(rules_table(all_rules), nl=False)
        for e in load_errors:
            error(safe(str(e)))
        return EXIT_INTERNAL if load_errors else EXIT_CLEAN
    wanted = kw["explain"].strip().upper()
    for cls in all_rules:
        if cls.id == wanted:
            click.echo(explain(cls))
            return EXIT_CLEAN
    raise click.UsageError(f"unknown rule {kw['explain']!r}; see --list-rules")


def _lint(kw: dict[str, Any], conf: Config, paths: list[str], all_rules: list[type[Rule]],
          load_errors: list[RuleLoadError]) -> Report:
    """The run itself, on the inputs the configuration does not exclude."""
    from .api import Options, lint
    from .loaders.variable_inputs import RootVarFiles, VariableInputs  # not .variables: no HCL for a plan

    kept = apply_exclude(paths, conf)
    dropped = [p for p in paths if p not in kept]
    root_files = None
    if conf.var_files:
        root_files = RootVarFiles(conf.base, tuple((k, tuple(v)) for k, v in conf.var_files.items()), conf.path or "")
    items = kw.get("var_items")
    if items is None:  # run() called without main(): files first, then values
        items = [("var-file", v) for v in kw.get("var_file") or ()] + [("var", v) for v in kw.get("var") or ()]
    options = Options(
        select=conf.select or None,
        ignore=conf.ignore,
        show_unknown=kw["show_unknown"],
        source_dir=kw["source_dir"],
        all_in_dir=kw["all_in_dir"],
        root=kw["root_dir"],
        excluded=excluder(conf),
        use_cache=not kw["no_cache"],
        cache_dir=os.environ.get("VPCEP_LINT_CACHE_DIR"),
        variables=VariableInputs.from_command_line(items, os.environ, root_files),
        rules=all_rules,  # discovered once per run (their load errors are added below)
    )
    report = lint(kept, options)
    report.config_path = conf.path and _shown_path(conf.path)
    report.excluded = sorted({_shown_path(p) for p in dropped} | set(report.excluded))
    report.load_errors = load_errors + [e for e in report.load_errors if e not in load_errors]
    return report


def _tell(report: Report, kw: dict[str, Any]) -> None:
    """What goes to standard error: input errors and warnings, internal errors, notices, and on request
    the tracebacks of crashes and what could not be checked."""
    for err in report.errors:
        error(safe(str(err)))
    for warning in report.warnings:
        click.echo(f"vpcep-lint: warning: {safe(str(warning))}", err=True)
    for msg in report.internal_errors:
        error(safe(msg))
    for notice in report.notices:
        click.echo(f"vpcep-lint: note: {safe(notice)}", err=True)
    if kw["debug"]:
        details = [c.detail for c in report.crashes] + [c.detail for c in report.loader_crashes]
        for detail in details:
            click.echo(detail, err=True)
    if kw["show_unknown"]:
        from .report.text import format_unchecked

        for item in report.unchecked:
            click.echo(f"vpcep-lint: note: {format_unchecked(item)}", err=True)


def _write_baseline(path: str, report: Any, current: list[Any]) -> None:
    """Everything found now, also what the baseline read hid, as a JSON report; written to a temporary
    file renamed into place, so that a failed write leaves the old baseline whole."""
    import copy

    from .report import json_report

    snapshot = copy.copy(report)
    snapshot.findings = current
    try:
        write_atomic(path, json_report.render(snapshot), "baseline")
    except OutputError as exc:
        raise ConfigError(str(exc)) from None


def _emit(report: Any, outputs: list[Output], kw: dict[str, Any], paths: list[str], code: int) -> int:
    """Every report written (cli_outputs.write_reports); a formatter that failed exits 3, a file
    that could not be written 2."""
    failed_formatter, failed_output = write_reports(report, outputs, kw, paths)
    if failed_formatter:
        return EXIT_INTERNAL
    if failed_output and code != EXIT_INTERNAL:
        return EXIT_INPUT
    return code


def exit_code(report: Any, fail_on: str, exit_zero: bool, fail_on_unknown: bool = False) -> int:
    from .rule import Severity

    if report.internal_errors:
        return EXIT_INTERNAL
    if report.errors:
        return EXIT_INPUT
    if exit_zero:
        return EXIT_CLEAN
    threshold = Severity(fail_on).rank
    if any(f.suppressed is None and f.severity.rank >= threshold for f in report.findings):
        return EXIT_FINDINGS
    if fail_on_unknown and report.unchecked:
        return EXIT_FINDINGS
    return EXIT_CLEAN


def _shown_path(path: str) -> str:
    from .loaders.sources import SourceSet

    return SourceSet().display(path)


if __name__ == "__main__":  # pragma: no cover
    entry()
