"""Terraform JSON syntax (`.tf.json`, `.tfvars.json`) -> the syntax tree of hcl_tree."""
from __future__ import annotations

import json
from typing import Any

from . import jsontext
from .hcl_syntax import parse_hcl
from .hcl_tree import MAX_DIGITS, MAX_NESTING, Attribute, Block, Expr, HclSyntaxError, ParsedFile, too_deep


def _load_json(text: str) -> Any:
    """A JSON document that holds only what a Terraform value can, else HclSyntaxError at the place."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HclSyntaxError(f"invalid JSON: {exc.msg}", exc.lineno, exc.colno) from None
    except RecursionError:
        raise too_deep() from None
    except ValueError:  # an integer too long to convert
        at = jsontext.long_integer(text)
        where: tuple[int | None, int | None] = jsontext.position(text, at) if at is not None else (None, None)
        raise HclSyntaxError(f"a number of more than {MAX_DIGITS:,} digits", *where, syntax=False) from None
    at = jsontext.lone_surrogate(text)
    if at is not None:
        raise HclSyntaxError(f"invalid escape {text[at:at + 6]}: not a Unicode character (half of a UTF-16 pair)",
                             *jsontext.position(text, at), syntax=False)
    if jsontext.too_deep(data, MAX_NESTING):
        raise too_deep()
    return data


def _json_object(text: str, kind: str) -> tuple[dict[str, Any], Block, _LineFinder]:
    """The file's top-level object, an empty root block spanning its lines, and a finder of names' lines."""
    data = _load_json(text)
    if not isinstance(data, dict):
        raise HclSyntaxError(f"a {kind} file must hold a JSON object", 1, 1)
    lines = text.split("\n")
    return data, Block("", [], 1, 1, len(lines), 1), _LineFinder(lines)


def parse_tf_json(text: str, path: str) -> ParsedFile:
    """Read a `.tf.json` file into the same block structure (positions: the line of each name)."""
    data, root, finder = _json_object(text, ".tf.json")
    labels_for = {"resource": 2, "data": 2, "module": 1, "variable": 1, "output": 1, "provider": 1, "locals": 0,
                  "terraform": 0}
    for btype, content in data.items():
        if btype.startswith("//"):
            continue
        depth = labels_for.get(btype, 0)
        for labels, body in _json_blocks(content, depth):
            line = finder.find(labels[-1] if labels else btype)
            root.blocks.append(_json_body(btype, labels, body, line, finder))
    return ParsedFile(path, root, [])


def _json_blocks(content: Any, depth: int, labels: tuple[str, ...] = ()) -> list[tuple[list[str], Any]]:
    if depth == 0:
        items = content if isinstance(content, list) else [content]
        return [(list(labels), item) for item in items]
    out: list[tuple[list[str], Any]] = []
    if isinstance(content, dict):
        for key, value in content.items():
            out.extend(_json_blocks(value, depth - 1, labels + (key,)))
    elif isinstance(content, list):
        for item in content:
            out.extend(_json_blocks(item, depth, labels))
    return out


def parse_tfvars_json(text: str, path: str) -> ParsedFile:
    """A `.tfvars.json` file: one JSON object whose keys are variables and whose values are literal."""
    data, root, finder = _json_object(text, ".tfvars.json")
    for name, value in data.items():
        line = finder.find(name)
        root.attributes[name] = Attribute(name, ("lit", value), line, 1, line, 1)
    return ParsedFile(path, root, [])


class _LineFinder:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.cursor = 0

    def find(self, name: str) -> int:
        needle = json.dumps(name)
        for i in range(self.cursor, len(self.lines)):
            if needle in self.lines[i]:
                self.cursor = i + 1
                return i + 1
        return 1


_NESTED_BLOCK_NAMES = {
    "network", "port_mapping", "ingress_rules", "egress_rules", "associated_subnets", "ip_list",
    "route", "fixed_ip", "allowed_address_pairs", "port_ranges", "ip_extra_set", "timeouts", "dynamic", "content",
}


def _json_body(btype: str, labels: list[str], body: Any, line: int, finder: _LineFinder) -> Block:
    block = Block(btype, labels, line, 1, line, 1)
    if not isinstance(body, dict):
        return block
    for key, value in body.items():
        if key.startswith("//"):
            continue
        if key in _NESTED_BLOCK_NAMES and btype in ("resource", "dynamic", "") and isinstance(value, (dict, list)):
            items = value if isinstance(value, list) else [value]
            if all(isinstance(i, dict) for i in items):
                if key == "dynamic":
                    for name, inner in value.items() if isinstance(value, dict) else []:
                        block.blocks.append(_json_body("dynamic", [name], inner, line, finder))
                    continue
                for item in items:
                    block.blocks.append(_json_body(key, [], item, line, finder))
                continue
        if key in ("provider", "depends_on") and btype == "resource" and isinstance(value, str):
            block.attributes[key] = Attribute(key, _json_template(value, traversal=True), line, 1, line, 1)
            continue
        block.attributes[key] = Attribute(key, _json_value(value), line, 1, line, 1)
    return block


def _json_value(value: Any) -> Expr:
    if isinstance(value, str):
        return _json_template(value)
    if isinstance(value, list):
        return ("tuple", [_json_value(v) for v in value])
    if isinstance(value, dict):
        return ("object", [(("lit", k), _json_value(v)) for k, v in value.items()])
    return ("lit", value)


def _json_template(text: str, traversal: bool = False) -> Expr:
    if traversal:
        try:
            parsed = parse_hcl(f"x = {text}\n", "<json>")
            return parsed.body.attributes["x"].expr
        except HclSyntaxError:
            return ("lit", text)
    if "${" not in text and "%{" not in text:
        return ("lit", text)
    try:
        escaped = json.dumps(text)
        parsed = parse_hcl(f"x = {escaped}\n", "<json>")
        return parsed.body.attributes["x"].expr
    except HclSyntaxError:
        return ("opaque", "template")
