"""The shape of `terraform show -json` output: which kind of document it is, whether it has the
shape the loaders read (the JSON Schemas in `schemas/`), and where a rejected value is."""
from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Any

SUPPORTED_MAJOR = {0, 1}


class PlanError(Exception):
    def __init__(self, message: str, line: int | None = None, at: tuple[str | int, ...] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.at = at
        """The JSON path of the offending value, for `locate`."""


@cache
def _schema(name: str) -> Any:
    """A schema of the `vpcep_lint.schemas` package: read beside this module where the package is
    a folder (importing `importlib.resources` costs more than the reading), else through it."""
    try:
        with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas", name), encoding="utf-8") as fh:
            text = fh.read()
    except OSError:  # pragma: no cover - installed in a zip file
        from importlib import resources

        text = resources.files("vpcep_lint").joinpath("schemas").joinpath(name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def _fast_check(name: str) -> Any:
    from ..schemacheck import compile_schema

    return compile_schema(_schema(name))


def _validator(name: str) -> Any:
    import jsonschema

    return jsonschema.Draft7Validator(_schema(name))


def kind_of(doc: Any) -> str | None:
    """`plan`, `state`, or None when the document is neither."""
    if not isinstance(doc, dict) or "format_version" not in doc:
        return None
    if any(k in doc for k in ("planned_values", "resource_changes", "configuration", "prior_state")):
        return "plan"
    if "values" in doc or set(doc) <= {"format_version", "terraform_version"}:
        return "state"
    return None


def check_shape(doc: Any, kind: str) -> None:
    """Validate the subset of the document the loader reads; raise PlanError naming the place."""
    version = doc.get("format_version")
    if not isinstance(version, str) or not re.fullmatch(r"\d+\.\d+", version):
        raise PlanError(f"format_version {version!r} is not a version string", at=("format_version",))
    major = int(version.split(".")[0])
    if major not in SUPPORTED_MAJOR:
        raise PlanError(f"unsupported format_version {version} (supported: 0.1 to 1.x)", at=("format_version",))
    if getattr(doc, "shape_checked", False):
        return  # decoded by `plan_decode` against the same schema: no second walk
    name = "plan.schema.json" if kind == "plan" else "state.schema.json"
    try:
        valid = _fast_check(name)(doc)
    except RecursionError:
        raise PlanError("nesting too deep") from None
    if not valid:  # jsonschema only to explain a rejection: it is slow on large plans
        import jsonschema

        validator = _validator(name)
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
        at = tuple(error.absolute_path) if error is not None else ()
        where = "/".join(str(p) for p in at) or "(top level)"
        raise PlanError(f"unexpected shape at {where}: {_short(error.message if error else 'invalid')}", at=at)
    if kind == "plan" and "resource_changes" not in doc and "planned_values" not in doc:
        raise PlanError("the plan has neither resource_changes nor planned_values: nothing to lint")


def _short(message: str) -> str:
    """jsonschema quotes the whole offending value; a line on stderr needs only its start."""
    return message if len(message) <= 200 else message[:197] + "..."


_WS = re.compile(r"[ \t\n\r]*")


def _skip(text: str, i: int) -> int:
    """The index of the first non-blank character at or after `i`."""
    m = _WS.match(text, i)
    return m.end() if m else i


def locate(text: str, at: tuple[str | int, ...]) -> tuple[int, int] | None:
    """Line and column of the value at JSON path `at` in the document `text`; None if not found."""
    decoder = json.JSONDecoder()
    i = _skip(text, 0)
    try:
        for key in at:
            if text.startswith("{", i) and isinstance(key, str):
                i = _skip(text, i + 1)
                while not text.startswith("}", i):
                    name, i = json.decoder.scanstring(text, i + 1)  # type: ignore[attr-defined]
                    i = _skip(text, _skip(text, i) + 1)  # past the ':'
                    if name == key:
                        break
                    _, i = decoder.raw_decode(text, i)
                    i = _skip(text, i)
                    if text.startswith(",", i):
                        i = _skip(text, i + 1)
                else:
                    return None
            elif text.startswith("[", i) and isinstance(key, int):
                i = _skip(text, i + 1)
                for _ in range(key):
                    _, i = decoder.raw_decode(text, i)
                    i = _skip(text, _skip(text, i) + 1)  # past the ','
            else:
                return None
    except (ValueError, IndexError, RecursionError):
        return None
    line = text.count("\n", 0, i) + 1
    return line, i - text.rfind("\n", 0, i)
