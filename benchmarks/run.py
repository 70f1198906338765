#!/usr/bin/env python3
"""Time vpcep-lint on synthetic estates against the cost of just reading them.

    python benchmarks/run.py [--sizes 100,1000,5000] [--repeat 5] [--measure-budget 8]
                             [--full] [--markdown FILE] [--json FILE]

Run it with the interpreter of the environment that has vpcep-lint and python-hcl2 installed
(e.g. .venv/bin/python benchmarks/run.py); `vpcep-lint` is taken from next to that
interpreter, else from PATH (`--lint` overrides). See benchmarks/README.md.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "out")
sys.path.insert(0, HERE)

import generate  # noqa: E402

GENERATED = [0.0]  # seconds spent generating estates in this run
TIME_BIN = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None

HCL2_LOAD = r"""
import glob, sys, hcl2
for path in sorted(glob.glob(sys.argv[1] + "/*.tf")):
    with open(path) as fh:
        hcl2.load(fh)
"""
HCL2_TREE = r"""
import glob, sys, hcl2
for path in sorted(glob.glob(sys.argv[1] + "/*.tf")):
    with open(path) as fh:
        hcl2.parses_to_tree(fh.read())
"""
JSON_LOAD = "import json, sys; json.load(open(sys.argv[1]))"


# --------------------------------------------------------------------------------------------
# running and measuring


class Failed(Exception):
    pass


BASE_ENV = dict(os.environ)


def child_env(keep: bool) -> None:
    """Children write and reuse bytecode, as an installed tool does: PYTHONDONTWRITEBYTECODE
    (set in some sandboxes) would make every run compile the editable sources again. The
    bytecode goes to benchmarks/out/pycache, not next to the sources."""
    if keep:
        return
    BASE_ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    BASE_ENV["PYTHONPYCACHEPREFIX"] = os.path.join(OUT, "pycache")
    for var in ("VPCEP_LINT_CACHE_DIR", "NO_COLOR"):
        BASE_ENV.pop(var, None)


def run_once(cmd: list[str], env: dict | None = None, ok=(0,)) -> tuple[float, float | None, int | None]:
    """Wall seconds, CPU seconds (user + system, children included) and peak RSS (KiB, of the
    largest single process) of one run of cmd."""
    full_env = dict(BASE_ENV, **(env or {}))
    if TIME_BIN:
        with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
            start = time.perf_counter()
            proc = subprocess.run([TIME_BIN, "-f", "%M %U %S", "-o", tf.name, *cmd], env=full_env, cwd=OUT,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            wall = time.perf_counter() - start
            lines = [x for x in tf.read().splitlines() if x.strip()]
            try:
                m, u, sy = lines[-1].split()
                rss, cpu = int(m), float(u) + float(sy)
            except (IndexError, ValueError):
                rss, cpu = None, None
        err = proc.stderr
    else:  # per-child rusage through wait4
        start = time.perf_counter()
        child = subprocess.Popen(cmd, env=full_env, cwd=OUT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert child.stderr is not None
        err = child.stderr.read()
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        rss, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
        proc = subprocess.CompletedProcess(cmd, child.returncode, None, err)
    if proc.returncode not in ok:
        raise Failed(f"{' '.join(cmd)} exited {proc.returncode}:\n{err.decode(errors='replace')[-2000:]}")
    return wall, cpu, rss


class Measure:
    def __init__(self, repeat: int, budget: float) -> None:
        self.repeat = repeat
        self.budget = budget

    def __call__(self, cmd, env=None, ok=(0,), repeat=None) -> dict:
        """Run up to `repeat` times, stopping early once `budget` seconds have been spent."""
        times: list[float] = []
        cpus: list[float] = []
        rsss: list[int] = []
        while len(times) < (repeat or self.repeat):
            wall, cpu, rss = run_once(cmd, env, ok)
            times.append(wall)
            if cpu is not None:
                cpus.append(cpu)
            if rss is not None:
                rsss.append(rss)
            if sum(times) >= self.budget:
                break
        return {"median": statistics.median(times), "runs": len(times), "times": times,
                "cpu": statistics.median(cpus) if cpus else None,
                "rss_kib": max(rsss) if rsss else None}


# --------------------------------------------------------------------------------------------
# estates


def estate(n: int, seed: int, existing: float, lean: bool = False) -> dict:
    """Generate (or reuse) OUT/stacks-N (OUT/lean-N with `lean`); returns its info.json plus paths."""
    outdir = os.path.join(OUT, f"{'lean' if lean else 'stacks'}-{n}")
    info_path = os.path.join(outdir, "info.json")
    key = generate.cache_key(seed, existing, lean=lean)
    info = None
    if os.path.exists(info_path):
        with open(info_path) as fh:
            info = json.load(fh)
        if info.get("key") != key or not os.path.exists(os.path.join(outdir, "plan.json")):
            info = None
    if info is None:
        t0 = time.perf_counter()
        print(f"generating {n} stacks in {outdir} ...", file=sys.stderr, flush=True)
        info = generate.generate(n, outdir, seed, existing, lean=lean)
        GENERATED[0] += time.perf_counter() - t0
        print(f"  {info['resources']} resources, plan {info['plan_bytes'] / 1e6:.1f} MB, "
              f"HCL {info['hcl_bytes'] / 1e6:.1f} MB ({time.perf_counter() - t0:.1f} s)", file=sys.stderr)
    info["dir"] = outdir
    info["plan"] = os.path.join(outdir, "plan.json")
    info["hcl"] = os.path.join(outdir, "hcl")
    return info


# --------------------------------------------------------------------------------------------
# report


LABELS = {
    "json_load": "json.load process, s (runs)",
    "plan": "vpcep-lint PLAN --no-cache, s",
    "hcl2_load": "hcl2.load all .tf, s",
    "hcl2_tree": "hcl2.parses_to_tree all .tf, s",
    "hcl_cold": "vpcep-lint HCLDIR --no-cache (cold), s",
    "hcl_fill": "vpcep-lint HCLDIR, empty cache (fills it), s",
    "hcl_warm": "vpcep-lint HCLDIR, warm cache, s",
}


def fmt_s(m: dict | None) -> str:
    if not m:
        return "—"
    if m.get("estimated"):
        return f"~{m['median']:.2f} (est.)"
    return f"{m['median']:.2f} ({m['runs']})"


def fmt_mb(kib) -> str:
    return "—" if kib is None else f"{kib / 1024:.0f}"


def machine() -> dict:
    cpu = ""
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = ""
    try:
        with open("/proc/meminfo") as fh:
            for line in fh:
                if line.startswith("MemTotal"):
                    mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    try:
        from importlib.metadata import version

        hcl2v = version("python-hcl2")
        larkv = version("lark")
        lintv = version("vpcep-lint")
    except Exception:
        hcl2v = larkv = lintv = "?"
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "python_hcl2": hcl2v, "lark": larkv, "vpcep_lint": lintv, "platform": platform.platform(),
            "loadavg_at_start": load}


def check(value, limit, ok_if_le=True):
    if value is None:
        return "n/a"
    return "met" if (value <= limit if ok_if_le else value >= limit) else "NOT MET"


def render(results: dict) -> str:
    sizes = results["sizes"]
    rows = results["rows"]
    L: list[str] = []
    head = "| | " + " | ".join(f"{n} stacks" for n in sizes) + " |"
    L += [head, "|---|" + "---|" * len(sizes)]

    def line(label, cells):
        L.append(f"| {label} | " + " | ".join(cells) + " |")

    line("resources", [str(rows[n]["info"]["resources"]) for n in sizes])
    line("  of which existing (no-op)", [str(rows[n]["info"]["existing_resources"]) for n in sizes])
    line("plan.json MB", [f"{rows[n]['info']['plan_bytes'] / 1e6:.1f}" for n in sizes])
    line(".tf files / MB", [f"{rows[n]['info']['hcl_files']} / {rows[n]['info']['hcl_bytes'] / 1e6:.1f}"
                            for n in sizes])
    for key, label in LABELS.items():
        line(label, [fmt_s(rows[n].get(key)) for n in sizes])
    for key, label in (("plan", "CPU s (user+sys, workers included) vpcep-lint PLAN"),
                       ("hcl_cold", "CPU s vpcep-lint HCL cold"), ("hcl_warm", "CPU s vpcep-lint HCL warm")):
        line(label, ["—" if (rows[n].get(key) or {}).get("cpu") is None else f"{rows[n][key]['cpu']:.2f}"
                     for n in sizes])
    for key, label in (
        ("json_load", "peak RSS json.load, MB"),
        ("plan", "peak RSS vpcep-lint PLAN, MB"),
        ("hcl2_load", "peak RSS hcl2.load, MB"),
        ("hcl_cold", "peak RSS vpcep-lint HCL cold, MB"),
        ("hcl_warm", "peak RSS vpcep-lint HCL warm, MB"),
    ):
        line(label, [fmt_mb((rows[n].get(key) or {}).get("rss_kib")) for n in sizes])
    L.append("")
    L.append(f"Start-up `vpcep-lint --version`: {fmt_s(results['version'])} s, "
             f"peak RSS {fmt_mb(results['version']['rss_kib'])} MB. "
             f"One stack ({results['one_stack_resources']} resources) `vpcep-lint DIR --no-cache`: "
             f"{fmt_s(results['one_stack'])} s, peak RSS {fmt_mb(results['one_stack']['rss_kib'])} MB. "
             "Times are medians in seconds; (n) = number of runs.")
    L.append("")
    L.append("| target | limit | " + " | ".join(f"{n}" for n in sizes) + " | verdict |")
    L.append("|---|---|" + "---|" * len(sizes) + "---|")
    for t in results["targets"]:
        cells = [("—" if v is None else f"{v:.{t.get('digits', 2)}f}" + (" ~" if n in t.get("estimated", ()) else ""))
                 for n, v in zip(sizes, t["values"], strict=True)]
        if "cells" in t:
            cells = [t["cells"].get(n, "—") for n in sizes]
        L.append(f"| {t['name']} | {t['limit']} | " + " | ".join(cells) + f" | {t['verdict']} |")
    if results["notes"]:
        L.append("")
        for note in results["notes"]:
            L.append(f"* {note}")
    return "\n".join(L) + "\n"


def targets(results: dict) -> list[dict]:
    sizes = results["sizes"]
    rows = results["rows"]

    def ratio(n, a, b):
        ra, rb = rows[n].get(a), rows[n].get(b)
        return ra["median"] / rb["median"] if ra and rb else None

    def est(b):
        return [n for n in sizes if (rows[n].get(b) or {}).get("estimated")]

    out = []

    def add(name, limit, values, cmp_limit, estimated=(), digits=2, agg=max):
        out.append({"name": name, "limit": limit, "values": values, "verdict": verdict(sizes, values, cmp_limit),
                    "estimated": list(estimated), "digits": digits})

    add("plan run / json.load process", "≤ 2.0", [ratio(n, "plan", "json_load") for n in sizes], 2.0)
    cold = [ratio(n, "hcl_cold", "hcl2_load") for n in sizes]
    add("HCL cold / hcl2.load process", "≤ 0.7", cold, 0.7, est("hcl2_load"))
    add("HCL cold / hcl2.load (stretch)", "≤ 0.3", cold, 0.3, est("hcl2_load"))
    add("HCL warm / hcl2.load process", "≤ 0.1", [ratio(n, "hcl_warm", "hcl2_load") for n in sizes], 0.1,
        est("hcl2_load"), digits=3)
    add("HCL cold / hcl2.parses_to_tree (info)", "—", [ratio(n, "hcl_cold", "hcl2_tree") for n in sizes],
        float("inf"), est("hcl2_tree"))
    v = results["version"]["median"]
    add("`--version` start-up, s", "≤ 0.15", [v if n == sizes[0] else None for n in sizes], 0.15)
    o = results["one_stack"]["median"]
    add("one stack end to end, s", "≤ 0.4", [o if n == sizes[0] else None for n in sizes], 0.4)
    for key, label in (("plan", "plan run"), ("hcl_cold", "HCL cold"), ("hcl_warm", "HCL warm")):
        vals = []
        for n in sizes:
            m = rows[n].get(key)
            if m and m.get("rss_kib") is not None:
                limit = 3 * rows[n]["info"]["plan_bytes"] / 2**20 + 60
                vals.append((m["rss_kib"] / 1024) / limit)
            else:
                vals.append(None)
        add(f"peak RSS of {label} / (3 × plan MB + 60 MB)", "≤ 1.0", vals, 1.0)
    out += linearity(results, v)
    return out


def verdict(sizes: list[int], values: list, cmp_limit: float) -> str:
    """Whether the values (one per size, None where not measured) are within `cmp_limit`."""
    if cmp_limit == float("inf"):
        return "(information)"
    present = [(n, v) for n, v in zip(sizes, values, strict=True) if v is not None]
    good = [str(n) for n, v in present if v <= cmp_limit]
    bad = [str(n) for n, v in present if v > cmp_limit]
    if not present:
        return "n/a"
    if not bad:
        return "met"
    if not good or len(present) == 1:
        return "NOT MET"
    return f"NOT MET at {', '.join(bad)} stacks (met at {', '.join(good)})"


def linearity(results: dict, v: float) -> list[dict]:
    """The linearity rows: time per resource at the largest size against the smallest."""
    sizes, rows = results["sizes"], results["rows"]
    out = []
    # linearity: net time (minus the --version start-up) per resource, largest vs smallest size;
    # judged on CPU time, which other load on a shared machine disturbs less than wall time
    vcpu = results["version"].get("cpu") or 0.0
    for key, label in (("plan", "plan run"), ("hcl_cold", "HCL cold")):
        have = [n for n in sizes if rows[n].get(key)]
        if len(have) < 2:
            continue
        lo, hi = have[0], have[-1]
        per = {}
        for n in (lo, hi):
            m, res = rows[n][key], rows[n]["info"]["resources"]
            per[n] = ((m["median"] - v) / res * 1e6,
                      None if m.get("cpu") is None else (m["cpu"] - vcpu) / res * 1e6)
        vals = [None] * len(sizes)
        cells = {n: f"{per[n][0]:.0f} / {'—' if per[n][1] is None else f'{per[n][1]:.0f}'}" for n in (lo, hi)}
        use = 1 if per[lo][1] and per[hi][1] else 0
        a_lo, a_hi = per[lo][use], per[hi][use]
        r = a_hi / a_lo if a_lo is not None and a_hi is not None and a_lo > 0 else None
        judged = "n/a" if r is None else f"{'met' if r <= 1.5 else 'NOT MET'} (× {r:.2f} {'CPU' if use else 'wall'})"
        out.append({"name": f"linearity, {label}: µs per resource, wall / CPU, net of start-up ({hi} vs {lo})",
                    "limit": "largest ≤ 1.5 × smallest", "values": vals, "cells": cells,
                    "verdict": judged, "estimated": [], "digits": 0})
    return out


class Schedule:
    """Measurements run against the --deadline: one predicted to end after it is skipped, with a note."""

    def __init__(self, results: dict, args: argparse.Namespace, measure: Measure, t_start: float) -> None:
        self.results, self.args, self.measure, self.t_start = results, args, measure, t_start
        self.deadline = args.deadline

    def predict(self, key: str, n: int) -> float | None:
        """Seconds the measurement `key` at n stacks will take, from the largest smaller size."""
        rows = self.results["rows"]
        for m in sorted((m for m in rows if m < n), reverse=True):
            prev = rows[m].get(key)
            if prev and not prev.get("estimated"):
                one_run = prev["median"] * n / m
                return max(one_run, min(self.args.measure_budget, one_run * self.args.repeat))
        return None

    def step(self, row: dict, key: str, n: int, cmd, env=None, ok=(0,), repeat=None, extra: float = 0.0) -> bool:
        """Measure `cmd` into row[key], unless it is predicted to end after the deadline."""
        guess = self.predict(key, n)
        elapsed = time.perf_counter() - self.t_start
        if guess is not None and elapsed + guess + extra > self.deadline:
            self.results["notes"].append(
                f"Skipped `{LABELS[key].split(',')[0]}` at {n} stacks: predicted {guess + extra:.0f} s would end "
                f"the run after the {self.deadline:g} s deadline (--deadline); it had taken {elapsed:.0f} s so far.")
            return False
        row[key] = self.measure(cmd, env, ok, repeat)
        return True


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="100,1000,5000", help="stack counts (default 100,1000,5000)")
    ap.add_argument("--repeat", type=int, default=5, help="runs per measurement, at most (default 5)")
    ap.add_argument("--measure-budget", type=float, default=8.0,
                    help="stop repeating a measurement once its runs took this many seconds (default 8)")
    ap.add_argument("--baseline-max-stacks", type=int, default=1000,
                    help="above this many stacks, the python-hcl2 baselines are estimated linearly "
                         "from the two largest measured sizes instead of run (default 1000)")
    ap.add_argument("--warm-max-stacks", type=int, default=1000,
                    help="above this many stacks, skip the warm-cache measurement (default 1000)")
    ap.add_argument("--deadline", type=float, default=280.0,
                    help="skip a measurement that is predicted (from the previous size) to end after "
                         "this many seconds since the start (default 280; --full: no deadline)")
    ap.add_argument("--full", action="store_true", help="measure everything at every size (slow)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--existing", type=float, default=generate.DEFAULT_EXISTING)
    ap.add_argument("--lean", action="store_true",
                    help="the issue-16 kind of estate (generate.py --lean; implies --existing 0)")
    ap.add_argument("--lint", help="the vpcep-lint executable")
    ap.add_argument("--keep-env", action="store_true",
                    help="pass PYTHONDONTWRITEBYTECODE/PYTHONPYCACHEPREFIX through unchanged")
    ap.add_argument("--markdown", help="also write the table to this file")
    ap.add_argument("--json", dest="json_out", help="write all measurements to this JSON file "
                    "(default benchmarks/out/results.json)")
    args = ap.parse_args(argv)
    sizes = sorted({int(x) for x in args.sizes.split(",") if x.strip()})
    if args.full:
        args.baseline_max_stacks = args.warm_max_stacks = max(sizes)
        args.deadline = float("inf")
    t_start = time.perf_counter()
    os.makedirs(OUT, exist_ok=True)
    child_env(args.keep_env)

    py = sys.executable
    lint = args.lint or os.path.join(os.path.dirname(py), "vpcep-lint")
    if not os.access(lint, os.X_OK):
        lint = shutil.which("vpcep-lint") or sys.exit("vpcep-lint not found; pass --lint")
    try:
        import hcl2  # noqa: F401  (the baselines need it in this interpreter)
    except ImportError:
        sys.exit(f"{py} cannot import hcl2: run this with the interpreter vpcep-lint is installed in")

    results: dict = {"sizes": sizes, "rows": {}, "notes": [], "machine": machine(), "lint": lint, "python": py,
                     "repeat": args.repeat, "measure_budget": args.measure_budget}
    if args.lean:
        args.existing = 0.0
    infos = {n: estate(n, args.seed, args.existing, args.lean) for n in sizes}
    one = estate(1, args.seed, args.existing, args.lean)
    results["one_stack_resources"] = one["resources"]

    measure = Measure(args.repeat, args.measure_budget)
    ok01 = (0, 1)
    print("start-up ...", file=sys.stderr, flush=True)
    # warm the page cache and compile the bytecode of everything the measured commands import
    run_once([lint, "--version"])
    run_once([lint, one["plan"], "--no-cache", "-f", "json"], ok=ok01)
    run_once([lint, one["hcl"], "--no-cache", "-f", "json"], ok=ok01)
    for script in (JSON_LOAD, HCL2_LOAD, HCL2_TREE):
        run_once([py, "-c", script, one["plan"] if script is JSON_LOAD else one["hcl"]])
    results["version"] = measure([lint, "--version"])
    run_once([lint, one["hcl"], "--no-cache"], ok=ok01)
    results["one_stack"] = measure([lint, one["hcl"], "--no-cache"], ok=ok01)

    schedule = Schedule(results, args, measure, t_start)
    predict, step = schedule.predict, schedule.step

    for n in sizes:
        info = infos[n]
        row: dict = {"info": {k: v for k, v in info.items() if k not in ("dir",)}}
        results["rows"][n] = row
        print(f"{n} stacks ...", file=sys.stderr, flush=True)
        step(row, "json_load", n, [py, "-c", JSON_LOAD, info["plan"]])
        step(row, "plan", n, [lint, info["plan"], "--no-cache", "-f", "json"], ok=ok01)
        if n <= args.baseline_max_stacks:
            step(row, "hcl2_load", n, [py, "-c", HCL2_LOAD, info["hcl"]])
            step(row, "hcl2_tree", n, [py, "-c", HCL2_TREE, info["hcl"]])
        step(row, "hcl_cold", n, [lint, info["hcl"], "--no-cache", "-f", "json"], ok=ok01)
        if n <= args.warm_max_stacks:
            cache = tempfile.mkdtemp(prefix="vpcep-bench-cache-")
            try:
                env = {"VPCEP_LINT_CACHE_DIR": cache}
                cmd = [lint, info["hcl"], "-f", "json"]
                if step(row, "hcl_fill", n, cmd, env, ok01, repeat=1, extra=predict("hcl_warm", n) or 0.0):
                    step(row, "hcl_warm", n, cmd, env, ok01)
            finally:
                shutil.rmtree(cache, ignore_errors=True)
        print(f"  done ({time.perf_counter() - t_start:.0f} s so far)", file=sys.stderr, flush=True)

    estimate_baselines(results)
    finish(results, args, t_start)
    return 0


def estimate_baselines(results: dict) -> None:
    """Rows for the python-hcl2 baselines skipped at large sizes, estimated from the measured ones."""
    sizes = results["sizes"]
    # estimates for the baselines skipped at large sizes: t = a + b * bytes through the two
    # largest measured sizes (the .tf files are alike, 50 stacks each)
    for key in ("hcl2_load", "hcl2_tree"):
        measured = [n for n in sizes if key in results["rows"][n]]
        missing = [n for n in sizes if key not in results["rows"][n]]
        if not missing:
            continue
        if len(measured) >= 2:
            n1, n2 = measured[-2], measured[-1]
            x1, x2 = (results["rows"][m]["info"]["hcl_bytes"] for m in (n1, n2))
            y1, y2 = (results["rows"][m][key]["median"] for m in (n1, n2))
            b = (y2 - y1) / (x2 - x1)
            a = y1 - b * x1
            for n in missing:
                results["rows"][n][key] = {"median": a + b * results["rows"][n]["info"]["hcl_bytes"],
                                           "runs": 0, "times": [], "rss_kib": None, "estimated": True}
            results["notes"].append(
                f"{key.replace('_', '.').replace('hcl2.tree', 'hcl2.parses_to_tree')} at "
                f"{', '.join(map(str, missing))} stacks is not run (it would take minutes) but estimated "
                f"linearly from {n1} and {n2} stacks (~ marks values that use it); --full runs it.")


def finish(results: dict, args: argparse.Namespace, t_start: float) -> None:
    """The closing notes and targets; print the table, write the JSON (and the Markdown)."""
    sizes = results["sizes"]
    skipped_warm = [n for n in sizes if n > args.warm_max_stacks]
    if skipped_warm:
        results["notes"].append(f"The warm-cache run is skipped at {', '.join(map(str, skipped_warm))} stacks "
                                f"to stay within 5 minutes (it needs a cache-filling cold run first); --full runs it.")
    results["notes"].append(
        f"Each measurement runs up to {args.repeat} times but stops once its runs add up to "
        f"{args.measure_budget:g} s (so slow ones run 1-2 times); the number of runs is in parentheses.")
    results["notes"].append("Peak RSS is the largest single process (GNU time %M); the parse workers "
                            "vpcep-lint forks for large modules are not added up.")
    results["targets"] = targets(results)
    results["elapsed_s"] = time.perf_counter() - t_start
    results["notes"].append(f"Whole run: {results['elapsed_s']:.0f} s"
                            + (f", of which {GENERATED[0]:.1f} s generating estates (cached in benchmarks/out/ "
                               "for the next run)." if GENERATED[0] else " (estates reused from benchmarks/out/)."))
    text = render(results)
    print(text)
    json_out = args.json_out or os.path.join(OUT, "results.json")
    with open(json_out, "w") as fh:
        json.dump(results, fh, indent=2, default=str)
    if args.markdown:
        with open(args.markdown, "w") as fh:
            fh.write(text)


if __name__ == "__main__":
    sys.exit(main())
