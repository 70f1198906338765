"""python-hcl2's LALR parser, built once per installation and kept in vpcep-lint's cache directory.

python-hcl2 builds its parser from `hcl2.lark` (about 1.3 s of CPU) and asks lark to keep the
result as a pickle in its own package folder. Where that folder is read-only (a container image,
a system install) every run pays for the build again; and a pickle is code, so it may only be
loaded from a place as trusted as the package itself.

This module builds the same parser (same grammar, options and post-lexer) and keeps lark's own
serialized form of it as JSON in our cache directory (the checks of `cache.CacheDir`: ours,
private, regular files, size cap). Loading it runs no code from the file: the data are strings,
numbers, arrays and objects, and lark rebuilds from them only its own grammar classes (rules,
terminals, parse tables). It is keyed by the digest of the grammar text and the lark and
python-hcl2 versions; anything that does not decode exactly is rebuilt and rewritten. Without a
usable cache directory the parser is built in memory, as python-hcl2 would without its cache.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import Any

_FORMAT = 2
_LIMIT = 32 * 1024 * 1024


def _grammar_path() -> str:
    return os.path.join(_package_dir(), "hcl2.lark")


def _options() -> dict[str, Any]:
    return {"parser": "lalr", "propagate_positions": True, "postlex": _post_lexer()()}


# Of python-hcl2, only its grammar file and its post-lexer are used. Importing the package runs
# its `__init__`, which imports all of its API (the deserializer, the transformer and its rules,
# the formatter, pathlib...): about 45 ms of every run that parses a file. So the package's folder
# is found without importing it, and the post-lexer's module (which imports only `typing` and
# lark) is run from its file under a name of our own; any other shape of the package is imported
# the usual way.

def _package_dir() -> str:
    spec = importlib.util.find_spec("hcl2")  # the package's folder, without running its `__init__`
    locations = list(spec.submodule_search_locations or ()) if spec is not None else []
    if not locations:
        raise ImportError("python-hcl2 is not installed as a package folder")
    return str(locations[0])


_POST_LEXER_MODULE = "vpcep_lint.loaders._hcl2_postlexer"


@cache
def _post_lexer() -> type:
    """python-hcl2's `PostLexer` class."""
    if "hcl2" not in sys.modules:
        try:
            path = os.path.join(_package_dir(), "postlexer.py")
            spec = importlib.util.spec_from_file_location(_POST_LEXER_MODULE, path)
            if spec is not None and spec.loader is not None:
                module = importlib.util.module_from_spec(spec)
                sys.modules[_POST_LEXER_MODULE] = module  # kept: its classes pickle by this name
                try:
                    spec.loader.exec_module(module)  # the installed package's own file, not an input
                except BaseException:
                    del sys.modules[_POST_LEXER_MODULE]
                    raise
                found = getattr(module, "PostLexer", None)
                if isinstance(found, type):
                    return found
        except Exception:  # noqa: BLE001 - another layout of python-hcl2 (a relative import, a zip, a
            pass  # post-lexer that needs the package): imported as usual below, as it was before
    from hcl2.postlexer import PostLexer

    return PostLexer


@cache
def parser() -> Any:
    """The Lark parser python-hcl2 uses, from our cache when it holds a good copy."""
    from ..loaders.cache import CacheDir, configured_dir

    with open(_grammar_path(), encoding="utf-8") as fh:  # part of the installed package, not an input
        grammar = fh.read()
    opened = CacheDir.open(configured_dir())
    if isinstance(opened, str):
        return build(grammar)
    try:
        name = f"lark-{_key(grammar)}.json"
        found = opened.read(name, _LIMIT)
        if found is not None:
            loaded = load(found[0])
            if loaded is not None:
                return loaded
        built = build(grammar)
        data = dump(built)
        if data is not None:
            opened.write(name, data)
        return built
    finally:
        opened.close()


def build(grammar: str) -> Any:
    from lark import Lark

    return Lark(grammar, **_options())


def _key(grammar: str) -> str:
    from ..loaders.cache import _version

    digest = hashlib.sha256()
    for part in (str(_FORMAT), _version("lark"), _version("python-hcl2"), grammar):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def dump(lark_parser: Any) -> bytes | None:
    """lark's own serialization of the parser (its plain-data form), as JSON that keeps tuples and int keys."""
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    try:
        data, memo = lark_parser.memo_serialize([TerminalDef, Rule])
        data["options"] = {k: v for k, v in data["options"].items() if k != "postlex"}
        rows = _flat_states(data["parser"]["parser"].pop("states"))
        doc = _enc({"data": data, "memo": memo})
        doc["data"]["parser"]["parser"]["states"] = {_STATES: rows}
        return json.dumps(doc, separators=(",", ":")).encode("ascii")
    except (TypeError, ValueError, KeyError, AttributeError, RecursionError):
        return None


def load(raw: bytes) -> Any:
    """The parser from `dump`'s output, or None when the data are not exactly that."""
    from lark import Lark

    try:
        doc = json.loads(raw, object_hook=_hook)
        if not isinstance(doc, dict) or set(doc) != {"data", "memo"}:
            return None
        data = doc["data"]
        table = data["parser"]["parser"]
        table["states"] = _Rows(_table_rows(table["states"]))
        options = data.get("options") if isinstance(data, dict) else None
        if not isinstance(options, dict) or options.get("parser") != "lalr" or "postlex" in options:
            return None
        if any(options.get(k) for k in _NO_CODE_OPTIONS):
            return None  # these name code (classes, callbacks, plugins) or another regex engine
        with _table_from_rows():
            return Lark._load_from_dict(  # type: ignore[no-untyped-call]  # lark's loader has no annotations
                data, doc["memo"], postlex=_options()["postlex"])
    except Exception:  # noqa: BLE001 - whatever is wrong with the data, build the parser instead
        return None


