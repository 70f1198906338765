"""What a user can expect per MB of `.tf`: time, CPU and peak memory of one large file.

    python benchmarks/large.py                      # one file of 1, 2, 4 and 8 MB (a few minutes)
    python benchmarks/large.py --sizes 1,4 --repeat 1
    python benchmarks/large.py --lint "python -m vpcep_lint.cli"   # another build of the linter

Each size is one `main.tf` holding the stacks of `generate.py` (the same resources, references and
locals as the benchmark estate), linted cold (`--no-cache`) with the parse workers (every core)
and on one core (`taskset -c 0`, parsed in-process), then warm (a filled cache). The table goes
to stdout; `--json FILE` keeps the measurements. Peak RSS is that of the largest single process
(the linter or one of its workers).
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

from run import BASE_ENV, OUT, child_env, run_once  # noqa: E402

STACKS_PER_MB = 312  # 1000 stacks are 3.2 MB of .tf


def one_file(size_mb: float, seed: int) -> str:
    """A directory with one main.tf of about `size_mb` MB (generated once, kept in benchmarks/out)."""
    stacks = max(1, int(size_mb * STACKS_PER_MB))
    target = os.path.join(OUT, f"one-file-{stacks}")
    main_tf = os.path.join(target, "main.tf")
    if os.path.exists(main_tf):
        return target
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        import generate

        generate.generate(stacks, tmp, seed, generate.DEFAULT_EXISTING, False)
        os.makedirs(target, exist_ok=True)
        with open(main_tf, "w", encoding="utf-8") as out:
            for name in sorted(os.listdir(os.path.join(tmp, "hcl"))):
                with open(os.path.join(tmp, "hcl", name), encoding="utf-8") as fh:
                    out.write(fh.read())
                    out.write("\n")
    return target


def measure(cmd: list[str], env: dict[str, str], repeat: int) -> dict:
    runs = [run_once(cmd, env, ok=(0, 1)) for _ in range(repeat)]
    return {"wall": statistics.median(r[0] for r in runs), "cpu": statistics.median(r[1] or 0 for r in runs),
            "rss_mib": max((r[2] or 0) for r in runs) / 1024, "runs": len(runs)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1,2,4,8", help="MB of .tf, comma-separated")
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lint", help="the vpcep-lint command (default: next to this interpreter, else on PATH)")
    parser.add_argument("--json", help="write the measurements here")
    parser.add_argument("--keep-env", action="store_true")
    args = parser.parse_args(argv)
    child_env(args.keep_env)
    os.makedirs(OUT, exist_ok=True)
    default = os.path.join(os.path.dirname(sys.executable), "vpcep-lint")
    installed = default if os.path.exists(default) else shutil.which("vpcep-lint") or "vpcep-lint"
    lint = shlex.split(args.lint) if args.lint else [installed]
    taskset = shutil.which("taskset")
    rows = []
    for size in [float(s) for s in args.sizes.split(",")]:
        d = one_file(size, args.seed)
        mb = os.path.getsize(os.path.join(d, "main.tf")) / 1e6
        cache = tempfile.mkdtemp(dir=OUT, prefix="cache-")
        try:
            cold = measure([*lint, d, "--no-cache", "-f", "json"], {}, args.repeat)
            one = measure([taskset, "-c", "0", *lint, d, "--no-cache", "-f", "json"], {}, args.repeat) \
                if taskset else None
            measure([*lint, d, "-f", "json"], {"VPCEP_LINT_CACHE_DIR": cache}, 1)  # fill
            warm = measure([*lint, d, "-f", "json"], {"VPCEP_LINT_CACHE_DIR": cache}, args.repeat)
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        rows.append({"mb": mb, "cold": cold, "one_core": one, "warm": warm})
        print(f"{mb:.1f} MB: cold {cold['wall']:.1f} s ({cold['cpu']:.1f} CPU s, {cold['rss_mib']:.0f} MiB)"
              + (f", one core {one['wall']:.1f} s ({one['rss_mib']:.0f} MiB)" if one else "")
              + f", warm {warm['wall']:.1f} s ({warm['rss_mib']:.0f} MiB)", file=sys.stderr)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    print(render(rows, load))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            env = {k: BASE_ENV.get(k) for k in ("PYTHONPATH",)}
            json.dump({"rows": rows, "load": load, "lint": lint, "env": env}, fh, indent=2)
    return 0


def render(rows: list[dict], load: float | None) -> str:
    out = ["| .tf in one file | cold, every core: s / CPU s / peak MiB | cold, one core: s / peak MiB "
           "| warm: s / peak MiB | per MB cold (CPU s) |",
           "|---|---|---|---|---|"]
    for r in rows:
        c, o, w = r["cold"], r["one_core"], r["warm"]
        out.append(f"| {r['mb']:.1f} MB | {c['wall']:.1f} / {c['cpu']:.1f} / {c['rss_mib']:.0f} | "
                   + (f"{o['wall']:.1f} / {o['rss_mib']:.0f}" if o else "—")
                   + f" | {w['wall']:.1f} / {w['rss_mib']:.0f} | {c['cpu'] / r['mb']:.1f} |")
    if load is not None:
        out.append(f"\nLoad average at the end: {load:.2f}.")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
