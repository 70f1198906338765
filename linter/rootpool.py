"""Roots linted on every core: a repository's roots are independent units of work.

`map_roots(work, roots)` runs `work(root)` for each root on every core (at most 8) and gives the
results in the order of `roots`, as a loop would: the roots are dealt into one share per core,
this process takes the first and a forked worker each of the others. The workers inherit
everything this process has read and parsed so far, parse what their own roots still need
(through the parse cache, whose writes are atomic), and send back only their results, pickled
through a pipe. This process does its first root before the workers start, so that what every
root needs first (the grammar, a module file edited since the last run) is parsed once. Workers
never outlive the linter: they die with their parent
(`loaders.parallel`), and are killed when the run fails or is interrupted.

Run in-process instead (the same results, one after the other): fewer than `MIN_ROOTS` roots, one
core, or no `fork` (not Linux); the share of a worker that cannot be started, dies, or cannot send
its results back is done here after the others.
"""
from __future__ import annotations

import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from .loaders.parallel import _worker_start, _workers

T = TypeVar("T")
R = TypeVar("R")

MIN_ROOTS = 4
"""Below this many roots, starting workers costs more than it saves."""
MAX_WORKERS = 8

def map_roots(work: Callable[[T], R], roots: Sequence[T], jobs: int | None = None,
              weight: Callable[[T], int] | None = None) -> list[R]:
    """[work(r) for r in roots], on every core when there are enough roots (see the module docstring).

    `weight` deals the roots out, heaviest first and in turn, so that the shares are even; it does
    not change the order of the results.
    """
    workers = min(jobs or _workers(), MAX_WORKERS, len(roots))
    if workers < 2 or len(roots) < MIN_ROOTS or sys.platform != "linux":
        return [work(r) for r in roots]
    order = sorted(range(len(roots)), key=lambda i: -weight(roots[i])) if weight else list(range(len(roots)))
    shares = [order[k::workers] for k in range(workers)]
    results: dict[int, R] = {}
    # this process takes the first share, and its first root before the workers start: what that
    # root reads and parses first in a run (the grammar and a module file edited since the last
    # run, the imports of the rules) is then done once, and the workers inherit it
    first = shares[0][0]
    results[first] = work(roots[first])
    children = [_fork(partial(_run_share, work, roots, share)) for share in shares[1:]]
    try:
        for i in shares[0][1:]:
            results[i] = work(roots[i])
        for child, share in zip(children, shares[1:], strict=True):
            done = child.collect() if child is not None else None
            for i in share:  # a worker that could not be started, died or failed: its share here
                results[i] = done[i] if done is not None and i in done else work(roots[i])
    finally:
        for child in children:
            if child is not None:
                child.reap()
    return [results[i] for i in range(len(roots))]



def _run_share(work: Callable[[T], R], roots: Sequence[T], share: list[int]) -> list[tuple[int, R]]:
    """What a worker does: `work` on each root of its share, with the root's index."""
    return [(i, work(roots[i])) for i in share]


class _Child:
    """A forked worker: its pid and the read end of the pipe its result comes through."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe, self.waited = pid, pipe, False

    def collect(self) -> dict[int, Any] | None:
        """What the worker sent back; None when it did not send all of it."""
        try:
            with os.fdopen(self.pipe, "rb") as pipe:
                data = pipe.read()
            _, status = os.waitpid(self.pid, 0)
        except OSError:
            return None
        finally:
            self.waited = True
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)  # type: ignore[no-any-return]  # our own worker's, never from a file
        except Exception:
            return None

    def reap(self) -> None:
        """A worker not collected (the run failed or was interrupted) goes first."""
        if self.waited:
            return
        for step in (lambda: os.kill(self.pid, signal.SIGKILL), lambda: os.waitpid(self.pid, 0),
                     lambda: os.close(self.pipe)):
            try:
                step()
            except OSError:
                pass


def _fork(job: Callable[[], list[tuple[int, Any]]]) -> _Child | None:
    """Run `job` in a forked process that sends its result back pickled through a pipe; None if
    no process could be started."""
    parent = os.getpid()
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid:
        os.close(write)
        return _Child(pid, read)
    code = 1  # the worker: never returns, never runs the parent's exit handlers or flushes its buffers
    try:
        os.close(read)
        _worker_start(parent)
        data = pickle.dumps(dict(job()), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        code = 0
    finally:
        os._exit(code)
