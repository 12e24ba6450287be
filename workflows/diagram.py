"""A workflow drawn from its declaration: an SVG of the states, the transitions, who fires them and the
time limits, with a record's current state and its path so far highlighted (issue 13 point 6).

Pure: a loaded :class:`workflows.engine.Workflow` in, SVG text out, laid out by the shortest distance of
each state from the initial one (columns) — no JavaScript, no CDN; the page serves it as it is. Every state is
a ``<g class="state" data-state="…">`` and every transition a ``<g class="transition" data-transition="…">``,
so a test (and a screen reader, through each group's ``<title>``) finds each one.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from workflows.definition_schema import StagedTarget, StayTarget
from workflows.engine import Context, Workflow

BOX_W, BOX_H = 150, 54
COL_GAP, ROW_GAP, MARGIN = 190, 30, 30
SVG_NS = "http://www.w3.org/2000/svg"
FONT = "'Noto Sans CJK SC','WenQuanYi Zen Hei','Microsoft YaHei',sans-serif"


def _columns(workflow: Workflow) -> dict[str, int]:
    """Each state's distance from the initial state (unreachable ones after the rest)."""
    level = {workflow.initial: 0}
    frontier = [workflow.initial]
    while frontier:
        following = []
        for state in frontier:
            for t in workflow.transitions.values():
                if state in t.from_:
                    for target in _targets(t):
                        if target not in level:
                            level[target] = level[state] + 1
                            following.append(target)
        frontier = following
    last = max(level.values(), default=0)
    for state in workflow.states:
        level.setdefault(state, last + 1)
    return level


def _targets(t) -> tuple[str, ...]:
    if isinstance(t.to, StayTarget):
        return tuple(t.from_)
    if isinstance(t.to, StagedTarget):
        return tuple(dict.fromkeys((t.to.next_stage, t.to.last_stage)))
    return (t.to,)


def time_limit_text(workflow: Workflow, state: str, ctx: Context | None) -> str | None:
    """时限 10个工作日 / 90日, from the definition or the pack; None where the state has none."""
    try:
        limit = workflow.time_limit(state, ctx)
    except Exception:  # noqa: BLE001 - a pack value the diagram cannot resolve is simply not shown
        return None
    if limit is None:
        return None
    if limit.working_days:
        return f"时限{limit.working_days}个工作日"
    if limit.days:
        return f"时限{limit.days}日"
    return "时限见规则包"


