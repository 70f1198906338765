"""Roots linted on every core: a repository's roots are independent units of work.

`map_roots(work, roots)` runs `work(root)` for each root on every core (at most 8) and gives the
results in the order of `roots`, as a loop would. This process and a forked worker on each other
core take the roots one at a time from a shared queue, each the next one when it is free, so no
process waits at the end for one that drew the slow roots. The workers inherit everything this
process has read and parsed so far, parse what their own roots still need (through the parse
cache, whose writes are atomic), and send back only their results, pickled through a pipe as
each is made; this process takes them in between its own roots, so that little is left to read
at the end. This process does its first root before the workers start, so that what every root
needs first (the grammar, a module file edited since the last run) is parsed once. Workers never
outlive the linter: they die with their parent (`loaders.parallel`), and are killed when the run
fails or is interrupted.

Run in-process instead (the same results, one after the other): fewer than `MIN_ROOTS` roots, one
core, or no `fork` (not Linux); the roots a worker took are done here after the others when it
cannot be started, dies, or cannot send its results back.

`in_workers(work, items, workers)` is the same machinery for longer work (the parse of a large
module's files, `loaders.parallel`): only the workers work, each result is sent framed and taken
in as it comes, and a failure anywhere gives None for the caller to do the work itself.
"""
from __future__ import annotations

import io
import os
import pickle
import signal
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

from .loaders.parallel import _worker_start, _workers

T = TypeVar("T")
R = TypeVar("R")

_FRAME = 8
"""The length of a framed result (`_fork`), in bytes before it."""

MIN_ROOTS = 4
"""Below this many roots, starting workers costs more than it saves."""
MAX_WORKERS = 8

def map_roots(work: Callable[[T], R], roots: Sequence[T], jobs: int | None = None,
              weight: Callable[[T], int] | None = None) -> list[R]:
    """[work(r) for r in roots], on every core when there are enough roots (see the module docstring).

    `weight` orders the queue, heaviest first, so that no process is left with a heavy root at
    the end; it does not change the order of the results.
    """
    workers = min(jobs or _workers(), MAX_WORKERS, len(roots))
    if workers < 2 or len(roots) < MIN_ROOTS or sys.platform != "linux":
        return [work(r) for r in roots]
    order = sorted(range(len(roots)), key=lambda i: -weight(roots[i])) if weight else list(range(len(roots)))
    results: dict[int, R] = {}
    # this process takes the first root before the workers start: what that root reads and parses
    # first in a run (the grammar and a module file edited since the last run, the imports of the
    # rules) is then done once, and the workers inherit it
    first = order[0]
    results[first] = work(roots[first])
    rest = order[1:]
    queue = _Queue.of(rest)
    # each process's roots: the queue's, or without a queue one share each, dealt in turn
    shares: list[Iterable[int]] = [queue] * workers if queue is not None else [rest[k::workers] for k in range(workers)]
    jobs_ = [partial(_run, work, roots, indices) for indices in shares]
    children = [_fork(job) for job in jobs_[1:]]
    try:
        # between its roots, this process takes in what the workers have sent so far
        jobs_[0](results.__setitem__, lambda: _drain(children))
        for child in children:
            results.update((child.collect() if child is not None else None) or {})
        for i in rest:  # what a worker that could not be started, died or failed took: done here
            if i not in results:
                results[i] = work(roots[i])
    finally:
        for child in children:
            if child is not None:
                child.reap()
        if queue is not None:
            queue.close()
    return [results[i] for i in range(len(roots))]


class _Queue:
    """The roots still to do, shared by this process and its workers: a pipe holding each root's
    index as four bytes, written whole before the workers start. A read of four bytes takes one
    index, and no other process gets it (a pipe's reads do not interleave); an empty pipe is the
    end of the work. So each process takes the next root when it is free, and none waits at the
    end for one that drew the slow roots."""

    RECORD = 4
    LIMIT = 16 * 1024
    """At most this many indices: they must fit in the pipe before any is read (64 KiB)."""

    def __init__(self, read: int) -> None:
        self.read = read

    @classmethod
    def of(cls, indices: Sequence[int]) -> _Queue | None:
        """A queue holding `indices`; None when there are too many or no pipe can be made."""
        if len(indices) > cls.LIMIT:
            return None
        try:
            read, write = os.pipe()
        except OSError:
            return None
        data = b"".join(i.to_bytes(cls.RECORD, "little") for i in indices)
        try:
            os.set_blocking(write, False)  # a pipe smaller than the data (a user over the kernel's
            written = os.write(write, data) if data else 0  # quota of pipe pages) gives a short write, no wait
        except OSError:
            written = -1
        finally:
            os.close(write)  # the end of the data: an empty read, once every index is taken
        if written != len(data):
            os.close(read)
            return None
        return cls(read)

    def close(self) -> None:
        try:
            os.close(self.read)
        except OSError:
            pass

    def __iter__(self) -> Iterator[int]:
        """The indices this process takes, one when it asks for the next, until the queue is empty."""
        while True:
            try:
                record = os.read(self.read, self.RECORD)
            except OSError:
                return
            if len(record) != self.RECORD:
                return
            yield int.from_bytes(record, "little")


Send = Callable[[int, Any], None]


def _run(work: Callable[[T], R], roots: Sequence[T], indices: Iterable[int], send: Send,
         between: Callable[[], None] = lambda: None) -> None:
    """`work` on each root of `indices` (the queue, or a share), each result sent with the root's
    index as it is made."""
    for i in indices:
        send(i, work(roots[i]))
        between()


