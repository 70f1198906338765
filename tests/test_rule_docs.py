"""A built-in rule's documentation has one source, its page docs/rules/<id>.md.

`--explain` prints that page and SARIF carries it (both through `Rule.doc()`, which reads the copy
installed with the package); the rule module's docstring only points at it. The tests below fail
when the page and the code disagree on what they both state (id, title, severity), when the
installed copy is not the page, when a module docstring grows documentation of its own again, and
when an example on a page is not linted as the page says.
"""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import rules

from vpcep_lint import settings
from vpcep_lint.api import Options, lint

DOCS = ROOT / "docs" / "rules"
BLOCK = re.compile(r"^```hcl (bad|good)\n(.*?)^```", re.S | re.M)
RULES = rules()
IDS = [r.id for r in RULES]


def examples() -> list[object]:
    out = []
    for cls in RULES:
        page = DOCS / f"{cls.id}.md"
        if not page.exists():
            continue
        for i, (verdict, body) in enumerate(BLOCK.findall(page.read_text())):
            out.append(pytest.param(cls.id, verdict, body, id=f"{cls.id}-{verdict}-{i}"))
    return out


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in text.split("\n\n") if p.strip()]


def test_the_built_in_rules_include_the_input_and_suppression_rules() -> None:
    assert IDS == sorted(IDS)
    assert IDS[0] == "VPCEP000" and IDS[-1] == "VPCEP900" and len(IDS) == 10
    assert sorted(p.stem for p in DOCS.glob("*.md")) == IDS  # no page without its rule


@pytest.mark.parametrize("cls", RULES, ids=IDS)
def test_page_states_the_rule_id_title_and_severity_of_the_code(cls: type) -> None:
    page = DOCS / f"{cls.id}.md"
    assert page.exists(), f"docs/rules/{cls.id}.md is missing"
    first, summary, severity, *rest = paragraphs(page.read_text(encoding="utf-8"))
    assert first == f"# {cls.id}: {cls.title}"
    assert not summary.startswith("#") and len(summary) <= 1024  # SARIF's fullDescription
    assert severity.startswith(f"Severity: {cls.severity.value}"), severity
    verdicts = [v for v, _ in BLOCK.findall(page.read_text())]
    assert "bad" in verdicts and "good" in verdicts
    assert "## How to fix" in rest


@pytest.mark.parametrize("cls", RULES, ids=IDS)
def test_explain_and_sarif_read_the_page_itself(cls: type) -> None:
    """`Rule.doc()` is the installed copy of the page: the two cannot drift apart."""
    assert cls.doc() == (DOCS / f"{cls.id}.md").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("cls", RULES, ids=IDS)
def test_module_docstring_points_at_the_page_and_documents_nothing_else(cls: type) -> None:
    source = Path(inspect.getfile(cls)).read_text(encoding="utf-8")
    doc = ast.get_docstring(ast.parse(source)) or ""
    assert doc.startswith(f"{cls.id}: ") and f"docs/rules/{cls.id}.md" in doc
    assert len(doc.splitlines()) <= 4, "the rule's documentation belongs on its page"


@pytest.mark.parametrize("rule_id,verdict,body", examples())
def test_doc_example_is_linted_as_documented(tmp_path: Path, rule_id: str, verdict: str, body: str) -> None:
    """Every rule runs, suppressions are judged as the CLI does; only `rule_id`'s findings count."""
    (tmp_path / "main.tf").write_text(body)
    report = lint([str(tmp_path)], Options(rules=RULES, cwd=str(tmp_path)))
    settings.apply_after(report, settings.Config(), {})
    hits = [f for f in report.findings if f.rule_id == rule_id and f.suppressed is None]
    if rule_id != "VPCEP000" or verdict == "good":
        assert not report.errors, [str(e) for e in report.errors]
    if verdict == "bad":
        assert hits, f"the bad example of {rule_id} gives no finding"
    else:
        assert not hits, [f.message for f in hits]