def render_svg(
    workflow: Workflow,
    *,
    role_labels: Mapping[str, str] | None = None,
    ctx: Context | None = None,
    current: str | None = None,
    path: Sequence[tuple[str, str, str]] = (),
    title: str | None = None,
) -> str:
    """The diagram as SVG text. ``path``: (from state, transition, to state) steps the record took, oldest
    first; ``current``: its state now. Both are highlighted (class ``current`` / ``taken``)."""
    role_labels = role_labels or {}
    columns = _columns(workflow)
    by_column: dict[int, list[str]] = {}
    for state in workflow.states:  # declaration order within a column
        by_column.setdefault(columns[state], []).append(state)
    position: dict[str, tuple[float, float]] = {}
    most_loops = max((sum(len(t.from_) for t in workflow.transitions.values() if s in _targets(t) and s in t.from_)
                      for s in workflow.states), default=0)
    top = MARGIN + 40 + 20 * most_loops
    for column, states in by_column.items():
        for row, state in enumerate(states):
            position[state] = (MARGIN + column * (BOX_W + COL_GAP), top + row * (BOX_H + ROW_GAP + 30))
    width = MARGIN * 2 + (max(by_column) + 1) * (BOX_W + COL_GAP) - COL_GAP + 120  # room for loop labels
    height = top + MARGIN + max(len(s) for s in by_column.values()) * (BOX_H + ROW_GAP + 30)
    taken_transitions = {name for _, name, _ in path}
    visited = {state for step in path for state in (step[0], step[2])}

    svg = ET.Element("svg", {
        "xmlns": SVG_NS, "width": str(width), "height": str(height), "viewBox": f"0 0 {width} {height}",
        "role": "img", "class": "workflow-diagram", "data-workflow": workflow.name,
        "font-family": FONT, "font-size": "12",
    })
    ET.SubElement(svg, "title").text = title or f"{workflow.label}流程图"
    defs = ET.SubElement(svg, "defs")
    for marker_id, colour in (("arrow", "#555"), ("arrow-taken", "#b3261e")):
        marker = ET.SubElement(defs, "marker", {"id": marker_id, "viewBox": "0 0 10 10", "refX": "10", "refY": "5",
                                                "markerWidth": "7", "markerHeight": "7", "orient": "auto-start-reverse"})
        ET.SubElement(marker, "path", {"d": "M 0 0 L 10 5 L 0 10 z", "fill": colour})
    ET.SubElement(svg, "text", {"x": str(MARGIN), "y": str(MARGIN), "font-size": "15", "font-weight": "bold"}).text = (
        title or workflow.label)

    edges = ET.SubElement(svg, "g", {"class": "transitions"})
    segments = [(t, source, target) for t in workflow.transitions.values() for source in t.from_
                for target in _targets(t)]
    # Ports: the edges leaving (or entering) a box spread along its side, so no two share an end or a label.
    outgoing: dict[str, list[int]] = {}
    incoming: dict[str, list[int]] = {}
    loops: dict[str, int] = {}
    for i, (_t, source, target) in enumerate(segments):
        if source != target:
            outgoing.setdefault(source, []).append(i)
            incoming.setdefault(target, []).append(i)
    groups: dict[str, Any] = {}
    for i, (t, source, target) in enumerate(segments):
        taken = t.name in taken_transitions
        if t.name not in groups:
            groups[t.name] = group = ET.SubElement(edges, "g", {
                "class": "transition taken" if taken else "transition", "data-transition": t.name,
                "data-from": " ".join(t.from_), "data-to": " ".join(_targets(t)),
            })
            roles = "、".join(role_labels.get(r, r) for r in t.roles)
            ET.SubElement(group, "title").text = f"{t.label}（{roles}）" + ("，须填写意见" if t.comment_required else "")
        group = groups[t.name]
        roles = "、".join(role_labels.get(r, r) for r in t.roles)
        colour, marker = ("#b3261e", "url(#arrow-taken)") if taken else ("#555", "url(#arrow)")
        text = f"{t.label}（{roles}）"
        if source == target:
            loops[source] = loops.get(source, -1) + 1
            _loop(group, position[source], loops[source], colour, marker, text)
        else:
            out, inn = outgoing[source], incoming[target]
            _edge(group, position[source], position[target], (out.index(i) + 1) / (len(out) + 1),
                  (inn.index(i) + 1) / (len(inn) + 1), colour, marker, text)

    _draw_states(svg, workflow, position, ctx, current, visited)
    ET.indent(svg)
    return ET.tostring(svg, encoding="unicode")


def _draw_states(svg, workflow: Workflow, position, ctx: Context | None, current: str | None, visited: set) -> None:
    nodes = ET.SubElement(svg, "g", {"class": "states"})
    for state, spec in workflow.states.items():
        x, y = position[state]
        classes = ["state"]
        if state == current:
            classes.append("current")
        elif state in visited:
            classes.append("visited")
        if spec.final:
            classes.append("final")
        group = ET.SubElement(nodes, "g", {"class": " ".join(classes), "data-state": state})
        limit = time_limit_text(workflow, state, ctx)
        ET.SubElement(group, "title").text = spec.label + (f"（{limit}）" if limit else "") + (
            "，当前所处状态" if state == current else "")
        fill = "#fde7e4" if state == current else "#f3f6fb" if state in visited else "#ffffff"
        ET.SubElement(group, "rect", {
            "x": str(x), "y": str(y), "width": str(BOX_W), "height": str(BOX_H), "rx": "8",
            "fill": fill, "stroke": "#b3261e" if state == current else "#333",
            "stroke-width": "3" if state == current else "2" if spec.final else "1",
        })
        ET.SubElement(group, "text", {"x": str(x + BOX_W / 2), "y": str(y + (22 if limit else 32)),
                                      "text-anchor": "middle", "font-size": "14"}).text = spec.label
        if limit:
            ET.SubElement(group, "text", {"x": str(x + BOX_W / 2), "y": str(y + 42), "text-anchor": "middle",
                                          "font-size": "11", "fill": "#555"}).text = limit


