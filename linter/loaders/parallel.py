"""Parse the files of a large module on every core (python-hcl2's parser is pure Python)."""
from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor

from vpcep_lint.loaders.hcl_syntax import ParsedFile
from vpcep_lint.loaders.sources import SourceSet, parse_source, read_text
from vpcep_lint.model import InputError

MIN_BYTES = 256 * 1024
"""Below this much HCL, starting workers costs more than it saves."""


def _parse_one(job: tuple[str, str, str]) -> tuple[str, ParsedFile | InputError]:
    path, text, shown = job
    return path, parse_source(text, path, shown)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def preparse(directories: Iterable[str], sources: SourceSet, jobs: int | None = None) -> None:
    """Parse the `.tf` files of `directories` (one module, or every root and module below a
    directory argument) in worker processes and hand them to `sources`."""
    workers = min(jobs or _workers(), 8)
    if workers < 2 or sys.platform != "linux":
        return  # fork is what makes workers cheap; elsewhere parse in-process
    todo: list[tuple[str, str, str]] = []
    size = 0
    for path in (p for d in directories for p in SourceSet.module_files(d)):
        if path.endswith(".json") or os.path.abspath(path) in sources._parsed:
            continue
        text = read_text(path)
        if isinstance(text, InputError) or not text.strip():
            continue
        if sources.cache is not None:
            cached = sources.cache.get(text, path)
            if cached is not None:
                cached.path = path
                sources.prime({path: cached})
                continue
        todo.append((path, text, sources.display(path)))
        size += len(text)
    if size < MIN_BYTES or len(todo) < 2:
        return
    # largest first, so that no worker is left with one big file at the end
    todo.sort(key=lambda j: -len(j[1]))
    from vpcep_lint.loaders import grammar

    grammar.parser()  # load the grammar once, before forking, so workers inherit it
    ctx = multiprocessing.get_context("fork")
    results: dict[str, ParsedFile | InputError] = {}
    try:
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            for path, result in pool.map(_parse_one, todo, chunksize=max(1, len(todo) // (workers * 4))):
                results[path] = result
    except (OSError, RuntimeError):
        return  # no processes to be had: the loader parses in-process as usual
    if sources.cache is not None:
        texts = {p: t for p, t, _ in todo}
        for path, result in results.items():
            if isinstance(result, ParsedFile):
                sources.cache.put(texts[path], path, result)
    sources.prime(results)
