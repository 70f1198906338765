"""Which root modules to lint: the boundary of a run, the module directories below a directory
argument, and which of them are roots (called by no other) and which are modules (linted through
the roots that call them, with their inputs).

The boundary is where files may be read from: `--root DIR` when given, else the top of the git
work tree around the input, else the whole file system (a tarball, a Terraform Cloud upload, a CI
cache: Terraform follows `../` sources there, so the linter does too). The *project* is where
roots, callers of a module and the configuration file are searched for: `--root`, else the git
work tree, else the current directory.
"""
from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable

from .file_paths import is_within
from .loaders.real_paths import RUN_MEMOS
from .loaders.sources import ReadError, SourceSet, read_bytes, real_path
from .model import InputError
from .records import field, record
from .scan_cache import Record, ScanCache

SKIPPED_DIRS = {".terraform", ".git", "node_modules"}
MAX_DIRS = 100_000
"""A directory walk stops after this many directories (a run is bounded whatever the input)."""


@record(frozen=True)
class Boundary:
    top: str
    """Real path files may be read below; `/` when there is no work tree and no --root."""
    kind: str
    """`root` (--root), `git` (the enclosing work tree) or `filesystem`."""
    project: str
    """Real path roots, callers and configuration are searched below."""

    def contains(self, path: str) -> bool:
        real = real_path(path)
        return is_within(real, self.top)

    def describe(self) -> str:
        return {"root": "the --root directory", "git": "the git work tree"}.get(self.kind, "the file system")


_TOPS: dict[str, str | None] = {}
RUN_MEMOS.append(_TOPS)


def git_top(path: str) -> str | None:
    """The top of the git work tree holding `path`: the nearest directory with a `.git` directory,
    or a `.git` file (`gitdir: ...`, a worktree or submodule), else None. Remembered for the run
    for every directory the search went through (every root of a repository asks)."""
    d = real_path(path)
    if d in _TOPS:
        return _TOPS[d]
    if not os.path.isdir(d):
        d = os.path.dirname(d)
    seen = [real_path(path)]
    while d not in _TOPS:
        seen.append(d)
        if _is_top(d):
            top: str | None = d
            break
        parent = os.path.dirname(d)
        if parent == d:
            top = None
            break
        d = parent
    else:
        top = _TOPS[d]
    for visited in seen:
        _TOPS[visited] = top
    return top


def _is_top(d: str) -> bool:
    """Whether `d` holds a `.git` directory, or a `.git` file naming one."""
    marker = os.path.join(d, ".git")
    if os.path.isdir(marker):
        return True
    if os.path.isfile(marker):
        try:
            return read_bytes(marker, 8, head=True) == b"gitdir: "
        except ReadError:
            pass
    return False


def boundary_for(path: str, root: str | None = None, cwd: str | None = None) -> Boundary:
    if root:
        real = real_path(root)
        return Boundary(real, "root", real)
    top = git_top(path)
    if top is not None:
        return Boundary(top, "git", top)
    here = real_path(cwd or os.getcwd())
    target = real_path(path)
    inside = is_within(target, here)
    project = here if inside else (target if os.path.isdir(target) else os.path.dirname(target))
    return Boundary(os.sep, "filesystem", project)


@record
class Walk:
    dirs: list[str] = field(default_factory=list)
    """Directories holding .tf / .tf.json files, in a stable order."""
    excluded: list[str] = field(default_factory=list)
    errors: list[InputError] = field(default_factory=list)
    truncated: bool = False


def module_dirs(start: str, is_excluded: Callable[[str], bool], display: Callable[[str], str]) -> Walk:
    """Every directory at or below `start` with Terraform files, skipping `.terraform/`, `.git/`,
    hidden directories, excluded paths and directory links (a link is not walked into: roots are
    where the files are)."""
    walk = Walk()
    stack = [start]
    seen = 0
    while stack:
        d = stack.pop()
        seen += 1
        if seen > MAX_DIRS:
            walk.truncated = True
            break
        listed = _list_dir(d, walk, display)
        if listed is None:
            continue
        has_tf, subdirs = listed
        if has_tf:
            walk.dirs.append(d)
        for sub in reversed(subdirs):
            if is_excluded(sub):
                walk.excluded.append(sub)
            else:
                stack.append(sub)
    walk.dirs.sort(key=lambda p: p.split(os.sep))
    return walk


