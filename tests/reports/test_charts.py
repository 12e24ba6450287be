"""Server-side SVG charts (reports/charts.py): what the dashboard draws."""

from __future__ import annotations

from bs4 import BeautifulSoup

from reports.charts import bar_chart, line_chart

LONG = "第三十一条第（一）项至第（四）项"


def _axis_labels(svg: str) -> list[str]:
    """The category labels under the plot: centred axis texts, without their hover titles."""
    doc = BeautifulSoup(svg, "xml")
    return ["".join(text.find_all(string=True, recursive=False))
            for text in doc.find_all("text", class_="axis", attrs={"text-anchor": "middle"})]


def test_a_long_label_is_cut_to_its_slot_and_kept_whole_for_hovering():
    labels = [LONG, "第三十二条", "第三十三条", "第三十四条", "第三十五条"]
    svg = str(bar_chart("各条款处罚案件", labels, {"案件": [1, 1, 0, 1, 1]}))
    shown = _axis_labels(svg)
    assert shown[1:] == labels[1:]  # short labels as they are
    assert shown[0].endswith("…") and LONG.startswith(shown[0][:-1]) and len(shown[0]) < len(LONG)
    doc = BeautifulSoup(svg, "xml")
    assert LONG in [title.get_text() for title in doc.find_all("title")]  # the whole label on hovering
    assert LONG in doc.find("desc").get_text()  # screen readers get the whole label


def test_labels_that_fit_are_never_cut():
    months = [str(m) for m in range(1, 13)]
    svg = str(line_chart("每月新备案", months, {"新备案": list(range(12))}))
    assert _axis_labels(svg) == months and "…" not in svg
