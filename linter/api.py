"""`lint(paths)`: inputs in, findings out. Used by the CLI, by tests and by embedders.

The run in order: the inputs classified (`discover_inputs`), each loaded into one Inventory
(`load_inputs`, plans located in their source by `plan_sources`), the rules run on each
(`engine`), and everything gathered in one `Report` (`results`). The names embedders use stay
importable from here: `lint`, `Options`, `Report`, `InputInfo`, `LoaderCrash`, `attach_sources`.
"""
from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from . import records
from .discover_inputs import TERRAFORM_JSON_KEYS, DirGroup, Inputs, discover
from .engine import EngineResult, run_rules
from .load_inputs import load_directory, load_document, root_variables
from .loaders.sources import SourceSet, forget_real_paths, real_path
from .model import InputError, Inventory
from .options import Options, select_rules
from .plan_sources import attach_sources
from .records import field, record
from .registry import discover as discover_rules
from .results import INPUT_ERROR_ID, InputInfo, LoaderCrash, Report, input_error_finding
from .roots import boundary_for
from .rule import Finding, Rule

__all__ = [
    "INPUT_ERROR_ID", "SUBJECT_TYPES", "TERRAFORM_JSON_KEYS", "InputInfo", "LoaderCrash", "Options", "Report",
    "attach_sources", "input_error_finding", "lint", "select_rules",
]

SUBJECT_TYPES = (
    "huaweicloud_vpcep_service",
    "huaweicloud_vpcep_endpoint",
    "huaweicloud_vpc_peering_connection",
)
"""Resources the rules start from: an input with none of them has nothing to check."""

_Job = tuple[Inventory, "DirGroup | None", "EngineResult | None"]


def lint(paths: Sequence[str], options: Options | None = None, stdin: Any = None) -> Report:
    options = options or Options()
    forget_real_paths()  # links may have changed since the last run in this process
    report = Report(cwd=real_path(options.cwd or os.getcwd()))
    if options.rules is not None:
        all_rules: list[type[Rule]] = list(options.rules)
    else:
        all_rules, report.load_errors = discover_rules()
    report.rules = select_rules(all_rules, options)
    rules = [cls() for cls in report.rules]

    cache = None
    if options.use_cache:
        from .loaders.cache import ParseCache

        cache = ParseCache.open(options.cache_dir)
        if cache.problem:
            report.notices.append(cache.problem)

    def boundary_of(directory: str) -> tuple[str, str, str, str]:
        """The boundary of a directory's files, and the narrower one a file that is itself a link
        must resolve within: with no work tree and no --root, the directory being linted."""
        found = boundary_for(directory, options.root, report.cwd)
        if found.kind == "filesystem":
            return (found.top, found.describe(), found.project,
                    "the directory being linted (no git work tree; --root DIR sets the boundary)")
        return found.top, found.describe(), found.top, found.describe()

    sources = SourceSet(cache=cache, cwd=options.cwd, boundary_of=boundary_of)
    inputs = discover(paths, report, sources, options, stdin)
    jobs = _load_directories(report, inputs, sources, options, rules)
    jobs += _load_documents(report, inputs, sources, options)
    for inv, group, result in jobs:
        partial = group is not None and not group.whole and not options.all_in_dir
        _check(report, rules, inv, inputs.given if partial else None, result)
    _finish(report)
    if cache is not None:
        cache.close()
    return report


def _load_directories(report: Report, inputs: Inputs, sources: SourceSet, options: Options,
                      rules: list[Rule]) -> list[_Job]:
    """Each root loaded and its rules run, the roots dealt over the cores (`rootpool`)."""
    ordered = [inputs.groups[real] for real in sorted(inputs.groups, key=lambda r: r.split(os.sep))]
    if not ordered:
        return []  # a run of plans and states only: no root pool to import
    from .rootpool import map_roots

    if len(ordered) > 1:
        from .loaders import hcl, variables  # noqa: F401  # imported once, not in every root worker
    jobs: list[_Job] = []
    cache = sources.cache
    for root in map_roots(lambda g: _lint_root(g, sources, options, report.cwd, rules), ordered, options.jobs,
                          weight=lambda g: len(g.files) or 1):
        if cache is not None and root.pid != os.getpid():
            cache.written += root.written  # entries written by a worker count for pruning here
        if root.crash is not None:  # a loader bug must not hide the other inputs
            _crashed(report, root.crash)
            continue
        assert root.inv is not None
        report.add_errors(root.errors)
        jobs.append((root.inv, root.group, root.result))
    return jobs


