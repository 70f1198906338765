"""A finding's path as a Mermaid flowchart (GitHub renders ```mermaid blocks in Markdown).

One node per step (its role, resource and file:line), an arrow per hop; the hop into the step
where the traffic stops is a red crossed arrow labelled with what is stopped ("tcp/8080 from
198.19.128.0/17 denied"), that step is drawn red, and the steps after it dotted. Several endpoints,
routes or deciding entries in a row are drawn side by side. Everything taken from the inputs is
written as Mermaid entity codes except letters, digits and a few plain punctuation marks, so no
input can end a label, a node, the block or the Markdown fence, or add markup.
"""
from __future__ import annotations

import re

from ..paths import Step
from ..rule import Finding
from .text import PARALLEL

MAX_LABEL = 80
"""Characters of one label line kept before it is cut with an ellipsis."""
_PLAIN = re.compile(r"[A-Za-z0-9 .,:/_()\-+=]")
FAILED = "stroke:#d1242f,stroke-width:3px,color:#d1242f"
AFTER = "stroke:#8c959f,stroke-dasharray:4 4"


def label(value: str, limit: int = MAX_LABEL) -> str:
    """Text for inside a quoted Mermaid label: every character but plain ones as `#code;`."""
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return "".join(c if _PLAIN.fullmatch(c) else f"#{ord(c)};" for c in value)


def _node(n: int, step: Step) -> str:
    where = f"{step.span.file}:{step.span.line}" if step.span is not None else "no file:line"
    parts = [f"<b>{label(step.role)}</b>", label(step.address), label(where)]
    if step.blocked:  # a deciding entry says why ("no rule admits ..."), any other step what stops
        parts.append(label(step.message if step.role == "deciding entry" else step.blocked))
    return f'  s{n}["{"<br/>".join(parts)}"]'


def _layers(path: tuple[Step, ...]) -> list[list[int]]:
    """Step indices in hops: consecutive steps of a parallel role share one hop."""
    layers: list[list[int]] = []
    for n, step in enumerate(path):
        if layers and step.role in PARALLEL and path[layers[-1][-1]].role == step.role:
            layers[-1].append(n)
        else:
            layers.append([n])
    return layers


def flowchart(f: Finding) -> list[str]:
    """The lines of one ```mermaid block for the finding's path; empty when it has none."""
    if not f.path:
        return []
    lines = ["```mermaid", "flowchart TD"]
    lines += [_node(n, s) for n, s in enumerate(f.path)]
    edges: list[str] = []
    styles: list[str] = []
    stopped = False
    layers = _layers(f.path)
    for before, after in zip(layers, layers[1:], strict=False):
        stopped = stopped or any(f.path[i].blocked for i in before)
        for a in before:
            for b in after:
                blocked = f.path[b].blocked
                if blocked and not stopped:
                    edges.append(f'  s{a} --x|"{label(blocked)}"| s{b}')
                    styles.append(f"  linkStyle {len(edges) - 1} {FAILED}")
                elif stopped:
                    edges.append(f"  s{a} -.-> s{b}")
                    styles.append(f"  linkStyle {len(edges) - 1} {AFTER}")
                else:
                    edges.append(f"  s{a} --> s{b}")
    lines += edges + styles
    red = [f"s{n}" for n, s in enumerate(f.path) if s.blocked]
    if red:
        lines += ["  classDef blocked fill:#ffebe9,stroke:#d1242f,stroke-width:2px", f"  class {','.join(red)} blocked"]
    lines.append("```")
    return lines
