#!/usr/bin/env python3
"""Profile one vpcep-lint run and print where the time goes.

    python benchmarks/profile.py [--top 25] [--rate 200] [--subprocesses] -- COMMAND ARGS...
    python benchmarks/profile.py --gc -- vpcep-lint ARGS...     time spent in the garbage collector
    python benchmarks/profile.py --no-gc -- vpcep-lint ARGS...  the same run with gc disabled
    python benchmarks/profile.py --rusage -- vpcep-lint ARGS... CPU of the main process and of its
                                                                  workers: what runs on a second core

With py-spy (`pip install py-spy` anywhere; found on PATH, next to this interpreter, or via
--py-spy) it samples the real process (and, with --subprocesses, its parse workers) without
slowing it down; otherwise it falls back to cProfile, which inflates call-heavy code.
Prints the functions by inclusive and by self time, as a share of all samples, and the
time by top-level phase (the first frame under `lint`/`run` in linter/).

Example:
    python benchmarks/profile.py -- vpcep-lint benchmarks/out/stacks-1000/plan.json --no-cache -f json
"""
from __future__ import annotations

import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile

FRAME_RE = re.compile(r"^(?P<func>.*) \((?P<file>[^():]*):(?P<line>\d+)\)$")


def find_py_spy(explicit: str | None) -> str | None:
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    for cand in (shutil.which("py-spy"), os.path.join(os.path.dirname(sys.executable), "py-spy")):
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


def resolve(exe: str) -> str:
    """A command name: on PATH, else next to this interpreter (vpcep-lint of the same venv)."""
    if os.sep in exe:
        return exe
    beside = os.path.join(os.path.dirname(sys.executable), exe)
    return shutil.which(exe) or (beside if os.access(beside, os.X_OK) else exe)


def short(frame: str, with_line: bool) -> str:
    m = FRAME_RE.match(frame)
    if not m:
        return frame
    return f"{m['func']} ({m['file']}:{m['line']})" if with_line else f"{m['func']} ({m['file']})"


def summarise(stacks: list[tuple[list[str], int]], top: int) -> str:
    total = sum(c for _, c in stacks) or 1
    incl: collections.Counter = collections.Counter()
    self_: collections.Counter = collections.Counter()
    phases: collections.Counter = collections.Counter()
    for frames, count in stacks:
        names = [short(f, False) for f in frames]
        for name in set(names):
            incl[name] += count
        if names:
            self_[short(frames[-1], True)] += count
        # phase: the first frame in linter/ or rules/ below api.lint / cli.run
        phase = "(start-up, imports, other)"
        for k, name in enumerate(names):
            if name.startswith(("lint (linter/api.py", "run (linter/cli.py")) and k + 1 < len(names):
                nxt = names[k + 1]
                if not nxt.startswith("lint (linter/api.py"):
                    phase = nxt
        phases[phase] += count
    out = [f"{total} samples", "", "by phase (first call under api.lint):"]
    for name, c in phases.most_common(top):
        out.append(f"  {100 * c / total:5.1f}%  {name}")
    out += ["", f"top {top} by inclusive time:"]
    for name, c in incl.most_common(top):
        out.append(f"  {100 * c / total:5.1f}%  {name}")
    out += ["", f"top {top} by self time:"]
    for name, c in self_.most_common(top):
        out.append(f"  {100 * c / total:5.1f}%  {name}")
    return "\n".join(out)


