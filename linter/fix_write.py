"""Apply the planned fixes (`fix.plan`): check every file, then print a diff or write atomically.

A fix edits only `.tf` files the run read, inside the run's boundary (symbolic links resolved
first), never a file under `.terraform/`. A module that several roots call gets one edit, and the
output names the roots it affects; two roots that need different edits of one place get none
(said). `--diff` prints a unified diff and writes nothing; `--fix` writes each file through a
temporary file renamed into place. Fixed findings are gone on the next run, so a second `--fix`
changes nothing.
"""
from __future__ import annotations

import difflib
import os
from collections.abc import Iterable

from .fix import Edit, Fix, Refusal, Unfixable
from .model import Inventory
from .outputs import OutputError, write_atomic
from .records import field, record
from .roots import boundary_for

MAX_FILE = 8 * 1024 * 1024


def read_line(file: str, line: int, cwd: str) -> str:
    """Line `line` (from 1) of a file (a path as the run shows it), without its line end."""
    with open(os.path.join(cwd, file), encoding="utf-8") as fh:
        for n, text in enumerate(fh, start=1):
            if n == line:
                return text.rstrip("\r\n")
    raise Unfixable(f"{file} has no line {line}")


@record
class Outcome:
    fixes: list[Fix] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    """Shown path -> (old text, new text) of each file a fix changes."""


def checked(file: str, cwd: str, root: str | None) -> str:
    """The real path of a file a fix may edit; Unfixable naming why not."""
    real = os.path.realpath(os.path.join(cwd, file))
    if not real.endswith(".tf") or not os.path.isfile(real):
        raise Unfixable(f"{file} is not a .tf file")
    if ".terraform" in real.split(os.sep):
        raise Unfixable(f"{file} is under .terraform/ (a module terraform init downloaded): fix its source")
    if not boundary_for(os.path.dirname(real), root, cwd).contains(real):
        raise Unfixable(f"{file} is outside the boundary of this run")
    if os.path.getsize(real) > MAX_FILE:
        raise Unfixable(f"{file} is larger than {MAX_FILE // (1024 * 1024)} MiB")
    return real


def resolve(planned: Iterable[Fix | Refusal], cwd: str, root: str | None,
            inventories: Iterable[Inventory] = ()) -> Outcome:
    """Merge the fixes of every root: a finding of a module that several roots call (one
    fingerprint) is fixed once, an edit another fix already makes is made once, and each fix names
    the roots whose configuration holds the files it edits."""
    out = Outcome()
    by_fingerprint: dict[str, tuple[Fix, list[Edit]]] = {}
    made: dict[tuple[str, int, str | None], Edit] = {}
    items = list(planned)
    differ = _differing(items)
    for item in items:
        if isinstance(item, Fix) and item.finding.fingerprint in differ:
            item = Refusal(item.finding, f"the roots {differ[item.finding.fingerprint]} need different edits of "
                           "this module (their inputs differ): fix it by hand")
        refusal = item if isinstance(item, Refusal) else _merge(item, cwd, root, by_fingerprint, made)
        if refusal is not None:
            out.refusals.append(refusal)
        elif isinstance(item, Fix) and by_fingerprint[item.finding.fingerprint][0] is item:
            out.fixes.append(item)
    readers: dict[str, set[str]] = {}  # file -> the roots whose configuration holds it
    for inv in inventories:
        for r in inv:
            if r.span is not None:
                readers.setdefault(os.path.realpath(os.path.join(cwd, r.span.file)), set()).add(inv.source)
    for fix in out.fixes:
        fix.roots = sorted(set(fix.roots).union(*(readers.get(e.file, set()) for e in fix.edits)))
    _render(out, cwd)
    return out


def _differing(items: list[Fix | Refusal]) -> dict[str, str]:
    """Fingerprint -> the roots, for a module finding whose roots would need different edits."""
    edits: dict[str, set[tuple[Edit, ...]]] = {}
    roots: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item, Fix):
            edits.setdefault(item.finding.fingerprint, set()).add(tuple(item.edits))
            roots.setdefault(item.finding.fingerprint, []).append(item.finding.source)
    return {fp: ", ".join(sorted(set(roots[fp]))) for fp, found in edits.items() if len(found) > 1}


def _merge(item: Fix, cwd: str, root: str | None, by_fingerprint: dict[str, tuple[Fix, list[Edit]]],
           made: dict[tuple[str, int, str | None], Edit]) -> Refusal | None:
    """Take one planned fix in: checked files, not twice for one module finding, no edit twice."""
    try:
        edits = [Edit(checked(e.file, cwd, root), e.after, e.text, e.old) for e in item.edits]
    except Unfixable as exc:
        return Refusal(item.finding, str(exc))
    if item.finding.fingerprint in by_fingerprint:  # the same module edit, from another root
        by_fingerprint[item.finding.fingerprint][0].roots.append(item.finding.source)
        return None
    if any(e.old is not None and _place(e) in made and made[_place(e)] != e for e in edits):
        return Refusal(item.finding, "another fix edits the same line: run --fix again after this one")
    item.roots, item.edits = [item.finding.source], [e for e in edits if made.get(_place(e)) != e]
    for e in item.edits:
        made[_place(e)] = e
    by_fingerprint[item.finding.fingerprint] = (item, edits)
    return None


