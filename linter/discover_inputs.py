"""What each command-line input is: configuration directories (the roots below a directory argument,
the directory of the files given), JSON plans and states (parsed), or an input error.

Files given as pre-commit gives them (some .tf files of a directory) make a partial group: the
directory is loaded whole, but only findings in the files given are reported; in a module that
roots of the project call, those roots are linted instead, with their inputs.
"""
from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .loaders.sources import ReadError, SourceSet, decode, may_be_document, read_stream, read_text, real_path
from .model import InputError
from .options import Options
from .records import field, record
from .results import Report
from .roots import MAX_DIRS, boundary_for, callers, local_sources, module_dirs, roots_of

_LOOKS_LIKE_JSON = re.compile(r"\s*[\[{]")
TERRAFORM_JSON_KEYS = {"resource", "module", "variable", "output", "provider", "locals", "terraform", "data"}

Document = tuple[str, Any, "str | None"]
"""A parsed JSON input: its shown name, the document, and its path (None for standard input)."""


@record
class DirGroup:
    """A configuration directory to load, and the files given in it (all of them when `whole`)."""

    directory: str
    shown: str
    files: set[str] = field(default_factory=set)
    whole: bool = False


@record
class Inputs:
    groups: dict[str, DirGroup] = field(default_factory=dict)
    """By real path of the directory."""
    documents: list[Document] = field(default_factory=list)
    given: set[str] = field(default_factory=set)
    """The files given in partial groups, as shown: the only ones whose findings those groups report."""


def discover(paths: Sequence[str], report: Report, sources: SourceSet, options: Options, stdin: Any = None) -> Inputs:
    """Every input in `paths` classified; what cannot be an input is recorded in `report.errors`."""
    found = Inputs()
    is_excluded = options.excluded or (lambda _path: False)
    for raw in dict.fromkeys(paths):  # keep first occurrence, drop repeats
        if raw == "-":
            _add_stdin(report, found, stdin if stdin is not None else sys.stdin.buffer)
            continue
        shown = sources.display(raw)
        if not os.path.lexists(raw):
            report.errors.append(InputError(shown, "no such file or directory"))
        elif os.path.isdir(raw):
            _add_directory(report, found.groups, raw, shown, sources, is_excluded)
        elif not os.path.isfile(raw):
            report.errors.append(InputError(shown, "not a regular file (a broken link or a special file)"))
        else:
            _add_input_file(report, found, raw, shown, sources)
    found.given = {sources.display(f) for g in found.groups.values() if not g.whole for f in g.files}
    _through_callers(found.groups, options, sources, is_excluded)
    return found


def _add_stdin(report: Report, found: Inputs, stream: Any) -> None:
    from .loaders.plan_decode import decode_plan

    try:
        data = read_stream(stream)
        text: Any = decode_plan(data) or decode(data, "<stdin>")  # a plan straight from its bytes
        del data
    except ReadError as exc:
        text = InputError("<stdin>", exc.message)
    except MemoryError:
        text = InputError("<stdin>", "not enough memory to read standard input")
    if isinstance(text, InputError):
        report.errors.append(text)
        return
    _add_json(report, found.documents, text, "<stdin>", None)


def _add_directory(
    report: Report,
    groups: dict[str, DirGroup],
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
        report.errors.append(InputError(shown, f"more than {MAX_DIRS} directories below it; "
                                               "the rest were not searched"))
    if not walk.dirs:
        if not walk.errors:
            _no_configuration(report, raw, shown)
        return
    from .loaders.parallel import preparse

    preparse(walk.dirs, sources)
    for directory in roots_of(walk.dirs, lambda d: [t for _, t in local_sources(d, sources)]):
        real = real_path(directory)
        group = groups.setdefault(real, DirGroup(directory, sources.display(directory)))
        group.whole = True


def _no_configuration(report: Report, raw: str, shown: str) -> None:
    try:
        empty = not os.listdir(raw)
    except OSError as exc:
        report.errors.append(InputError(shown, f"cannot read directory: {exc.strerror}"))
        return
    report.errors.append(InputError(
        shown, "empty directory" if empty else "no Terraform files (.tf, .tf.json) in directory or below it"))


def _through_callers(
    groups: dict[str, DirGroup], options: Options, sources: SourceSet, is_excluded: Callable[[str], bool]
) -> None:
    """Files given (as pre-commit gives them) in a module that roots of the project call: lint those
    roots, with their inputs, instead of the module alone; findings still only in the files given."""
    partial = [real for real, g in groups.items() if not g.whole]
    if not partial:
        return
    from .scan_cache import ScanCache

    walks: dict[str, Any] = {}
    scans: dict[str, ScanCache] = {}
    for real in partial:
        group = groups[real]
        boundary = boundary_for(group.directory, options.root, options.cwd)
        walk = walks.get(boundary.project)
        if walk is None:
            walk = walks[boundary.project] = module_dirs(boundary.project, is_excluded, sources.display)
            # what the scan found in each file is kept between runs in the parse cache's directory
            scans[boundary.project] = ScanCache.open(getattr(sources.cache, "dir", None), boundary.project)
        found = callers([group.directory], walk, sources, scans[boundary.project]).get(group.directory)
        if not found:
            continue
        del groups[real]
        for root in found:
            target = groups.setdefault(real_path(root), DirGroup(root, sources.display(root)))
            target.files |= group.files


def _read_input(raw: str) -> tuple[Any, str | InputError | None]:
    """A plan or state decoded straight from its bytes, else (None, the file's text or why it
    cannot be read). The plan decoder (and msgspec) is imported only for a file that may be one."""
    if not may_be_document(raw):
        return None, read_text(raw)
    from .loaders.plan_decode import read_document

    return read_document(raw)


def _add_input_file(report: Report, found: Inputs, raw: str, shown: str, sources: SourceSet) -> None:
    """One file named on the command line: configuration, variables, or a plan or state document.

    A function of its own so that the text of a large plan is freed once it is parsed.
    """
    plan, text = _read_input(raw)
    if plan is not None:
        found.documents.append((shown, plan, raw))
        return
    if isinstance(text, InputError):
        text.source = shown
        report.errors.append(text)
        return
    if not text or text.isspace():  # no stripped copy of a large plan
        report.errors.append(InputError(shown, "empty file: nothing to lint"))
        return
    if raw.endswith((".tfvars", ".tfvars.json")):
        _add_file(found.groups, raw, sources).whole = True
        return
    if raw.endswith(".tf"):
        _add_file(found.groups, raw, sources)
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
        _add_file(found.groups, raw, sources)
    elif isinstance(doc, dict) and "format_version" not in doc and set(doc) & TERRAFORM_JSON_KEYS:
        report.errors.append(InputError(shown, "Terraform JSON configuration is read only from files named *.tf.json"))
    else:
        _add_json(report, found.documents, doc, shown, raw)


def _add_file(groups: dict[str, DirGroup], path: str, sources: SourceSet) -> DirGroup:
    directory = os.path.dirname(os.path.abspath(path))
    real = real_path(directory)
    group = groups.setdefault(real, DirGroup(directory, sources.display(directory)))
    group.files.add(path)
    return group


def _add_json(report: Report, documents: list[Document], doc_or_text: Any, shown: str, path: str | None) -> None:
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
