"""`lint(paths)`: inputs in, findings out. Used by the CLI, by tests and by embedders."""
from __future__ import annotations

import dataclasses
import json
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .engine import EngineResult, RuleCrash, run_rules
from .loaders.sources import ReadError, SourceSet, decode, read_stream, read_text
from .model import InputError, Inventory, Span, Unchecked
from .registry import RuleLoadError, discover
from .roots import MAX_DIRS, Boundary, boundary_for, callers, local_sources, module_dirs, roots_of
from .rule import Finding, Rule, Severity

if TYPE_CHECKING:
    from .loaders.variables import VariableInputs

INPUT_ERROR_ID = "VPCEP000"
_LOOKS_LIKE_JSON = re.compile(r"\s*[\[{]")
SUBJECT_TYPES = (
    "huaweicloud_vpcep_service",
    "huaweicloud_vpcep_endpoint",
    "huaweicloud_vpc_peering_connection",
)
"""Resources the rules start from: an input with none of them has nothing to check."""
TERRAFORM_JSON_KEYS = {"resource", "module", "variable", "output", "provider", "locals", "terraform", "data"}


@dataclass
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


@dataclass
class InputInfo:
    path: str
    kind: str
    """`hcl`, `plan`, `state` or `error`."""
    resources: int = 0
    subjects: int = 0
    """Endpoint services, endpoints and peerings: what the rules check. 0: nothing was checked."""