_NO_CODE_OPTIONS = ("tree_class", "transformer", "lexer_callbacks", "edit_terminals", "_plugins", "regex", "use_bytes")


# The LALR table is four fifths of the data: state -> {token: (0, next state) | (1, {"@": rule})}.
# It is kept as one flat row of integers per state, [state, token, kind, number, token, kind,
# number...], which JSON reads without building an object per action.
_STATES = "\0s"


def _flat_states(states: dict[int, dict[int, tuple[int, Any]]]) -> list[list[int]]:
    rows = []
    for state, actions in states.items():
        row = [state]
        for token, (kind, arg) in actions.items():
            number = arg["@"] if kind == 1 else arg
            if type(state) is not int or type(token) is not int or type(number) is not int or kind not in (0, 1):
                raise TypeError("not a table lark makes")  # dump gives None: the parser is built each run
            row += (token, kind, number)
        rows.append(row)
    return rows


def _table_rows(encoded: Any) -> list[list[int]]:
    """The table's rows; ValueError unless every row is whole and every number an int."""
    if not isinstance(encoded, dict) or set(encoded) != {_STATES} or not isinstance(encoded[_STATES], list):
        raise ValueError("not an encoded table")
    rows: list[list[int]] = encoded[_STATES]
    for row in rows:
        if type(row) is not list or len(row) % 3 != 1 or set(map(type, row)) != {int}:
            raise ValueError("not a row of the table")
        if not set(row[2::3]) <= {0, 1}:
            raise ValueError("not an action")
    return rows


class _Rows(list):  # type: ignore[type-arg]
    """The rows of a kept table, on their way to `_table_from_rows`."""


@contextmanager
def _table_from_rows() -> Iterator[None]:
    """While lark loads a kept parser, its LALR table is made straight from our rows.

    lark's own `deserialize` turns each of the table's 20,000 actions into a rule through its
    generic object loader (about 45 ms, and converting the rows into its input form 20 ms more);
    here each action is made once, with the same objects (`Shift`, or `Reduce` and the rule lark
    read into its memo). Any other table lark loads meanwhile is left to its own `deserialize`.
    """
    from lark.grammar import Rule
    from lark.parsers import lalr_parser
    from lark.parsers.lalr_analysis import IntParseTable, Reduce, Shift

    class RowTable(IntParseTable):
        @classmethod
        def deserialize(cls, data: dict[str, Any], memo: dict[int, Any]) -> Any:
            rows = data["states"]
            if not isinstance(rows, _Rows):
                return super().deserialize(data, memo)  # type: ignore[no-untyped-call]  # lark has no annotations
            tokens, states = data["tokens"], {}
            for row in rows:
                actions = {}
                for token, kind, number in zip(row[1::3], row[2::3], row[3::3], strict=True):
                    if kind == 0:
                        actions[tokens[token]] = (Shift, number)
                    else:
                        rule = memo[number]
                        if type(rule) is not Rule:
                            raise ValueError("an action reduces by something that is not a rule")
                        actions[tokens[token]] = (Reduce, rule)
                states[row[0]] = actions
            return cls(states, data["start_states"], data["end_states"])

    names = vars(lalr_parser)  # the name `LALR_Parser.deserialize` makes its table with
    saved = names["IntParseTable"]
    names["IntParseTable"] = RowTable
    try:
        yield
    finally:
        names["IntParseTable"] = saved


# JSON cannot tell a tuple from a list, nor hold an integer key: an object with one key that no
# data has says which it was: {"\u0000t": [...]} a tuple, {"\u0000d": [[key, value]...]} a dict
# whose keys are not all strings. Everything else is itself.
_TUPLE, _DICT = "\0t", "\0d"


def _enc(v: Any) -> Any:
    if v is None or isinstance(v, (str, bool, int, float)):
        return v
    if isinstance(v, list):
        return [_enc(x) for x in v]
    if isinstance(v, tuple):
        return {_TUPLE: [_enc(x) for x in v]}
    if isinstance(v, dict):
        if all(isinstance(k, str) and not k.startswith("\0") for k in v):
            return {k: _enc(x) for k, x in v.items()}
        return {_DICT: [[_enc(k), _enc(x)] for k, x in v.items()]}
    raise TypeError(f"cannot keep {type(v).__name__}")


def _hook(obj: dict[str, Any]) -> Any:
    if len(obj) == 1:
        if _TUPLE in obj:
            items = obj[_TUPLE]
            if not isinstance(items, list):
                raise ValueError("not an encoded tuple")
            return tuple(items)
        if _DICT in obj:
            out = {}
            for pair in obj[_DICT]:
                if not isinstance(pair, list) or len(pair) != 2 or isinstance(pair[0], (list, dict)):
                    raise ValueError("not an encoded pair")
                out[pair[0]] = pair[1]
            return out
        if _STATES in obj:
            return obj  # the table's rows: _table_states reads them
    for k in obj:
        if k.startswith("\0"):
            raise ValueError("not an encoded value")
    return obj