def _list_dir(d: str, walk: Walk, display: Callable[[str], str]) -> tuple[bool, list[str]] | None:
    """Whether `d` holds Terraform files, and the directories below it to walk (None: unreadable)."""
    try:
        entries = sorted(os.scandir(d), key=lambda e: e.name)
    except PermissionError:
        walk.errors.append(InputError(display(d), "cannot read directory: permission denied"))
        return None
    except OSError as exc:
        walk.errors.append(InputError(display(d), f"cannot read directory: {exc.strerror or exc}"))
        return None
    has_tf = False
    subdirs = []
    for e in entries:
        if e.name.endswith((".tf", ".tf.json")) and not e.name.startswith("."):
            has_tf = True
        elif not e.name.startswith(".") and e.name not in SKIPPED_DIRS:
            try:
                if e.is_dir(follow_symlinks=False):
                    subdirs.append(e.path)
            except OSError:
                continue
    return has_tf, subdirs


def local_sources(directory: str, sources: SourceSet, files: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """The local module calls of one module directory: (source as written, target real path);
    with `files`, those of these files only (the others are known to hold none)."""
    out = []
    for path in sources.module_files(directory) if files is None else files:
        parsed = sources.parse(path)
        if isinstance(parsed, InputError):
            continue
        for block in parsed.body.blocks:
            if block.type != "module" or not block.labels:
                continue
            attr = block.attributes.get("source")
            value = attr.expr[1] if attr is not None and attr.expr[0] == "lit" else None
            # a NUL is the loader's to report
            if isinstance(value, str) and value.startswith(("./", "../")) and "\0" not in value:
                out.append((value, source_target(directory, value)))
    return out


def source_target(directory: str, source: str) -> str:
    """The real path of a local module source (`./x`, `../x`) called from `directory`: the same as
    `os.path.realpath(os.path.join(directory, source))`, with the directories remembered for the run.

    Leading `..` parts climb from the directory's real path, which has no links, so they can be
    taken as written; a `..` after a name (which may be a link) is left to `realpath`.
    """
    joined = os.path.join(real_path(directory), source)
    parts = source.split("/")
    rest = 0
    while rest < len(parts) and parts[rest] in (".", ".."):
        rest += 1
    if ".." in parts[rest:]:
        return os.path.realpath(joined)
    return real_path(os.path.normpath(joined))


def roots_of(dirs: Iterable[str], calls: Callable[[str], Iterable[str]]) -> list[str]:
    """The directories no other directory of the set calls, then any not reached from those
    (modules that only call each other, which Terraform rejects, are still linted, on their own)."""
    dirs = list(dirs)
    real = {real_path(d): d for d in dirs}
    edges = {r: [t for t in calls(real[r]) if t in real and t != r] for r in real}
    called = {t for targets in edges.values() for t in targets}
    roots = [r for r in real if r not in called]
    reached: set[str] = set()
    todo = list(roots)
    while todo:
        r = todo.pop()
        if r not in reached:
            reached.add(r)
            todo.extend(edges[r])
    for r in real:  # a cycle nobody enters: lint its first directory on its own
        if r not in reached:
            roots.append(r)
            todo = [r]
            while todo:
                x = todo.pop()
                if x not in reached:
                    reached.add(x)
                    todo.extend(edges[x])
    order = {r: i for i, r in enumerate(real)}
    return [real[r] for r in sorted(roots, key=order.__getitem__)]


# -- the pre-commit case: which roots reach a changed module ---------------------------------------

_SOURCE = re.compile(r"""\bsource\s*=\s*"(\.\.?/[^"\n]*)\"""")
_JSON_SOURCE = re.compile(r""""source"\s*:\s*"(\.\.?/[^"\n]*)\"""")
_SOURCE_WORD = re.compile(rb"\bsource\b")
_SCAN_BYTES = 4 * 1024 * 1024


def _text_calls(directory: str, scan: ScanCache | None = None) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """Local module sources found by a text scan: a superset of the real calls (a `source` in a
    comment is a candidate too), confirmed later by parsing only the directories that matter;
    the files of the directory that may hold a module call, the only ones parsed to confirm; and
    the calls already confirmed of those the scan cache kept."""
    out = []
    may_call = []
    confirmed: dict[str, list[str]] = {}
    for path in SourceSet.module_files(directory):
        try:
            st: os.stat_result | None = os.lstat(path)
        except OSError:
            st = None
        if st is not None and stat.S_ISLNK(st.st_mode):
            may_call.append(path)
            continue  # a link is read, if its target is within the boundary, by the loader alone
        record = _scan_file(path, st, scan)
        if record is None:
            may_call.append(path)  # parsed to confirm: its error is the loader's to report
            continue
        found, may, calls = record
        if may:
            may_call.append(path)
            if calls is not None:
                confirmed[path] = calls
        out += [source_target(directory, source) for source in found]
    return out, may_call, confirmed


def _scan_file(path: str, st: os.stat_result | None, scan: ScanCache | None) -> Record | None:
    """What the text scan finds in one file (kept from an earlier run while its `lstat`, `st`, is
    unchanged); None when it cannot be read."""
    if scan is not None and st is not None:
        kept = scan.lookup(path, st)
        if kept is not None:
            return kept
    try:
        raw = read_bytes(path, _SCAN_BYTES, head=True)
    except ReadError:
        return None
    pattern = _JSON_SOURCE if path.endswith(".json") else _SOURCE
    found = [m.group(1) for m in pattern.finditer(raw.decode("utf-8", "replace")) if "\0" not in m.group(1)]
    record: Record = (found, _may_call(path, raw), None)
    if scan is not None and st is not None:
        scan.store(path, st, record)
    return record


def _may_call(path: str, raw: bytes) -> bool:
    """Whether a file may hold a module call: an HCL file read whole, in an ASCII-compatible
    encoding, without the word `source` holds none (an HCL name has no escapes)."""
    if path.endswith(".json") or len(raw) >= _SCAN_BYTES or b"\0" in raw or raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return True
    return _SOURCE_WORD.search(raw) is not None


def callers(modules: Iterable[str], project: Walk, sources: SourceSet,
            scan: ScanCache | None = None) -> dict[str, list[str]]:
    """For each module directory: the roots of the project that reach it through local calls.

    A cheap text scan of every directory finds the candidates; only they are parsed. With `scan`
    (kept between runs), files unchanged since an earlier run are neither read nor parsed again.
    """
    scanned = {real_path(d): _text_calls(d, scan) for d in project.dirs}
    reverse: dict[str, set[str]] = {}
    for d, (targets, _, _) in scanned.items():
        for t in targets:
            reverse.setdefault(t, set()).add(d)
    by_real = {real_path(d): d for d in project.dirs}
    out: dict[str, list[str]] = {}
    for module in modules:
        target = real_path(module)
        candidates: set[str] = set()
        todo = [target]
        while todo:
            x = todo.pop()
            for c in reverse.get(x, ()):
                if c not in candidates and c != target:
                    candidates.add(c)
                    todo.append(c)
        if not candidates:
            continue
        real_edges = {c: _confirmed_calls(by_real[c], scanned[c][1], scanned[c][2], sources, scan)
                      for c in candidates}
        reaching = {c for c in candidates if _reaches(c, target, real_edges)}
        called = {t for c in reaching for t in real_edges[c]}
        roots = sorted((c for c in reaching if c not in called), key=lambda p: p.split(os.sep))
        if roots:
            out[module] = [by_real[r] for r in roots]
    if scan is not None:
        scan.save()
    return out


def _confirmed_calls(directory: str, files: list[str], kept: dict[str, list[str]], sources: SourceSet,
                     scan: ScanCache | None) -> set[str]:
    """The real paths of the modules a directory calls: the calls of `files`, parsed unless kept."""
    out: set[str] = set()
    for path in files:
        calls = kept.get(path)
        if calls is None:
            calls = [source for source, _ in local_sources(directory, sources, [path])]
            if scan is not None and not os.path.islink(path):
                scan.confirmed(path, calls)
        out.update(source_target(directory, source) for source in calls)
    return out


def _reaches(start: str, target: str, edges: dict[str, set[str]]) -> bool:
    seen: set[str] = set()
    todo = [start]
    while todo:
        x = todo.pop()
        if x == target:
            return True
        if x in seen:
            continue
        seen.add(x)
        todo.extend(edges.get(x, ()))
    return False