def in_workers(work: Callable[[T], R], items: Sequence[T], workers: int) -> list[R] | None:
    """[work(x) for x in items] in `workers` forked processes, while this one only takes in their
    results, each as it comes: for work so long (the parse of a large file) that a worker would
    wait for this process to read its results if this one did some of the work too.

    None when a worker cannot be started, or fails or dies before all is done: the caller then
    does the work itself. The workers share no lock with this process (a pipe of indices to take,
    a pipe each for the results), so nothing of theirs can keep it waiting: when it is
    interrupted or fails, they are killed, and it goes on at once.
    """
    import select

    queue = _Queue.of(range(len(items)))
    if queue is None:
        return None
    children: list[_Child] = []
    try:
        for _ in range(workers):
            child = _fork(partial(_run, work, items, queue), framed=True)
            if child is None:
                return None
            children.append(child)
        results: dict[int, Any] = {}
        sending = {child.pipe: child for child in children}
        while sending:
            ready, _, _ = select.select(list(sending), [], [])
            for pipe in ready:
                child = sending[pipe]
                more = child.drain()
                child.frames(results)
                if not more:
                    del sending[pipe]
                    child.close()
        clean = [child.exited_cleanly() for child in children]
        if not all(clean) or len(results) != len(items):
            return None
        return [results[i] for i in range(len(items))]
    finally:
        queue.close()
        for child in children:
            child.reap()


def _drain(children: list[_Child | None]) -> None:
    for child in children:
        if child is not None:
            child.drain()


class _Child:
    """A forked worker: its pid, the read end of the pipe its results come through, and what it
    has sent so far."""

    def __init__(self, pid: int, pipe: int) -> None:
        self.pid, self.pipe, self.waited, self.closed = pid, pipe, False, False
        self.received = bytearray()
        os.set_blocking(pipe, False)

    def close(self) -> None:
        """The pipe closed, once (its number may be another file's afterwards)."""
        if not self.closed:
            self.closed = True
            try:
                os.close(self.pipe)
            except OSError:
                pass

    def drain(self) -> bool:
        """Take in what the worker has sent, without waiting: it sends each result as it is made,
        and would wait for room in the pipe if nobody read it. False at the end of its data."""
        try:
            while chunk := os.read(self.pipe, 1 << 16):
                self.received += chunk
            return False  # the worker has closed its end: it is done, or dead
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            return False

    def frames(self, into: dict[int, Any]) -> None:
        """The results whole in what was taken in so far (sent `framed`), unpickled into `into`."""
        data, at = self.received, 0
        while len(data) - at >= _FRAME:
            size = int.from_bytes(data[at:at + _FRAME], "little")
            if len(data) - at - _FRAME < size:
                break
            i, result = pickle.loads(data[at + _FRAME:at + _FRAME + size])  # our own worker's, never a file's
            into[i] = result
            at += _FRAME + size
        del data[:at]

    def exited_cleanly(self) -> bool:
        """Waits for the worker: True when it ended as it does after its last result."""
        try:
            _, status = os.waitpid(self.pid, 0)
        except OSError:
            return False
        finally:
            self.waited = True
        return os.waitstatus_to_exitcode(status) == 0

    def collect(self) -> dict[int, Any] | None:
        """Every result the worker sent whole (all of them when it finished; those before the
        end when it died); None when it sent none."""
        try:
            os.set_blocking(self.pipe, True)
            self.closed = True  # by the file object, whatever happens below
            with os.fdopen(self.pipe, "rb") as pipe:
                self.received += pipe.read()
            os.waitpid(self.pid, 0)
        except OSError:
            return None
        finally:
            self.waited = True
        # one pickle per result, written by one Pickler (an object shared by several results,
        # a span, an address, is sent once): read back by one Unpickler, in order
        unpickler = pickle.Unpickler(io.BytesIO(bytes(self.received)))
        done: dict[int, Any] = {}
        while True:
            try:
                i, result = unpickler.load()  # our own worker's, never from a file
            except Exception:  # the end of the data, or a result cut short by the worker's death
                break
            done[i] = result
        return done or None

    def reap(self) -> None:
        """A worker not collected (the run failed or was interrupted) goes first."""
        if not self.waited:
            for step in (lambda: os.kill(self.pid, signal.SIGKILL), lambda: os.waitpid(self.pid, 0)):
                try:
                    step()
                except OSError:
                    pass
            self.waited = True
        self.close()


def _fork(job: Callable[[Send], object], framed: bool = False) -> _Child | None:
    """Run `job` in a forked process that sends each of its results back pickled through a pipe
    (`job` calls the function it is given with each); None if no process could be started.

    `framed`: each result pickled on its own, after its length (eight bytes), so that this process
    can take in each one as it comes; otherwise one Pickler for all of them (`_Child.collect`)."""
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
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)

        def send(i: int, result: Any) -> None:
            if framed:
                body = pickle.dumps((i, result), protocol=pickle.HIGHEST_PROTOCOL)
                buffer.write(len(body).to_bytes(_FRAME, "little"))
                buffer.write(body)
            else:
                pickler.dump((i, result))
            data = memoryview(buffer.getvalue())
            buffer.seek(0)
            buffer.truncate()
            while data:
                data = data[os.write(write, data):]

        job(send)
        code = 0
    finally:
        os._exit(code)
