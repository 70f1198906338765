"""Record the SARIF fingerprint of every fixture finding: tests/golden/fingerprints.json.

    python tools/record_fingerprints.py            # rewrite the file
    python tools/record_fingerprints.py --check    # exit 1 when a fingerprint differs

A finding's fingerprint (SARIF `partialFingerprints`) is what code scanning matches alerts by
across runs: it must not change when a finding's message, path or location does. Each case is
linted in every form it has, with its own rule (every rule for fixtures/examples).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden" / "fingerprints.json"
FORMS = ("hcl", "plan.json", "state.json", "plan-existing.json")


def record() -> dict[str, list[str]]:
    from vpcep_lint.api import Options, lint
    from vpcep_lint.registry import discover

    found, _ = discover()
    cases = [(d.name, c) for d in sorted((ROOT / "fixtures").glob("VPCEP0[0-9][1-9]")) for c in sorted(d.glob("*/*"))]
    cases += [("", c) for c in sorted((ROOT / "fixtures" / "examples").glob("*"))]
    out: dict[str, list[str]] = {}
    for rule, case in cases:
        if not case.is_dir():
            continue
        rules = [r for r in found if not rule or r.id == rule]
        for form in FORMS:
            target = case if form == "hcl" else case / form
            if not target.exists():
                continue
            report = lint([str(target)], Options(rules=rules, cwd=str(case), use_cache=False))
            name = f"{case.relative_to(ROOT / 'fixtures').as_posix()}:{form}"
            out[name] = sorted(f"{f.rule_id} {f.address} {f.fingerprint}" for f in report.findings)
    return out


def main() -> int:
    got = record()
    if "--check" in sys.argv[1:]:
        want = json.loads(GOLDEN.read_text())
        bad = sorted(k for k in set(got) | set(want) if got.get(k) != want.get(k))
        for k in bad:
            print(f"{k}: {want.get(k)} != {got.get(k)}")
        return 1 if bad else 0
    GOLDEN.write_text(json.dumps(got, indent=1, sort_keys=True) + "\n")
    print(f"{GOLDEN.relative_to(ROOT)}: {len(got)} inputs, {sum(map(len, got.values()))} findings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
