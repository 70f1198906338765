"""Parse the files of a large module on every core (python-hcl2's parser is pure Python).

The workers are forked by `rootpool.in_workers`. They never outlive the linter: they are killed
when the parse fails or is interrupted (SIGINT, SIGTERM: the linter then dies of the same
signal), they ask the kernel to kill them when their parent dies (Linux `PR_SET_PDEATHSIG`), and
a watchdog thread in each makes it exit when its parent is gone (a SIGKILL of the linter, or a
kernel without that feature).
"""
from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Iterable
from typing import Any

from ..loaders.hcl_syntax import CHUNK_CHARS, ParsedFile, chunks, join_pieces, parse_piece
from ..loaders.sources import SourceSet, copy_parsed, outside, parse_kind, parse_source, read_text
from ..model import InputError

MIN_BYTES = 256 * 1024
"""Below this much HCL, starting workers costs more than it saves."""
WATCHDOG_SECONDS = 0.5
"""How often a worker checks that its parent is alive."""


Job = tuple[str, int, int, str]
"""(path, start, end, shown): a whole file (0, its length) or a piece of a large one."""
_TEXTS: dict[str, str] = {}
"""The texts to parse, set before the workers are forked: they inherit them, jobs only name them."""


def _parse_one(job: Job) -> ParsedFile | InputError | None:
    path, start, end, shown = job
    text = _TEXTS[path]
    if start == 0 and end == len(text):
        return parse_source(text, path, shown)
    return parse_piece(text, start, end)


def _workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _worker_start(parent: int) -> None:
    """In each worker, first thing: die with the parent, leave Ctrl-C to the parent."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        pass
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)

    def watchdog() -> None:
        while True:
            time.sleep(WATCHDOG_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watchdog, name="vpcep-lint-watchdog", daemon=True).start()


class _Terminated(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_signal(signum: int, frame: Any) -> None:
    raise _Terminated(signum)


def preparse(directories: Iterable[str], sources: SourceSet, jobs: int | None = None,
             boundary: str | None = None) -> None:
    """Parse the `.tf` files of `directories` (one module, or every root and module below a
    directory argument) in worker processes and hand them to `sources`.

    Symbolic links, and files that lead outside `boundary`, are left alone: the loader checks
    them against the boundary of their module tree and reports them without reading them.
    """
    workers = min(jobs or _workers(), 8)
    if workers < 2 or sys.platform != "linux":
        return  # fork is what makes workers cheap; elsewhere parse in-process
    texts, originals, todo, same = _jobs(directories, sources, boundary)
    size = sum(len(t) for t in texts.values())
    if size < MIN_BYTES or len(todo) < 2:
        return
    # largest first, so that no worker is left with one big file at the end
    todo.sort(key=lambda j: j[1] - j[2])
    from ..loaders import grammar

    grammar.parser()  # load the grammar once, before forking, so workers inherit it
    _TEXTS.clear()
    _TEXTS.update(texts)
    try:
        done = run(todo, workers)
    finally:
        _TEXTS.clear()
    if done is None:
        return  # no processes to be had: the loader parses in-process as usual
    results = _gather(done, texts)
    if sources.cache is not None:
        for path, result in results.items():
            if isinstance(result, ParsedFile):
                sources.cache.put(originals[path], path, result)
    for path, seen in same.items():
        found = results.get(seen)
        if isinstance(found, ParsedFile):
            results[path] = copy_parsed(found, path)
        # else: not parsed here (a piece failed) or an error: the loader parses it and says why
    sources.prime(results)


def _jobs(directories: Iterable[str], sources: SourceSet, boundary: str | None
          ) -> tuple[dict[str, str], dict[str, str], list[Job], dict[str, str]]:
    """What the workers are to parse: the texts (a large one ending in a newline, cut in pieces),
    the texts as read (what the cache is keyed by), the jobs, and the files of the same kind and
    text as one of them, by that one's path (parsed once)."""
    texts: dict[str, str] = {}
    originals: dict[str, str] = {}  # as read, which is what the cache is keyed by
    todo: list[Job] = []
    same: dict[str, str] = {}  # a file of the same kind and text as one parsed: parsed once
    first: dict[tuple[str, str], str] = {}
    for path in (p for d in directories for p in SourceSet.module_files(d)):
        text = _to_parse(path, sources, boundary)
        if text is None:
            continue
        seen = first.setdefault((parse_kind(path), text), path)
        if seen != path:
            same[path] = seen
            continue
        texts[path] = originals[path] = text
        shown = sources.display(path)
        if len(text) > CHUNK_CHARS:  # a large file in pieces, so that it too uses every core
            piece_text = text if text.endswith("\n") else text + "\n"
            texts[path] = piece_text
            todo += [(path, start, end, shown) for start, end in chunks(piece_text)]
        else:
            todo.append((path, 0, len(text), shown))
    return texts, originals, todo, same


def _to_parse(path: str, sources: SourceSet, boundary: str | None) -> str | None:
    """The text of a file for the workers to parse; None for one left alone (see `preparse`), one
    already parsed, an empty or unreadable one, and one the parse cache has (handed over here)."""
    if path.endswith(".json") or os.path.abspath(path) in sources._parsed:
        return None
    if os.path.islink(path) or boundary is not None and outside(path, boundary) is not None:
        return None
    text = read_text(path)
    if isinstance(text, InputError) or not text.strip():
        return None
    known = sources.known(text, path)
    if known is not None:
        sources.prime({path: known})
        return None
    return text


def _gather(done: dict[Job, ParsedFile | InputError | None],
            texts: dict[str, str]) -> dict[str, ParsedFile | InputError]:
    """The workers' results by file: whole files as they are, pieces joined (a file with a piece
    that did not parse alone is left out: the loader parses it whole and reports its error)."""
    results: dict[str, ParsedFile | InputError] = {}
    pieces: dict[str, list[tuple[int, ParsedFile | None]]] = {}
    for (path, start, end, _shown), result in done.items():
        if start == 0 and end == len(texts[path]) and result is not None:
            results[path] = result
        else:
            pieces.setdefault(path, []).append((start, result if isinstance(result, ParsedFile) else None))
    for path, parts in pieces.items():
        joined = join_pieces(path, texts[path], [p for _, p in sorted(parts, key=lambda x: x[0])])
        if joined is not None:
            results[path] = joined
        # else: a piece did not parse alone; the loader parses the file whole and reports its error
    return results


def run(todo: list[Job], workers: int) -> dict[Job, ParsedFile | InputError | None] | None:
    """Parse `todo` in `workers` forked processes; None if that cannot be done.

    The workers are this package's own (`rootpool.in_workers`), not a `multiprocessing` pool
    (whose `terminate` takes its queues' locks, which a worker holds while it waits on a pipe):
    they share no lock with this process, so a Ctrl-C or a SIGTERM ends the run at once, the
    workers killed.
    """
    from ..rootpool import in_workers

    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_signal) if main_thread else None
    try:
        done = in_workers(_parse_one, todo, workers)
    except _Terminated as exc:  # the workers are gone (in_workers kills them on the way out)
        signal.signal(exc.signum, signal.SIG_DFL)
        os.kill(os.getpid(), exc.signum)  # die of the signal we were sent, as the shell expects
        raise SystemExit(128 + exc.signum) from None  # pragma: no cover - only if the signal is blocked
    finally:
        if main_thread and previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return None if done is None else dict(zip(todo, done, strict=True))  # in_workers keeps the order