def _place(e: Edit) -> tuple[str, int, str | None]:
    return (e.file, e.after, e.old if e.old is not None else e.text)


def _render(out: Outcome, cwd: str) -> None:
    per_file: dict[str, list[Edit]] = {}
    for fix in out.fixes:
        for e in fix.edits:
            per_file.setdefault(e.file, []).append(e)
    for real, edits in sorted(per_file.items()):
        with open(real, encoding="utf-8", newline="") as fh:
            old = fh.read()
        lines = old.splitlines(keepends=True)
        eol = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
        # bottom-up, so earlier line numbers stay right; at one line, replacements before inserts
        for e in sorted(edits, key=lambda e: (e.after, e.old is None), reverse=True):
            if e.old is not None:
                end = lines[e.after - 1][len(lines[e.after - 1].rstrip("\r\n")):]
                lines[e.after - 1] = e.text + end
            else:
                if e.after > 0 and e.after <= len(lines) and not lines[e.after - 1].endswith("\n"):
                    lines[e.after - 1] += eol
                lines[e.after:e.after] = [x + eol for x in e.text.split("\n")[:-1]]
        shown = os.path.relpath(real, cwd) if real.startswith(cwd.rstrip(os.sep) + os.sep) else real
        out.files[shown] = (old, "".join(lines))


def diff(out: Outcome) -> str:
    return "".join(
        "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                     f"a/{name}", f"b/{name}"))
        for name, (old, new) in sorted(out.files.items()))


def write(out: Outcome, cwd: str) -> list[str]:
    """Write every changed file; the errors, one line each."""
    errors = []
    for name, (_, new) in sorted(out.files.items()):
        try:
            write_atomic(os.path.join(cwd, name), new, "the fixed file")
        except OutputError as exc:
            errors.append(str(exc))
    return errors


def describe(out: Outcome, wrote: bool) -> list[str]:
    """What was (or would be) fixed and what not, one line each, with file:line and the roots."""
    lines = []
    verb = "fixed" if wrote else "would fix"
    for fix in out.fixes:
        f = fix.finding
        at = f"{f.span.file}:{f.span.line}: " if f.span else ""
        roots = sorted(set(fix.roots))
        affects = f" (a module of {len(roots)} roots: {', '.join(roots)})" if len(roots) > 1 else ""
        lines.append(f"{at}{verb} {f.rule_id} [{f.address}]: {fix.what}{affects}")
    for r in out.refusals:
        f = r.finding
        at = f"{f.span.file}:{f.span.line}: " if f.span else ""
        line = f"{at}not fixed {f.rule_id} [{f.address}]: {r.why}"
        if line not in lines:  # a module finding of several roots, refused once
            lines.append(line)
    return lines


def run_fixes(report: object, *, write_files: bool, root: str | None, echo: object) -> int:
    """`--fix` (write) or `--diff` (print): 2 for a plan or state among the inputs (never fixed) or a
    file that cannot be written; else 1 while findings remain unfixed, 0 when none does."""
    from .fix import plan

    say = echo if callable(echo) else print
    recorded = [i.path for i in getattr(report, "inputs", []) if i.kind in ("plan", "state")]
    if recorded:
        say(f"vpcep-lint: error: --{'fix' if write_files else 'diff'} edits .tf files only; plans and states are "
            f"never fixed: {', '.join(recorded)}", True)
        return 2
    cwd = getattr(report, "cwd", "") or os.getcwd()
    active = [f for f in getattr(report, "findings", []) if f.suppressed is None]
    inventories = getattr(report, "inventories", [])
    out = resolve(plan(inventories, active, cwd), cwd, root, inventories)
    if not write_files:
        say(diff(out), False)
    errors = write(out, cwd) if write_files else []
    told = describe(out, write_files) or ["nothing to fix: no finding of VPCEP001, VPCEP002, VPCEP003 or VPCEP005"]
    for line in told + [f"error: {e}" for e in errors]:
        say(f"vpcep-lint: {line}", True)
    fixed = {id(fix.finding) for fix in out.fixes}
    merged = {(f.fingerprint, f.source) for fix in out.fixes for f in [fix.finding]}
    left = [f for f in active if id(f) not in fixed and (f.fingerprint, f.source) not in merged
            and not any(f.fingerprint == fix.finding.fingerprint and f.source in fix.roots for fix in out.fixes)]
    if errors or getattr(report, "errors", None):
        return 2
    return 1 if left else 0
