"""Paths as Mermaid flowcharts in the Markdown report: drawn, capped, escaped, and really rendered."""
from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT
from helpers import lint_paths

from vpcep_lint.api import InputInfo, Report
from vpcep_lint.model import Span
from vpcep_lint.paths import Step
from vpcep_lint.registry import discover
from vpcep_lint.report import markdown, mermaid
from vpcep_lint.rule import Finding, Severity

EXAMPLE = FIXTURES / "examples" / "broken-endpoint"
BLOCK = re.compile(r"^```mermaid\n(.*?)^```$", re.S | re.M)


def _markdown(target: Path, cwd: Path) -> str:
    return markdown.render(lint_paths([str(target)], cwd=str(cwd)))


def test_the_example_report_draws_each_broken_path_with_its_failing_edge_marked() -> None:
    md = _markdown(EXAMPLE, EXAMPLE)
    charts = BLOCK.findall(md)
    assert len(charts) == 2 and "#### Paths" in md
    sg = charts[0]
    assert sg.startswith("flowchart TD\n")
    assert 's0["<b>endpoint</b><br/>huaweicloud_vpcep_endpoint.orders<br/>main.tf:116"]' in sg
    [failing] = [line for line in sg.splitlines() if "--x" in line]
    assert failing.strip() == 's3 --x|"tcp/8080 from 198.19.128.0/17 denied"| s4'
    assert "linkStyle 3 stroke:#d1242f" in sg and "class s4 blocked" in sg
    assert md.index("**VPCEP001**") < md.index(charts[0]) < md.index("**VPCEP002**") < md.index(charts[1])


def test_steps_after_the_stop_are_dotted() -> None:
    case = FIXTURES / "VPCEP005" / "bad" / "no-routes"
    charts = BLOCK.findall(_markdown(case, case))
    assert charts
    for chart in charts:  # vpc --x peering -.-> peer vpc
        assert re.search(r"s0 --x\|\"no route to huaweicloud_vpc\.\w+ \(", chart)
        assert "s1 -.-> s2" in chart


HOSTILE = 'a"b]c`d\n```\n</div><script>x</script> #quot; |x| --> end; %%{init}%% & é'


def _finding(n: int, rule: str = "VPCEP001", address: str = "huaweicloud_vpc.a") -> Finding:
    path = (Step("endpoint", address, "m", Span("main.tf", 1)),
            Step("deciding entry", address + "_rule", "no rule admits " + address, Span("main.tf", 2), blocked=address))
    return Finding(rule_id=rule, severity=Severity.ERROR, message=f"m{n}", address=address,
                   span=Span("main.tf", n + 1), source="infra", path=path)


def test_everything_from_the_inputs_is_escaped_inside_the_labels() -> None:
    chart = "\n".join(mermaid.flowchart(_finding(0, address=HOSTILE)))
    body = chart.split("\n", 1)[1].rsplit("\n", 1)[0]  # without the fence lines
    assert "```" not in body and "<script" not in body and "</div" not in body and "%%" not in body
    for line in body.splitlines():
        for quoted in re.findall(r'"([^"]*)"', line):  # every label is one quoted string
            assert re.fullmatch(r"(<b>|</b>|<br/>|#\d+;|[A-Za-z0-9 .,:/_()\-+=])*", quoted), quoted
    assert "#34;" in body and "#96;" in body and "#10;" in body  # ", `, and the line break as codes
    assert mermaid.label("x" * 200) == "x" * (mermaid.MAX_LABEL - 1) + "#8230;"  # cut, with an ellipsis


def test_diagrams_are_capped_per_rule_and_per_input_and_the_rest_counted() -> None:
    findings = [_finding(n, "VPCEP001") for n in range(5)] + [_finding(n, "VPCEP002") for n in range(5, 10)]
    findings += [_finding(n, "VPCEP003") for n in range(10, 12)]
    report = Report(inputs=[InputInfo("infra", "hcl", 3, 1)], findings=findings, rules=discover()[0])
    md = markdown.render(report)
    assert len(BLOCK.findall(md)) == markdown.MAX_DIAGRAMS == 6
    assert md.count("**VPCEP001**") == 3 and md.count("**VPCEP002**") == 3 and "**VPCEP003**" not in md
    assert "… and 6 more paths not drawn here" in md


