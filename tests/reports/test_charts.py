"""Server-side SVG charts (reports/charts.py): what the dashboard draws."""

from __future__ import annotations

import re

from reports.charts import bar_chart, line_chart

LONG = "第三十一条第（一）项至第（四）项"


def _axis_labels(svg: str) -> list[str]:
    """The category labels under the plot: text elements placed on the label line, without hover titles."""
    texts = re.findall(r'<text class="axis" x="[^"]+" y="(\d+)" text-anchor="middle">(.*?)</text>', svg)
    return [re.sub(r"<title>.*?</title>", "", body) for _y, body in texts]


def test_a_long_label_is_cut_to_its_slot_and_kept_whole_for_hovering():
    labels = [LONG, "第三十二条", "第三十三条", "第三十四条", "第三十五条"]
    svg = str(bar_chart("各条款处罚案件", labels, {"案件": [1, 1, 0, 1, 1]}))
    shown = _axis_labels(svg)
    assert shown[1:] == labels[1:]  # short labels as they are
    assert shown[0].endswith("…") and LONG.startswith(shown[0][:-1]) and len(shown[0]) < len(LONG)
    assert f"<title>{LONG}</title>" in svg
    assert LONG in svg.split("<desc", 1)[1].split("</desc>", 1)[0]  # screen readers get the whole label


def test_labels_that_fit_are_never_cut():
    months = [str(m) for m in range(1, 13)]
    svg = str(line_chart("每月新备案", months, {"新备案": list(range(12))}))
    assert _axis_labels(svg) == months and "…" not in svg
