"""The grammar kept in the cache directory: its LALR table as rows of integers, read back into the
same parser, and refused (the grammar is built again) when a row is not exactly one."""
from __future__ import annotations

import json
import os
import sys
from typing import Any

import pytest

from vpcep_lint.loaders import grammar

TF = 'resource "huaweicloud_vpcep_endpoint" "e" {\n  service_id = var.s\n  ports = [80, 443]\n}\n'


@pytest.fixture(scope="module")
def kept() -> dict[str, Any]:
    data = grammar.dump(grammar.build(open(grammar._grammar_path(), encoding="utf-8").read()))
    assert data is not None
    return json.loads(data)  # type: ignore[no-any-return]


def rows(doc: dict[str, Any]) -> list[list[int]]:
    return doc["data"]["parser"]["parser"]["states"]["\0s"]  # type: ignore[no-any-return]


def test_the_table_is_kept_as_rows_and_reads_back_into_a_parser_that_parses_the_same(kept: dict[str, Any]) -> None:
    assert rows(kept) and all(len(r) % 3 == 1 for r in rows(kept))
    loaded = grammar.load(json.dumps(kept).encode())
    built = grammar.build(open(grammar._grammar_path(), encoding="utf-8").read())
    assert loaded is not None
    assert loaded.parse(TF) == built.parse(TF)


@pytest.mark.parametrize("damage", [
    lambda r: r[0].append(1),  # a row cut short
    lambda r: r[0].__setitem__(2, 2),  # an action that is neither shift nor reduce
    lambda r: r[0].__setitem__(3, "1"),  # a number that is a string
    lambda r: r[0].__setitem__(3, True),  # a number that is a boolean
    lambda r: r.append("row"),  # a row that is not a list
])
def test_a_damaged_table_is_refused(kept: dict[str, Any], damage: Any) -> None:
    doc = json.loads(json.dumps(kept))
    damage(rows(doc))
    assert grammar.load(json.dumps(doc).encode()) is None


def test_a_table_in_the_previous_form_is_refused(kept: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(kept))
    doc["data"]["parser"]["parser"]["states"] = {"\0d": [[0, {"\0d": [[0, {"\0t": [0, 1]}]]}]]}
    assert grammar.load(json.dumps(doc).encode()) is None


def _lark_own_load(doc: dict[str, Any]) -> Any:
    """The same kept data loaded by lark's own table loader: the rows turned back into its input
    form, {state: {token: (0, next state) | (1, {"@": rule})}}."""
    from lark import Lark

    data = json.loads(json.dumps(doc["data"]), object_hook=grammar._hook)
    table = data["parser"]["parser"]
    table["states"] = {
        row[0]: {t: (k, n if k == 0 else {"@": n}) for t, k, n in zip(row[1::3], row[2::3], row[3::3], strict=True)}
        for row in table["states"]["\0s"]
    }
    memo = json.loads(json.dumps(doc["memo"]), object_hook=grammar._hook)
    return Lark._load_from_dict(data, memo, postlex=grammar._options()["postlex"])


def _table(parser: Any) -> dict[int, dict[str, tuple[str, Any]]]:
    states = parser.parser.parser.parser.parse_table.states
    return {s: {t: (type(a).__name__ if not isinstance(a, str) else a, str(arg)) for t, (a, arg) in acts.items()}
            for s, acts in states.items()}


def test_the_table_made_from_the_rows_is_the_one_lark_loads_itself(kept: dict[str, Any]) -> None:
    ours, theirs = grammar.load(json.dumps(kept).encode()), _lark_own_load(kept)
    assert ours is not None
    ours_states = ours.parser.parser.parser.parse_table.states
    assert _table(ours) == _table(theirs) and len(ours_states) > 500
    # every reduce names one of the parser's own rules, as lark's loader gives it
    rules = {id(r) for r in ours.rules}
    assert all(id(arg) in rules for acts in ours_states.values() for a, arg in acts.values() if not isinstance(arg, int))
    assert ours.parse(TF) == theirs.parse(TF)


def test_a_reduce_by_a_rule_the_data_do_not_hold_is_refused(kept: dict[str, Any]) -> None:
    doc = json.loads(json.dumps(kept))
    row = next(r for r in rows(doc) if 1 in r[2::3])
    reduce_at = 2 + 3 * next(j for j, kind in enumerate(row[2::3]) if kind == 1)
    row[reduce_at + 1] = 10**6  # no such rule in the memo
    assert grammar.load(json.dumps(doc).encode()) is None


def test_lark_loads_other_tables_its_own_way_while_ours_loads(kept: dict[str, Any]) -> None:
    theirs = _lark_own_load(kept)  # lark's form of the table, outside the row loader: unchanged
    with grammar._table_from_rows():
        again = _lark_own_load(kept)
    assert _table(again) == _table(theirs)
    from lark.parsers import lalr_parser
    from lark.parsers.lalr_analysis import IntParseTable

    assert lalr_parser.IntParseTable is IntParseTable  # put back after the load



def test_the_post_lexer_is_python_hcl2s_own_and_its_stream_the_same() -> None:
    import hcl2.postlexer
    from lark import Token

    ours = grammar._post_lexer()
    assert ours.__name__ == "PostLexer" and ours.__module__ == "vpcep_lint.loaders._hcl2_postlexer"
    assert os.path.samefile(sys.modules[ours.__module__].__file__ or "", hcl2.postlexer.__file__ or "")
    stream = [Token("NAME", "a"), Token("NL_OR_COMMENT", "\n"), Token("DOUBLE_AMP", "&&"), Token("NAME", "b")]
    assert [(t.type, str(t)) for t in ours().process(iter(stream))] == \
        [(t.type, str(t)) for t in hcl2.postlexer.PostLexer().process(iter(stream))]


@pytest.mark.parametrize("layout", ["no folder", "a post-lexer that needs its package"])
def test_without_python_hcl2s_folder_layout_its_post_lexer_is_imported_as_usual(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Any, layout: str) -> None:
    def no_folder() -> str:
        raise ImportError("a zipped install")

    (tmp_path / "postlexer.py").write_text("from .tokens import OPERATORS\n\nclass PostLexer:\n    pass\n")
    monkeypatch.setattr(grammar, "_package_dir", no_folder if layout == "no folder" else lambda: str(tmp_path))
    for name in [m for m in sys.modules if m == "hcl2" or m.startswith("hcl2.") or m == grammar._POST_LEXER_MODULE]:
        monkeypatch.delitem(sys.modules, name)  # put back after the test
    grammar._post_lexer.cache_clear()
    try:
        found = grammar._post_lexer()
        import hcl2.postlexer

        assert found is hcl2.postlexer.PostLexer
        assert grammar._POST_LEXER_MODULE not in sys.modules  # a module that failed is not left behind
    finally:
        grammar._post_lexer.cache_clear()