@record
class _Root:
    """A root loaded and its rules run (in a worker process, or in this one)."""

    group: DirGroup
    inv: Inventory | None = None
    errors: list[InputError] = field(default_factory=list)
    result: EngineResult | None = None
    crash: LoaderCrash | None = None
    written: int = 0
    """Parse cache entries written while loading it (those of a worker count for pruning here)."""
    pid: int = 0


def _lint_root(group: DirGroup, sources: SourceSet, options: Options, cwd: str, rules: list[Rule]) -> _Root:
    before = sources.cache.written if sources.cache is not None else 0
    try:
        inv, errors = load_directory(group.directory, sources, boundary_for(group.directory, options.root, cwd),
                                     root_variables(options, group.directory))
    except Exception as exc:
        return _Root(group, crash=LoaderCrash.of(group.shown, exc))
    result = run_rules(rules, inv)
    inv.derived.clear()  # views the rules built: not needed after them, and not sent back from a worker
    written = (sources.cache.written if sources.cache is not None else 0) - before
    return _Root(group, inv, errors, result, written=written, pid=os.getpid())


def _load_documents(report: Report, inputs: Inputs, sources: SourceSet, options: Options) -> list[_Job]:
    jobs: list[_Job] = []
    documents = inputs.documents
    documents.reverse()
    while documents:  # a parsed document is dropped once loaded: big plans need the memory
        shown, doc, path = documents.pop()
        try:
            inv_or_error = load_document(doc, shown, path, options, sources)
        except Exception as exc:
            _crashed(report, LoaderCrash.of(shown, exc))
            continue
        finally:
            del doc
        if isinstance(inv_or_error, InputError):
            report.errors.append(inv_or_error)
            report.inputs.append(InputInfo(shown, "error"))
            continue
        jobs.append((inv_or_error, None, None))
    return jobs


def _crashed(report: Report, crash: LoaderCrash) -> None:
    """An input a loader bug stopped: said as an internal error, the input counted as not linted."""
    report.loader_crashes.append(crash)
    report.inputs.append(InputInfo(crash.source, "error"))


def _check(report: Report, rules: list[Rule], inv: Inventory, given: set[str] | None,
           result: EngineResult | None = None) -> None:
    """The rules on one inventory; with `given` (files given of a directory), only what is located in those files."""
    subjects = sum(len(inv.of_type(t)) for t in SUBJECT_TYPES)
    report.inputs.append(InputInfo(inv.source, inv.kind, len(inv), subjects))
    report.warnings.extend(inv.warnings)
    report.inventories.append(inv)
    if result is None:  # a root's rules ran where it was loaded
        result = run_rules(rules, inv)
    report.crashes.extend(result.crashes)
    found = result.findings
    unchecked = [*inv.unchecked, *result.unchecked]
    if given is not None:
        # findings in any file given count, also in a module directory this one calls
        found = [f for f in found if f.span is None or f.span.file in given]
        located = ("value", "subject", "undocumented")  # items about a place in a file
        unchecked = [u for u in unchecked if u.file is None or u.file in given or u.kind not in located]
        report.shown_files = report.shown_files or {}
        report.shown_files[inv.source] = given
    report.findings.extend(found)
    for u in unchecked:
        item = u if u.source else records.replace(u, source=inv.source)
        if item not in report.unchecked:
            report.unchecked.append(item)


def _finish(report: Report) -> None:
    """Input errors as VPCEP000 findings, repeats dropped, everything in one order whatever the inputs' order."""
    report.errors = _distinct(report.errors)  # a var file shared by several roots is reported once
    report.warnings = _distinct(report.warnings)
    if any(cls.id == INPUT_ERROR_ID for cls in report.rules):  # the rule can be deselected; the error stays
        report.findings.extend(input_error_finding(err) for err in [*report.errors, *report.not_read])
    report.findings = sorted(report.findings, key=_order)
    report.inputs.sort(key=lambda i: (i.path, i.kind))
    report.errors.sort(key=lambda e: (e.source, e.line or 0, e.column or 0, e.message))
    report.unchecked.sort(key=lambda u: (u.source, u.file or "", u.line or 0, u.kind, u.what, u.why))


def _distinct(errors: list[InputError]) -> list[InputError]:
    seen: dict[tuple[Any, ...], InputError] = {}
    for e in errors:
        seen.setdefault((e.source, e.line, e.column, e.message), e)
    return list(seen.values())


def _order(f: Finding) -> tuple[object, ...]:
    """A total order, so that output never depends on the order of the inputs: two findings can
    differ only in their input (a plan and a state of one configuration, both located in its .tf)."""
    related = tuple((r.address, r.role, r.span.file if r.span else "", r.span.line if r.span else 0) for r in f.related)
    return (*f.sort_key(), f.source, f.severity.value, f.attribute or "", related)
