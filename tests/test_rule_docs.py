"""Every rule has a page under docs/rules, and the examples on it are themselves linted."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ROOT
from helpers import lint_paths, rules

DOCS = ROOT / "docs" / "rules"
BLOCK = re.compile(r"^```hcl (bad|good)\n(.*?)^```", re.S | re.M)
RULES = rules()


def examples() -> list[object]:
    out = []
    for cls in RULES:
        page = DOCS / f"{cls.id}.md"
        if not page.exists():
            continue
        for i, (verdict, body) in enumerate(BLOCK.findall(page.read_text())):
            out.append(pytest.param(cls.id, verdict, body, id=f"{cls.id}-{verdict}-{i}"))
    return out


@pytest.mark.parametrize("cls", RULES, ids=[r.id for r in RULES])
def test_every_rule_has_a_page_with_bad_and_good_examples(cls: type) -> None:
    page = DOCS / f"{cls.id}.md"
    assert page.exists(), f"docs/rules/{cls.id}.md is missing"
    text = page.read_text()
    assert text.startswith(f"# {cls.id}")
    verdicts = [v for v, _ in BLOCK.findall(text)]
    assert "bad" in verdicts and "good" in verdicts


@pytest.mark.parametrize("cls", RULES, ids=[r.id for r in RULES])
def test_every_rule_documents_itself_for_explain(cls: type) -> None:
    doc = cls.doc()
    assert cls.id in doc.splitlines()[0]
    assert "Fix" in doc or "fix" in doc


@pytest.mark.parametrize("rule_id,verdict,body", examples())
def test_doc_example_is_linted_as_documented(tmp_path: Path, rule_id: str, verdict: str, body: str) -> None:
    (tmp_path / "main.tf").write_text(body)
    report = lint_paths([str(tmp_path)], rule_id, cwd=str(tmp_path))
    assert not report.errors, [str(e) for e in report.errors]
    hits = [f for f in report.findings if f.rule_id == rule_id]
    if verdict == "bad":
        assert hits, f"the bad example of {rule_id} gives no finding"
    else:
        assert not hits, [f.message for f in hits]