def test_a_finding_without_a_path_draws_nothing() -> None:
    f = Finding(rule_id="VPCEP001", severity=Severity.ERROR, message="m", address="a", source="infra")
    assert mermaid.flowchart(f) == []
    md = markdown.render(Report(inputs=[InputInfo("infra", "hcl", 1, 1)], findings=[f], rules=discover()[0]))
    assert "mermaid" not in md and "#### Paths" not in md


# -- rendered for real ----------------------------------------------------------------------------

def _cases() -> list[Path]:
    dirs = [d for d in sorted(FIXTURES.glob("VPCEP*/*/*")) if d.is_dir()]
    for name in ("examples", "layout", "workflow", "model"):
        dirs += [d for d in sorted((FIXTURES / name).glob("*")) if d.is_dir()]
    return dirs


def _mmdc() -> str:
    found = os.environ.get("VPCEP_LINT_MMDC") or str(ROOT / ".ci-node" / "node_modules" / ".bin" / "mmdc")
    if not os.access(found, os.X_OK):
        pytest.fail("no Mermaid CLI: run tools/install_mermaid.sh (npm, and Debian's chromium), or set VPCEP_LINT_MMDC")
    return found


LABEL = re.compile(r'"[^"]*"')


def representative(charts: dict[str, str]) -> dict[str, str]:
    """Of `charts` (chart: where it comes from), one of each structure (the chart with its labels
    emptied: nodes, edges, styles) and, within a structure, as few more as use every character its
    labels use. Labels hold only escaped text (test_everything_from_the_inputs_is_escaped_inside_the_labels),
    so what else differs between charts cannot change how Mermaid parses them."""
    chosen: dict[str, str] = {}
    by_structure: dict[str, list[str]] = {}
    for chart in charts:
        by_structure.setdefault(LABEL.sub('""', chart), []).append(chart)
    for _, group in sorted(by_structure.items()):
        missing = set("".join(LABEL.findall("".join(group))))
        while missing:
            best = max(group, key=lambda c: (len(missing & set("".join(LABEL.findall(c)))), -len(c)))
            chosen[best] = charts[best]
            missing -= set("".join(LABEL.findall(best)))
    return chosen


def test_the_representative_charts_hold_every_structure_and_every_label_character() -> None:
    charts = {
        's0["a"] --> s1["b"]\n': "one", 's0["a"] --> s1["c"]\n': "two", 's0["a"] --> s1["b"]\nlinkStyle 0 x\n': "three",
        's0["a#34;"] --> s1["b"]\n': "four",
    }
    picked = representative(charts)
    assert set(picked.values()) == {"four", "two", "three"}  # "one" adds neither a structure nor a character


@pytest.mark.slow
def test_every_fixture_report_renders_with_the_mermaid_cli(tmp_path: Path) -> None:
    """mmdc (Mermaid's own parser and renderer, in Debian's Chromium) draws the charts of every
    fixture's Markdown report, HCL and plan form (a representative of each structure and label
    character: 101 distinct charts come down to about 20), and the chart of the hostile labels;
    one syntax error fails."""
    mmdc = _mmdc()
    charts: dict[str, str] = {}
    for case in _cases():
        for target in (case, case / "plan.json"):
            if target.exists():
                for chart in BLOCK.findall(_markdown(target, case)):
                    charts.setdefault(chart, str(target.relative_to(FIXTURES)))
    assert len(charts) > 50
    charts = representative(charts)
    [hostile] = BLOCK.findall("\n".join(mermaid.flowchart(_finding(0, address=HOSTILE))) + "\n")
    charts[hostile] = "hostile labels"
    assert len(charts) > 10
    doc = tmp_path / "all.md"
    doc.write_text("".join(f"{where}\n\n```mermaid\n{chart}```\n\n" for chart, where in charts.items()))
    config = tmp_path / "puppeteer.json"
    config.write_text(json.dumps({"executablePath": "/usr/bin/chromium", "args": ["--no-sandbox", "--disable-gpu"]}))
    done = subprocess.run([mmdc, "-p", str(config), "-i", str(doc), "-o", str(tmp_path / "out.md"), "-q"],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    svgs = sorted(tmp_path.glob("out-*.svg"))
    assert len(svgs) == len(charts)
    assert all("Syntax error" not in s.read_text() for s in svgs)