@dataclass
class Report:
    inputs: list[InputInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    warnings: list[InputError] = field(default_factory=list)
    """Input problems Terraform only warns about (a value for an undeclared variable in a var file)."""
    crashes: list[RuleCrash] = field(default_factory=list)
    load_errors: list[RuleLoadError] = field(default_factory=list)
    rules: list[type[Rule]] = field(default_factory=list)
    unchecked: list[Unchecked] = field(default_factory=list)
    """What could not be checked: modules not followed, values not known statically."""
    excluded: list[str] = field(default_factory=list)
    """Inputs, and directories below directory arguments, that the configuration's `exclude` skipped."""
    config_path: str | None = None
    """The configuration file in force, if any (the CLI sets it)."""
    inventories: list[Inventory] = field(default_factory=list)
    loader_crashes: list[LoaderCrash] = field(default_factory=list)
    cwd: str = ""
    """The directory finding paths are relative to (reporters that rebase paths need it)."""
    shown_files: dict[str, set[str]] | None = None
    """For inputs given as files: the files whose findings are reported, by input."""
    notices: list[str] = field(default_factory=list)
    """Said on every run: a cache directory refused, for example."""
    not_read: list[InputError] = field(default_factory=list)
    """Files deliberately not read (a link out of the boundary): VPCEP000 notes, not errors."""

    @property
    def internal_errors(self) -> list[str]:
        return [str(c) for c in self.crashes] + [str(e) for e in self.load_errors] + [str(c) for c in self.loader_crashes]


@dataclass
class LoaderCrash:
    """A loader bug met on one input: that input is not linted, the others still are."""

    source: str
    message: str
    detail: str = ""

    def __str__(self) -> str:
        return f"loading {self.source} crashed: {self.message}"


@dataclass
class _DirGroup:
    directory: str
    shown: str
    files: set[str] = field(default_factory=set)
    whole: bool = False


def select_rules(all_rules: Sequence[type[Rule]], options: Options) -> list[type[Rule]]:
    chosen = []
    for cls in all_rules:
        if options.select is not None and not any(cls.id.startswith(s) for s in options.select):
            continue
        if any(cls.id.startswith(s) for s in options.ignore):
            continue
        chosen.append(cls)
    return chosen


def lint(paths: Sequence[str], options: Options | None = None, stdin: Any = None) -> Report:
    options = options or Options()
    report = Report(cwd=os.path.realpath(options.cwd or os.getcwd()))
    if options.rules is not None:
        all_rules: list[type[Rule]] = list(options.rules)
    else:
        all_rules, report.load_errors = discover()
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
            return found.top, found.describe(), found.project, "the directory being linted (no git work tree; --root DIR sets the boundary)"
        return found.top, found.describe(), found.top, found.describe()

    sources = SourceSet(cache=cache, cwd=options.cwd, boundary_of=boundary_of)
    groups: dict[str, _DirGroup] = {}
    documents: list[tuple[str, Any, str | None]] = []
    is_excluded = options.excluded or (lambda _path: False)

    for raw in dict.fromkeys(paths):  # keep first occurrence, drop repeats
        if raw == "-":
            stream = stdin if stdin is not None else sys.stdin.buffer
            from .loaders.plan_decode import decode_plan

            try:
                data = read_stream(stream)
                text = decode_plan(data) or decode(data, "<stdin>")  # a plan straight from its bytes
                del data
            except ReadError as exc:
                text = InputError("<stdin>", exc.message)
            except MemoryError:
                text = InputError("<stdin>", "not enough memory to read standard input")
            if isinstance(text, InputError):
                report.errors.append(text)
                continue
            _add_json(report, documents, text, "<stdin>", None)
            del text
            continue
        shown = sources.display(raw)
        if not os.path.lexists(raw):
            report.errors.append(InputError(shown, "no such file or directory"))
            continue
        if os.path.isdir(raw):
            _add_directory(report, groups, raw, shown, sources, is_excluded)
            continue
        if not os.path.isfile(raw):
            report.errors.append(InputError(shown, "not a regular file (a broken link or a special file)"))
            continue
        _add_input_file(report, groups, documents, raw, shown, sources)

    given = {sources.display(f) for g in groups.values() if not g.whole for f in g.files}
    _through_callers(groups, options, sources, is_excluded)

    from .rootpool import map_roots

    jobs: list[tuple[Inventory, _DirGroup | None, EngineResult | None]] = []
    ordered = [groups[real] for real in sorted(groups, key=lambda r: r.split(os.sep))]
    if len(ordered) > 1:
        from .loaders import hcl, variables  # noqa: F401  # imported once, not in every root worker
    for root in map_roots(lambda g: _lint_root(g, sources, options, report.cwd, rules), ordered, options.jobs,
                          weight=lambda g: len(g.files) or 1):
        if cache is not None and root.pid != os.getpid():
            cache.written += root.written  # entries written by a worker count for pruning here
        if root.crash is not None:  # a loader bug must not hide the other inputs
            report.loader_crashes.append(root.crash)
            report.inputs.append(InputInfo(root.group.shown, "error"))
            continue
        _add_errors(report, root.errors)
        jobs.append((root.inv, root.group, root.result))
    documents.reverse()
    while documents:  # a parsed document is dropped once loaded: big plans need the memory
        shown, doc, path = documents.pop()
        try:
            inv_or_error = _load_document(doc, shown, path, options, sources)
        except Exception as exc:
            report.loader_crashes.append(LoaderCrash(shown, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
            report.inputs.append(InputInfo(shown, "error"))
            continue
        finally:
            del doc
        if isinstance(inv_or_error, InputError):
            report.errors.append(inv_or_error)
            report.inputs.append(InputInfo(shown, "error"))
            continue
        jobs.append((inv_or_error, None, None))

    for inv, group, result in jobs:
        subjects = sum(len(inv.of_type(t)) for t in SUBJECT_TYPES)
        report.inputs.append(InputInfo(inv.source, inv.kind, len(inv), subjects))
        report.warnings.extend(inv.warnings)
        report.inventories.append(inv)
        if result is None:
            result = run_rules(rules, inv)
        report.crashes.extend(result.crashes)
        found = result.findings
        unchecked = [*inv.unchecked, *result.unchecked]
        if group is not None and not group.whole and not options.all_in_dir:
            # findings in any file given count, also in a module directory this one calls
            found = [f for f in found if f.span is None or f.span.file in given]
            unchecked = [u for u in unchecked if u.file is None or u.file in given or u.kind != "value"]
            report.shown_files = report.shown_files or {}
            report.shown_files[inv.source] = given
        report.findings.extend(found)
        for u in unchecked:
            item = u if u.source else dataclasses.replace(u, source=inv.source)
            if item not in report.unchecked:
                report.unchecked.append(item)

    report.errors = _distinct(report.errors)  # a var file shared by several roots is reported once
    report.warnings = _distinct(report.warnings)
    if any(cls.id == INPUT_ERROR_ID for cls in report.rules):  # the rule can be deselected; the error stays
        report.findings.extend(input_error_finding(err) for err in [*report.errors, *report.not_read])
    report.findings = sorted(report.findings, key=_order)
    report.inputs.sort(key=lambda i: (i.path, i.kind))
    report.errors.sort(key=lambda e: (e.source, e.line or 0, e.column or 0, e.message))
    report.unchecked.sort(key=lambda u: (u.source, u.file or "", u.line or 0, u.kind, u.what, u.why))
    if cache is not None:
        cache.close()
    return report


def _add_directory(
    report: Report,
    groups: dict[str, _DirGroup],
    raw: str,
    shown: str,
    sources: SourceSet,
    is_excluded: Callable[[str], bool],
) -> None:
    """A directory argument: every root below it (directories with .tf files that no other one calls)."""
    walk = module_dirs(raw, is_excluded, sources.display)
    report.errors.extend(walk.errors)
    report.excluded.extend(sources.display(d) for d in walk.excluded)
    if walk.truncated:
        report.errors.append(InputError(shown, f"more than {MAX_DIRS} directories below it; the rest were not searched"))
    if not walk.dirs:
        if walk.errors:
            return
        try:
            empty = not os.listdir(raw)
        except OSError as exc:
            report.errors.append(InputError(shown, f"cannot read directory: {exc.strerror}"))
            return
        report.errors.append(InputError(
            shown, "empty directory" if empty else "no Terraform files (.tf, .tf.json) in directory or below it"))
        return
    from .loaders.parallel import preparse

    preparse(walk.dirs, sources)
    for directory in roots_of(walk.dirs, lambda d: [t for _, t in local_sources(d, sources)]):
        real = os.path.realpath(directory)
        group = groups.setdefault(real, _DirGroup(directory, sources.display(directory)))
        group.whole = True


def _through_callers(
    groups: dict[str, _DirGroup], options: Options, sources: SourceSet, is_excluded: Callable[[str], bool]
) -> None:
    """Files given (as pre-commit gives them) in a module that roots of the project call: lint those
    roots, with their inputs, instead of the module alone; findings still only in the files given."""
    partial = [real for real, g in groups.items() if not g.whole]
    if not partial:
        return
    walks: dict[str, Any] = {}
    for real in partial:
        group = groups[real]
        boundary = boundary_for(group.directory, options.root, options.cwd)
        walk = walks.get(boundary.project)
        if walk is None:
            walk = walks[boundary.project] = module_dirs(boundary.project, is_excluded, sources.display)
        found = callers([group.directory], walk, sources).get(group.directory)
        if not found:
            continue
        del groups[real]
        for root in found:
            target = groups.setdefault(os.path.realpath(root), _DirGroup(root, sources.display(root)))
            target.files |= group.files


@dataclass
class _Root:
    """A root loaded and its rules run (in a worker process, or in this one)."""

    group: _DirGroup
    inv: Inventory | None = None
    errors: list[InputError] = field(default_factory=list)
    result: EngineResult | None = None
    crash: LoaderCrash | None = None
    written: int = 0
    """Parse cache entries written while loading it (those of a worker count for pruning here)."""
    pid: int = 0


def _lint_root(group: _DirGroup, sources: SourceSet, options: Options, cwd: str, rules: list[Rule]) -> _Root:
    before = sources.cache.written if sources.cache is not None else 0
    try:
        inv, errors = _load_dir(group.directory, sources, boundary_for(group.directory, options.root, cwd),
                                _root_variables(options, group.directory))
    except Exception as exc:
        crash = LoaderCrash(group.shown, f"{type(exc).__name__}: {exc}", traceback.format_exc())
        return _Root(group, crash=crash)
    result = run_rules(rules, inv)
    inv.derived.clear()  # views the rules built: not needed after them, and not sent back from a worker
    written = (sources.cache.written if sources.cache is not None else 0) - before
    return _Root(group, inv, errors, result, written=written, pid=os.getpid())


def _root_variables(options: Options, directory: str) -> VariableInputs | None:
    from .loaders.variables import inputs_for_root

    return inputs_for_root(options.variables, directory)


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


def _add_errors(report: Report, errors: list[InputError]) -> None:
    """Input errors, and the files deliberately not read (a VPCEP000 note each, and not checked; no exit 2)."""
    for err in errors:
        if err.note:
            if err not in report.not_read:
                report.not_read.append(err)
                what, _, why = err.message.partition("; ")
                report.unchecked.append(Unchecked("input", what, why or "not read", file=err.source))
        else:
            report.errors.append(err)


def input_error_finding(err: InputError) -> Finding:
    return Finding(
        rule_id=INPUT_ERROR_ID,
        severity=Severity.NOTE if err.note else Severity.ERROR,
        message=err.message,
        address="",
        span=Span(err.source, err.line or 1, err.column or 1),
        source=err.source,
    )


def _json_loads(text: str) -> Any:
    from .loaders import jsontext

    try:
        doc = json.loads(text)
    except RecursionError:
        raise ValueError("nesting too deep") from None
    except json.JSONDecodeError:
        raise
    except ValueError:  # an integer of more than 4,300 digits
        at = jsontext.long_integer(text)
        raise json.JSONDecodeError("a number of more than 4,300 digits", text, at or 0) from None
    at = jsontext.lone_surrogate(text)
    if at is not None:
        # json.loads makes it a string no report could be written with
        raise json.JSONDecodeError(f"invalid escape {text[at:at + 6]}: not a Unicode character (half of a UTF-16 pair)",
                                   text, at)
    return doc


def _json_position(exc: ValueError) -> tuple[int | None, int | None, str]:
    if isinstance(exc, json.JSONDecodeError):
        if not exc.doc[exc.pos:].strip() and exc.doc.strip():
            return exc.lineno, exc.colno, "unexpected end of the document (a truncated file?)"
        return exc.lineno, exc.colno, exc.msg.lower()
    return None, None, str(exc)


def _add_input_file(
    report: Report,
    groups: dict[str, _DirGroup],
    documents: list[tuple[str, Any, str | None]],
    raw: str,
    shown: str,
    sources: SourceSet,
) -> None:
    """One file named on the command line: configuration, variables, or a plan or state document.

    A function of its own so that the text of a large plan is freed once it is parsed.
    """
    from .loaders.plan_decode import read_document

    plan, text = read_document(raw)  # a plan is decoded straight from its bytes
    if plan is not None:
        documents.append((shown, plan, raw))
        return
    if isinstance(text, InputError):
        text.source = shown
        report.errors.append(text)
        return
    if not text or text.isspace():  # no stripped copy of a large plan
        report.errors.append(InputError(shown, "empty file: nothing to lint"))
        return
    if raw.endswith((".tfvars", ".tfvars.json")):
        _add_file(groups, raw, sources).whole = True
        return
    if raw.endswith(".tf"):
        _add_file(groups, raw, sources)
        return
    if not raw.endswith(".json") and not _LOOKS_LIKE_JSON.match(text):
        # only .tf and .tf.json files are configuration; anything else would be skipped unread
        report.errors.append(InputError(shown, "not a Terraform file (.tf, .tf.json), plan or state (JSON)"))
        return
    doc = _parse_json(report, text, shown)
    del text
    if doc is _INVALID:
        return
    if raw.endswith(".tf.json"):
        _add_file(groups, raw, sources)
    elif isinstance(doc, dict) and "format_version" not in doc and set(doc) & TERRAFORM_JSON_KEYS:
        report.errors.append(InputError(shown, "Terraform JSON configuration is read only from files named *.tf.json"))
    else:
        _add_json(report, documents, doc, shown, raw)


def _add_file(groups: dict[str, _DirGroup], path: str, sources: SourceSet) -> _DirGroup:
    directory = os.path.dirname(os.path.abspath(path))
    real = os.path.realpath(directory)
    group = groups.setdefault(real, _DirGroup(directory, sources.display(directory)))
    group.files.add(path)
    return group


def _add_json(report: Report, documents: list[tuple[str, Any, str | None]], doc_or_text: Any, shown: str, path: str | None) -> None:
    doc = _parse_json(report, doc_or_text, shown) if isinstance(doc_or_text, str) else doc_or_text
    if doc is not _INVALID:
        documents.append((shown, doc, path))


_INVALID = object()


def _parse_json(report: Report, text: str, shown: str) -> Any:
    """The document, or _INVALID after recording why it is not one."""
    try:
        return _json_loads(text)
    except ValueError as exc:
        line, col, msg = _json_position(exc)
        report.errors.append(InputError(shown, f"invalid JSON: {msg}", line, col))
    except MemoryError:
        report.errors.append(InputError(shown, "not enough memory to load the JSON document"))
    return _INVALID


def _load_dir(
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
    raw = sources.parsed_paths() | {directory}
    for err in loader.errors:
        if err.source in raw:  # the loader names files as it found them (`./main.tf`); show them as users do
            err.source = sources.display(err.source)
    return inv, loader.errors


def _load_document(doc: Any, shown: str, path: str | None, options: Options, sources: SourceSet) -> Inventory | InputError:
    from .loaders.plan import PlanError, load_document

    try:
        inv = load_document(doc, shown)
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
        hcl_inv, _ = _load_dir(source_dir, sources, boundary_for(source_dir, options.root, options.cwd))
        attach_sources(inv, hcl_inv)
    return inv


def _locate(path: str, at: tuple[str | int, ...]) -> tuple[int, int] | None:
    """Where the value at JSON path `at` is in the file: read again, only when a document is rejected."""
    from .loaders.plan import locate

    text = read_text(path)
    return None if isinstance(text, InputError) else locate(text, at)


def attach_sources(inv: Inventory, hcl: Inventory) -> None:
    """Give plan resources the file:line of their block, matched by module path and address."""
    by_config: dict[str, Any] = {}
    for r in hcl:
        by_config.setdefault(r.config_address, r)
    for r in inv:
        src = by_config.get(r.config_address)
        if src is None:
            continue
        r.span = src.span
        r.attr_spans = dict(src.attr_spans)
        exact = hcl.get(r.address)
        r.comments = (exact or src).comments
        if exact is not None:
            _narrow_refs(r, exact)


def _narrow_refs(planned: Any, source: Any) -> None:
    """Where the plan's references are coarser than the source's, keep the source's.

    A plan records `module.net[count.index].vpc_id` as just `module.net`: every output of every
    instance. The evaluated source names the one resource; it only ever narrows the plan's list.
    """
    for path, refs in source.refs.items():
        have = planned.refs.get(path)
        if have and refs and set(refs) < set(have):
            planned.refs[path] = list(refs)