def with_py_spy(spy: str, cmd: list[str], rate: int, subprocesses: bool) -> list[tuple[list[str], int]]:
    with tempfile.NamedTemporaryFile(suffix=".txt", delete=False) as tf:
        raw = tf.name
    try:
        args = [spy, "record", "-r", str(rate), "-f", "raw", "-o", raw]
        if subprocesses:
            args.append("--subprocesses")
        subprocess.run(args + ["--", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        stacks = []
        with open(raw) as fh:
            for line in fh:
                line = line.rstrip("\n")
                if not line:
                    continue
                body, _, count = line.rpartition(" ")
                frames = [f for f in body.split(";") if not f.startswith("process ")]
                stacks.append((frames, int(count)))
        return stacks
    finally:
        os.unlink(raw)


def with_cprofile(cmd: list[str], top: int) -> None:
    """cProfile fallback: the usual cumulative and self-time listings."""
    import pstats

    with tempfile.NamedTemporaryFile(suffix=".prof", delete=False) as tf:
        out = tf.name
    exe = resolve(cmd[0])
    subprocess.run([sys.executable, "-m", "cProfile", "-o", out, exe, *cmd[1:]], stdout=subprocess.DEVNULL)
    st = pstats.Stats(out)
    os.unlink(out)
    st.sort_stats("cumulative").print_stats(top)
    st.sort_stats("tottime").print_stats(top)


GC_WRAPPER = r"""
import atexit, gc, os, sys, time
mode = sys.argv.pop(1)
t0, c0 = time.perf_counter(), time.process_time()
st = {"t": 0.0, "n": [0, 0, 0], "s": 0.0}
def cb(phase, info):
    if phase == "start":
        st["s"] = time.perf_counter()
    else:
        st["t"] += time.perf_counter() - st["s"]
        st["n"][info["generation"]] += 1
if mode == "off":
    gc.disable()
else:
    gc.callbacks.append(cb)
main_pid = os.getpid()
def report():
    if os.getpid() != main_pid:
        return
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if mode == "off":
        print(f"gc disabled: {wall:.2f} s wall, {cpu:.2f} s CPU (main process)", file=sys.stderr)
    else:
        print(f"main process: {wall:.2f} s wall, {cpu:.2f} s CPU, of which in the garbage collector "
              f"{st['t']:.2f} s ({100 * st['t'] / max(cpu, 1e-9):.0f}% of CPU); collections per generation "
              f"{st['n']} (forked parse workers not counted: run under taskset -c 0 to parse in-process)",
              file=sys.stderr)
atexit.register(report)
from vpcep_lint.cli import main
sys.argv[0] = "vpcep-lint"
main()
"""


RUSAGE_WRAPPER = r"""
import atexit, os, resource, sys, time
t0 = time.perf_counter()
main_pid = os.getpid()
def report():
    if os.getpid() != main_pid:
        return
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own, workers = me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime
    wall = time.perf_counter() - t0
    print(f"wall {wall:.3f} s; CPU {own + workers:.3f} s: main process {own:.3f} s, worker processes "
          f"{workers:.3f} s ({100 * workers / max(own + workers, 1e-9):.0f}% of the CPU ran outside the main process)",
          file=sys.stderr)
atexit.register(report)
from vpcep_lint.cli import main
sys.argv[0] = "vpcep-lint"
main()
"""


def gc_run(cmd: list[str], mode: str) -> int:
    """Run vpcep-lint's main in this interpreter with gc timed ("on") or disabled ("off")."""
    args = cmd[1:] if os.path.basename(cmd[0]).startswith("vpcep-lint") else cmd
    return subprocess.run([sys.executable, "-c", GC_WRAPPER, mode, *args], stdout=subprocess.DEVNULL).returncode


def rusage_run(cmd: list[str]) -> int:
    """Run vpcep-lint's main in this interpreter; print the CPU of the main process and of its workers."""
    args = cmd[1:] if os.path.basename(cmd[0]).startswith("vpcep-lint") else cmd
    return subprocess.run([sys.executable, "-c", RUSAGE_WRAPPER, *args], stdout=subprocess.DEVNULL).returncode


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--rate", type=int, default=200, help="samples per second (py-spy)")
    ap.add_argument("--subprocesses", action="store_true", help="also sample forked parse workers")
    ap.add_argument("--py-spy", dest="spy")
    ap.add_argument("--gc", action="store_true", help="report the time vpcep-lint spends in the garbage collector")
    ap.add_argument("--no-gc", action="store_true", help="run vpcep-lint with the garbage collector disabled")
    ap.add_argument("--rusage", action="store_true",
                    help="print the CPU time of the main process and of the worker processes it started")
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.cmd[1:] if args.cmd[:1] == ["--"] else args.cmd
    if not cmd:
        ap.error("no command given")
    if args.rusage:
        rusage_run(cmd)
        return 0
    if args.gc or args.no_gc:
        gc_run(cmd, "on" if args.gc else "off")
        return 0
    spy = find_py_spy(args.spy)
    if spy is None:
        print("py-spy not found: using cProfile (call-heavy code looks slower than it is)", file=sys.stderr)
        with_cprofile(cmd, args.top)
        return 0
    exe = resolve(cmd[0])
    cmd = [exe, *cmd[1:]]
    with open(exe, "rb") as fh:
        script = fh.read(2) == b"#!"
    if script and not exe.endswith("python") and "python" not in os.path.basename(exe):
        cmd = [sys.executable, exe, *cmd[1:]]  # py-spy needs the interpreter as the command
    print(summarise(with_py_spy(spy, cmd, args.rate, args.subprocesses), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
