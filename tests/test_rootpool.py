"""The roots of a repository dealt over the cores (`rootpool.map_roots`), and what one run
remembers about the file system (`roots.git_top`)."""
from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from helpers import alive, child_pids

from vpcep_lint.loaders.sources import forget_real_paths
from vpcep_lint.rootpool import in_workers, map_roots
from vpcep_lint.roots import git_top

SEEN: list[int] = []
"""What the roots linted so far in a process have read (as a module's parse is kept for the run)."""


def _work(root: int) -> tuple[int, int, tuple[int, ...]]:
    SEEN.append(root)
    if root:
        time.sleep(0.05)  # a root's work: long enough for a worker to start and take some
    return root * 10, os.getpid(), tuple(SEEN)


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_the_workers_inherit_what_the_first_root_read_and_the_results_keep_the_roots_order() -> None:
    SEEN.clear()
    roots = list(range(8))
    results = map_roots(_work, roots, jobs=2)
    assert [r[0] for r in results] == [r * 10 for r in roots]  # the order of `roots`, as a loop gives
    here = os.getpid()
    mine = [r for r in results if r[1] == here]
    theirs = [r for r in results if r[1] != here]
    assert mine and theirs  # both cores used
    first = mine[0][2][0]
    # the first root was linted here before the worker started: what it read (a module edited since
    # the last run, the grammar) the worker has already, and does not read again
    assert all(r[2][0] == first for r in theirs)
    assert first not in {r[0] // 10 for r in theirs}
    SEEN.clear()


PARENT = os.getpid()


def _dies_in_a_worker(root: int) -> tuple[int, int]:
    if root == 5 and os.getpid() != PARENT:
        os._exit(1)  # the worker dies after taking root 5: what it took is done here
    time.sleep(0.02)
    return root * 10, os.getpid()


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_the_roots_a_dead_worker_took_are_done_here() -> None:
    results = map_roots(_dies_in_a_worker, list(range(12)), jobs=2)
    assert [r[0] for r in results] == [r * 10 for r in range(12)]
    assert results[5][1] == PARENT


def _one_slow(root: int) -> tuple[int, int]:
    time.sleep(0.6 if root == 1 else 0.02)
    return root, os.getpid()


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_a_process_that_draws_a_slow_root_leaves_the_rest_to_the_others() -> None:
    """The roots are taken one at a time: while one process is on the slow root, the other takes
    the rest, instead of each doing a fixed half."""
    results = map_roots(_one_slow, list(range(12)), jobs=2)
    assert [r[0] for r in results] == list(range(12))
    slow = results[1][1]
    assert sum(1 for _, pid in results if pid == slow) <= 3  # a fixed half would have been 6


def test_one_root_or_one_core_runs_in_this_process() -> None:
    SEEN.clear()
    results = map_roots(_work, [3, 4, 5, 6], jobs=1)
    assert [r[0] for r in results] == [30, 40, 50, 60]
    assert {r[1] for r in results} == {os.getpid()}
    SEEN.clear()


def _large(item: int) -> tuple[int, int, bytes]:
    return item, os.getpid(), bytes([item]) * (1 << 20)  # larger than a pipe holds: sent in many reads


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_work_in_workers_comes_back_whole_and_in_order_from_the_workers_only() -> None:
    results = in_workers(_large, list(range(9)), 2)
    assert results is not None
    assert [(r[0], r[2]) for r in results] == [(i, bytes([i]) * (1 << 20)) for i in range(9)]
    assert PARENT not in {r[1] for r in results} and len({r[1] for r in results}) == 2


def _dies(item: int) -> int:
    if item == 3:
        os._exit(1)
    return item


def _fails(item: int) -> int:
    if item == 3:
        raise ValueError("a bug in the work")
    return item


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
@pytest.mark.parametrize("work", [_dies, _fails], ids=["a worker dies", "a worker fails"])
def test_work_in_workers_is_none_when_a_worker_dies_or_fails_and_no_worker_is_left(work: Any) -> None:
    before = set(child_pids(os.getpid()))
    assert in_workers(work, list(range(8)), 2) is None
    assert set(child_pids(os.getpid())) <= before  # every worker waited for: none left, not even a zombie


_INTERRUPTED = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)  # as at a terminal (see test_security's _PREPARSE)
from vpcep_lint.rootpool import in_workers
def work(item):
    return b"x" * (4 << 20)
print("ready", flush=True)
in_workers(work, list(range(10000)), 2)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_interrupting_work_in_workers_ends_it_at_once_and_kills_the_workers() -> None:
    """The workers stream results larger than a pipe holds; a Ctrl-C in the middle ends the
    process at once, its workers gone with it."""
    proc = subprocess.Popen([sys.executable, "-c", _INTERRUPTED], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
        workers: list[int] = []
        start = time.monotonic()
        while len(workers) < 2 and time.monotonic() - start < 60:
            workers = child_pids(proc.pid)
            time.sleep(0.05)
        assert len(workers) == 2, "no workers started"
        time.sleep(0.5)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == -signal.SIGINT
        assert not [w for w in workers if alive(w)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _slow(item: int) -> int:
    time.sleep(30)
    return item


@pytest.mark.skipif(sys.platform != "linux", reason="the workers are forked")
def test_a_process_that_goes_on_after_an_interrupt_is_left_with_no_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """An embedder that catches the KeyboardInterrupt lives on: the workers are killed and waited
    for, not left to finish their work (30 s each here)."""
    from vpcep_lint import rootpool

    def interrupted(self: Any, into: dict[int, Any]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(rootpool._Child, "frames", interrupted)
    monkeypatch.setattr(rootpool._Child, "drain", lambda self: True)
    monkeypatch.setattr(select, "select", lambda r, w, x, *t: (r, [], []))  # the workers' pipes: ready at once
    before = set(child_pids(os.getpid()))
    start = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        in_workers(_slow, list(range(4)), 2)
    assert time.monotonic() - start < 10
    assert set(child_pids(os.getpid())) <= before


def test_the_work_tree_top_is_found_for_every_directory_and_again_in_the_next_run(tmp_path: Path) -> None:
    top = tmp_path / "repo"
    (top / "infra" / "a").mkdir(parents=True)
    (top / "infra" / "b").mkdir()
    sub = top / "vendor" / "sub"
    (sub / "x").mkdir(parents=True)
    forget_real_paths()
    assert git_top(str(top / "infra" / "a")) is None  # no work tree yet
    (top / ".git").mkdir()
    (sub / ".git").write_text("gitdir: ../../.git/modules/sub\n")
    forget_real_paths()  # a new run: what the last one found is forgotten
    real_top, real_sub = os.path.realpath(top), os.path.realpath(sub)
    assert git_top(str(sub / "x")) == real_sub  # a submodule's `.git` file ends the search there
    assert git_top(str(top / "infra" / "a")) == real_top
    assert git_top(str(top / "infra" / "b")) == real_top  # the walk up from `a` answered for `infra`
    assert git_top(str(sub)) == real_sub
    assert git_top(str(top / "vendor")) == real_top
    (top / "infra" / "a" / "main.tf").write_text("")
    assert git_top(str(top / "infra" / "a" / "main.tf")) == real_top  # a file: its directory's
