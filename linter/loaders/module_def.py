"""The blocks of one module directory, read once per run however many calls lead there."""
from __future__ import annotations

from bisect import bisect_left
from typing import Protocol

from ..model import InputError
from ..records import field, record
from .hcl_tree import Attribute, Block, Expr, ParsedFile


@record
class ModuleDef:
    directory: str
    files: list[ParsedFile]
    variables: dict[str, Block] = field(default_factory=dict)
    locals: dict[str, Attribute] = field(default_factory=dict)
    outputs: dict[str, Block] = field(default_factory=dict)
    resources: list[Block] = field(default_factory=list)
    modules: list[Block] = field(default_factory=list)
    providers: list[Block] = field(default_factory=list)
    comments: dict[str, list[tuple[int, str]]] = field(default_factory=dict)


class ModuleFiles(Protocol):
    """What reading a module needs of the run's sources (loaders.sources.SourceSet)."""

    def list_module_files(self, directory: str) -> list[str] | InputError: ...

    def parse(self, path: str, boundary: str | None = None, where: str = "the boundary") -> ParsedFile | InputError: ...

    def display(self, path: str) -> str: ...


def read_module(directory: str, sources: ModuleFiles, boundary: str, where: str, errors: list[InputError]) -> ModuleDef:
    """The module in `directory`: its files parsed (within `boundary`, which `where` names) and its
    blocks sorted by kind; what cannot be read, or is declared twice, goes to `errors`."""
    files = sources.list_module_files(directory)
    if isinstance(files, InputError):
        files.source = sources.display(directory)
        errors.append(files)
        files = []
    parsed: list[ParsedFile] = []
    for path in files:
        result = sources.parse(path, boundary=boundary, where=where)
        if isinstance(result, InputError):
            errors.append(result)
        else:
            parsed.append(result)
    d = ModuleDef(directory, parsed)
    declared: dict[str, Block] = {}
    for pf in parsed:
        d.comments[pf.path] = sorted(pf.comments)
        for b in pf.body.blocks:
            _add_block(d, b, pf.path, declared, sources, errors)
    return d


def _add_block(d: ModuleDef, b: Block, path: str, declared: dict[str, Block], sources: ModuleFiles,
               errors: list[InputError]) -> None:
    if b.type == "locals":
        for attr in b.attributes.values():
            attr.file = path  # type: ignore[attr-defined]
        d.locals.update(b.attributes)
        return
    if b.type == "provider" and b.labels:
        d.providers.append(b)
        return
    if b.labels:
        b.file = path  # type: ignore[attr-defined]
        _add_labelled(d, b, declared, sources, errors)


def _add_labelled(d: ModuleDef, b: Block, declared: dict[str, Block], sources: ModuleFiles,
                  errors: list[InputError]) -> None:
    if b.type == "resource" and len(b.labels) == 2:
        if _unique(declared, f"resource {b.labels[0]}.{b.labels[1]}", b, d.directory, sources, errors):
            d.resources.append(b)
    elif b.type == "module":
        if _unique(declared, f"module {b.labels[0]!r}", b, d.directory, sources, errors):
            d.modules.append(b)
    elif b.type == "variable":
        d.variables[b.labels[0]] = b
    elif b.type == "output":
        d.outputs[b.labels[0]] = b


def _unique(declared: dict[str, Block], what: str, block: Block, directory: str, sources: ModuleFiles,
            errors: list[InputError]) -> bool:
    """False, with an error at the second block naming the first, when `what` is declared twice."""
    first = declared.setdefault(what, block)
    if first is block:
        return True
    here = sources.display(getattr(block, "file", directory))
    there = sources.display(getattr(first, "file", directory))
    errors.append(InputError(here, f"duplicate {what} (first declared at {there}:{first.line})",
                             block.line, block.column))
    return False


def traversal_name(expr: Expr) -> str | None:
    """`huaweicloud.peer` -> "huaweicloud.peer"; `huaweicloud` -> "huaweicloud"."""
    if expr[0] == "var":
        return str(expr[1])
    if expr[0] == "attr":
        head = traversal_name(expr[1])
        return f"{head}.{expr[2]}" if head else None
    if expr[0] == "lit" and isinstance(expr[1], str):
        return expr[1]
    return None


def comments_for(comments: list[tuple[int, str]], block: Block) -> list[str]:
    """Comments on the line above the block and inside it (`comments` is sorted by line)."""
    i = bisect_left(comments, block.line - 1, key=lambda c: c[0])
    out = []
    while i < len(comments) and comments[i][0] <= block.end_line:
        out.append(comments[i][1])
        i += 1
    return out