def _loop(group, box, index: int, colour: str, marker: str, label: str) -> None:
    """A transition that stays in (or returns to) its state: an arc over the box, one above the other."""
    x, y = box
    rise = 34 + 20 * index
    cx = x + BOX_W / 2
    d = f"M {cx - 34} {y} C {cx - 44} {y - rise}, {cx + 44} {y - rise}, {cx + 34} {y}"
    ET.SubElement(group, "path", {"d": d, "fill": "none", "stroke": colour, "stroke-width": "1.5",
                                  "marker-end": marker})
    _label(group, cx, y - rise * 0.75 - 2, label, colour)


def _edge(group, source, target, out_at: float, in_at: float, colour: str, marker: str, label: str) -> None:
    """A curve from the source box's side to the target box's, its label a third of the way along."""
    (x1, y1), (x2, y2) = source, target
    forward = x2 > x1
    same_column = x1 == x2
    sy, ty = y1 + BOX_H * out_at, y2 + BOX_H * in_at
    if same_column:  # leave and enter on the right, bending outwards
        sx, tx = x1 + BOX_W, x2 + BOX_W
        c1, c2 = (sx + 60, sy), (tx + 60, ty)
    elif forward:
        sx, tx = x1 + BOX_W, x2
        c1, c2 = (sx + COL_GAP * 0.5, sy), (tx - COL_GAP * 0.5, ty)
    else:  # backwards (a return): below the boxes' middle line, from the left side to the right
        sx, tx = x1, x2 + BOX_W
        c1, c2 = (sx - COL_GAP * 0.5, sy + 20), (tx + COL_GAP * 0.5, ty + 20)
    ET.SubElement(group, "path", {
        "d": f"M {sx} {sy} C {c1[0]} {c1[1]}, {c2[0]} {c2[1]}, {tx} {ty}", "fill": "none", "stroke": colour,
        "stroke-width": "1.5", "marker-end": marker,
    })
    t = 0.2 + 0.6 * (1 - out_at)  # the label's place on the curve: edges leaving one box put theirs apart
    lx = (1 - t) ** 3 * sx + 3 * (1 - t) ** 2 * t * c1[0] + 3 * (1 - t) * t ** 2 * c2[0] + t ** 3 * tx
    ly = (1 - t) ** 3 * sy + 3 * (1 - t) ** 2 * t * c1[1] + 3 * (1 - t) * t ** 2 * c2[1] + t ** 3 * ty
    _label(group, lx, ly - 3, label, colour)


def _label(group, x: float, y: float, text: str, colour: str) -> None:
    ET.SubElement(group, "text", {"x": f"{x:.1f}", "y": f"{y:.1f}", "text-anchor": "middle", "font-size": "10",
                                  "fill": colour, "class": "transition-label", "stroke": "#fff",
                                  "stroke-width": "3", "paint-order": "stroke"}).text = text


def path_from_audit(workflow_name: str, details: Iterable[Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(from, transition, to) of each audit entry of the workflow, oldest first (the audit listener records
    every transition with its from and to)."""
    return [(d["from"], d["transition"], d["to"]) for d in details
            if d.get("workflow") == workflow_name and {"from", "to", "transition"} <= set(d)]
