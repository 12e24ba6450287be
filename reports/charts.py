"""Tiny server-side SVG charts (bars and lines) for the dashboard: no JavaScript, no CDN, works offline.

The SVG carries role="img", a <title> and a <desc>, and the page puts the same figures in a table beside
it, so the chart is a picture of the table rather than the only way to read it. Colours come from classes
(series-0, series-1, ...) styled in style.css; the CSP forbids inline style attributes.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 720, 320
PUNCTUATION = {"zh": ("：", "；", "，"), "en": (": ", "; ", ", ")}
"""Colon, semicolon and comma of the hover titles and the description screen readers speak, by language."""
LEFT, RIGHT, TOP, BOTTOM = 84, 16, 16, 72
FONT = 16
"""The axis text's size in the chart's own units (style.css draws `.axis` at this size). The stylesheet never
draws a chart narrower than MIN_DRAWN px (it scrolls inside its box instead), so the text is drawn at
FONT * MIN_DRAWN / WIDTH = 12 px or more."""
MIN_DRAWN = 540


def _nice_max(value: float) -> float:
    """A round upper bound for the axis (1, 2, 5 × 10^n)."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


def axis_scale(peak: float, integer: bool) -> tuple[float, int]:
    """The axis's top and its number of steps. Counts get whole-number steps (1, 2, 5 × 10^n, at most five
    of them): never 0.25 of a firm. Other figures (money) get four steps up to a round top."""
    if not integer:
        return _nice_max(peak), 4
    peak = max(int(-(-peak // 1)), 1)
    step = 1
    while -(-peak // step) > 5:
        step = next(s * m for m in (1, 10, 100, 1000, 10000, 100000, 1000000) for s in (1, 2, 5) if s * m > step)
    steps = -(-peak // step)
    return steps * step, steps


def _frame(title: str, desc: str, scale: tuple[float, int], body: list[str], labels: Sequence[str],
           legend: Sequence[str], slot: float) -> Markup:
    maximum, steps = scale
    plot_h = HEIGHT - TOP - BOTTOM
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-labelledby="{_id(title)}-t {_id(title)}-d">',
             f'<title id="{_id(title)}-t">{escape(title)}</title><desc id="{_id(title)}-d">{escape(desc)}</desc>']
    for i in range(steps + 1):
        value = maximum * i / steps
        y = TOP + plot_h - plot_h * i / steps
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{_number(value)}</text>')
    parts.extend(body)
    for i, label in enumerate(labels):
        x = LEFT + slot * (i + 0.5)
        text, whole = _fit(str(label), slot), str(label)
        hint = f"<title>{escape(whole)}</title>" if text != whole else ""
        parts.append(f'<text class="axis" x="{x:.1f}" y="{HEIGHT - BOTTOM + FONT + 4}" text-anchor="middle">'
                     f'{hint}{escape(text)}</text>')
    if len(legend) > 1:
        x = LEFT
        for s, name in enumerate(legend):
            parts.append(f'<rect class="series-{s}" x="{x}" y="{HEIGHT - 24}" width="14" height="14"/>'
                         f'<text class="axis" x="{x + 20}" y="{HEIGHT - 11}">{escape(str(name))}</text>')
            x += 32 + sum(FONT if ord(ch) > 0x2E7F else FONT * 0.6 for ch in str(name))
    parts.append("</svg>")
    return Markup("".join(parts))


LABEL_EM = FONT  # units a Chinese character of the axis text takes; Latin letters and digits about half


def _fit(label: str, slot: float) -> str:
    """The label as it fits under its bar group: cut with an ellipsis (the whole label stays in a <title>
    for hovering, and in the table beside the chart), so long provision names do not run into each other."""
    room = slot - 4

    def width(text: str) -> float:
        return sum(LABEL_EM if ord(ch) > 0x2E7F else LABEL_EM / 2 for ch in text)

    if width(label) <= room:
        return label
    while label and width(label + "…") > room:
        label = label[:-1]
    return label + "…"


def _id(title: str) -> str:
    return f"c{zlib.crc32(title.encode()):08x}"


def _describe(labels: Sequence[str], series: dict[str, Sequence[float]], language: str) -> str:
    colon, semicolon, comma = PUNCTUATION.get(language, PUNCTUATION["zh"])
    return semicolon.join(f"{name}{colon}" + comma.join(f"{lab} {_number(v)}" for lab, v in
                                                         zip(labels, vals, strict=True))
                          for name, vals in series.items())


def bar_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *,
              language: str = "zh", integer: bool = True, spoken: Sequence[str] | None = None) -> Markup:
    """Grouped vertical bars: one group per label, one bar per series. ``integer``: the figures are counts
    (whole-number axis steps); pass False for money. ``spoken``: the labels as the description reads them
    where the axis shortens them (months drawn as 1, 2… are read as 1月, 2月…, never "1 0，2 0")."""
    colon = PUNCTUATION.get(language, PUNCTUATION["zh"])[0]
    names = list(series)
    scale = axis_scale(max((max(v, default=0) for v in series.values()), default=0), integer)
    maximum = scale[0]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    bar = slot * 0.8 / max(len(names), 1)
    body = []
    for s, name in enumerate(names):
        for i, value in enumerate(series[name]):
            h = plot_h * float(value) / maximum
            x = LEFT + slot * i + slot * 0.1 + bar * s
            body.append(f'<rect class="series-{s}" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" width="{bar:.1f}" '
                        f'height="{h:.1f}"><title>{escape(str(labels[i]))} {escape(name)}{colon}{_number(value)}'
                        f"</title></rect>")
    return _frame(title, _describe(spoken or labels, series, language), scale, body, labels, names, slot)


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]], *,
               language: str = "zh", integer: bool = True, spoken: Sequence[str] | None = None) -> Markup:
    """Lines with a dot per point, e.g. a count per month (``integer``: whole-number axis steps; ``spoken``
    as for bar_chart)."""
    names = list(series)
    scale = axis_scale(max((max(v, default=0) for v in series.values()), default=0), integer)
    maximum = scale[0]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(labels), 1)
    body = []
    for s, name in enumerate(names):
        points = [(LEFT + slot * (i + 0.5), TOP + plot_h - plot_h * float(v) / maximum)
                  for i, v in enumerate(series[name])]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        body.append(f'<polyline class="line series-{s}" points="{path}"/>')
        body.extend(f'<circle class="series-{s}" cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points)
    return _frame(title, _describe(spoken or labels, series, language), scale, body, labels, names, slot)
