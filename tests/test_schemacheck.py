"""The fast schema check gives jsonschema's answer on every document, valid or broken."""
from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from vpcep_lint.loaders.plan import _schema
from vpcep_lint.schemacheck import compile_schema

SCHEMAS = ["plan.schema.json", "state.schema.json", "config.schema.json", "report.schema.json"]
DOCS = [json.loads(p.read_text()) for p in sorted(FIXTURES.glob("VPCEP00[1-8]/bad/*/*.json"))[:40]
        if not p.name.startswith("expected")]

junk = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False), st.text(max_size=3),
                 st.just([]), st.just({}), st.just([{}]), st.just({"a": None}))


def paths(doc: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at]
    if isinstance(doc, dict):
        for k, v in doc.items():
            out += paths(v, at + (k,))
    elif isinstance(doc, list):
        for i, v in enumerate(doc[:3]):
            out += paths(v, at + (i,))
    return out


def mutate(doc: Any, path: tuple[Any, ...], value: Any, delete: bool) -> Any:
    doc = copy.deepcopy(doc)
    if not path:
        return value
    parent = doc
    for p in path[:-1]:
        parent = parent[p]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


@pytest.mark.parametrize("name", SCHEMAS)
def test_fixture_documents_agree(name: str) -> None:
    fast = compile_schema(_schema(name))
    slow = jsonschema.Draft7Validator(_schema(name))
    for doc in DOCS:
        assert fast(doc) == slow.is_valid(doc)


@settings(max_examples=400, derandomize=True, deadline=None)
@given(data=st.data(), value=junk, delete=st.booleans(), name=st.sampled_from(SCHEMAS))
def test_mutated_documents_agree(data: st.DataObject, value: Any, delete: bool, name: str) -> None:
    doc = data.draw(st.sampled_from(DOCS))
    path = data.draw(st.sampled_from(paths(doc)))
    broken = mutate(doc, path, value, delete)
    assert compile_schema(_schema(name))(broken) == jsonschema.Draft7Validator(_schema(name)).is_valid(broken)


def test_unsupported_keywords_are_refused_not_ignored() -> None:
    from vpcep_lint.schemacheck import UnsupportedSchema

    with pytest.raises(UnsupportedSchema):
        compile_schema({"type": "object", "anyOf": [{"type": "string"}]})
