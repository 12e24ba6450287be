"""The admins' audit log (issue 14, point 10): filters by who, what, object and Beijing dates, Chinese labels
from a table, details as fields, pages, and an XLSX export that is itself audited; only admins get it."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook
from sqlalchemy import select

from app import audit
from app.admin import audit_view
from app.extensions import db
from app.models import AuditEntry

ROOT = Path(__file__).resolve().parents[3]


def _soup(response):
    return lxml_html.fromstring(response.get_data(as_text=True))


def _text(node, sep=" "):
    return sep.join(t.strip() for t in node.itertext() if t.strip())


def _rows(soup):
    return [[_text(td) for td in tr.xpath("./td")] for tr in soup.xpath("//table[@class='audit']/tbody/tr")]


def _seed(factory):
    clerk = factory.user("city_clerk", "li")
    other = factory.user("provincial_clerk", "wang")
    audit.record("change_user_role", clerk, actor=other, detail={
        "before": {"role": "city_clerk", "authority": "210100"}, "after": {"role": "provincial_clerk",
                                                                          "authority": "210000"}})
    audit.record("filing.approve", object_type="filing_request", object_id=7, actor=clerk, detail={
        "workflow": "filing", "transition": "approve", "label": "审核通过", "from": "under_review",
        "to": "filed", "from_stage": 0, "to_stage": 0, "comment": "材料齐全",
        "at": "2026-11-30T17:30:00"})
    db.session.commit()
    return clerk, other


@pytest.mark.today("2026-11-30", at="10:00")
def test_labels_and_details_are_readable(login_as, factory):
    _seed(factory)
    client, _ = login_as("admin", username="root")
    soup = _soup(client.get("/admin/audit"))
    rows = {r[3].split(" ")[0]: r for r in _rows(soup)}
    approve = rows["从业单位备案：审核通过"]
    assert approve[2] == "li（市级公安机关工作人员）"
    assert approve[4] == "备案申请 7"
    detail = soup.xpath("//tr[td[@class='action'][starts-with(., '从业单位备案：审核通过')]]//dl")[0]
    fields = dict(zip([_text(d) for d in detail.xpath("./dt")], [_text(d) for d in detail.xpath("./dd")],
                      strict=True))
    assert fields["原状态"] == "审核中" and fields["新状态"] == "已备案" and fields["意见"] == "材料齐全"
    assert fields["时间"] == "2026-12-01 01:30（北京时间）"  # 17:30 UTC the day before
    assert "{" not in _text(detail)  # no raw JSON
    role = rows["修改角色或所属机关"]
    assert role[2] == "wang（省级公安机关工作人员）"
    assert "修改前 角色：市级公安机关工作人员；所属机关：210100" in role[5]
    assert "时间（北京时间）" in [_text(th) for th in soup.xpath("//table[@class='audit']//th")]


def test_every_action_the_code_records_has_a_label():
    """Each literal action name passed to audit.record has a line in audit_labels.yaml (or is a workflow's)."""
    names = set()
    for path in (ROOT / "app").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "record" and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                names.add(node.args[0].value)
    assert names, "found no audit.record calls"
    missing = sorted(n for n in names if audit_view.action_label(n) == n)
    assert not missing


@pytest.mark.today("2026-12-01", at="01:30")
def test_filters_by_who_what_object_and_date(login_as, factory, time_machine):
    time_machine.move_to("2026-11-30T10:00:00+08:00")
    clerk, _ = _seed(factory)
    # Early on 1 December, Beijing time: still 30 November in UTC (the test's pinned moment).
    time_machine.move_to("2026-11-30T17:30:00+00:00")
    audit.record("filing.upload", object_type="filing_request", object_id=8, actor=clerk, detail={"material": "x"})
    db.session.commit()
    client, admin = login_as("admin", username="root")

    def actions(**args):
        soup = _soup(client.get("/admin/audit", query_string=args))
        return [r[3].split(" ")[0] for r in _rows(soup) if len(r) > 1]

    assert sorted(actions(actor="li")) == sorted(["从业单位备案：审核通过", "上传备案材料"])
    assert actions(action="filing.upload") == ["上传备案材料"]
    assert actions(object_type="filing_request", object_id="7") == ["从业单位备案：审核通过"]
    on_first = actions(date_from="2026-12-01", date_to="2026-12-01")
    assert "上传备案材料" in on_first and "从业单位备案：审核通过" not in on_first
    on_30th = actions(date_to="2026-11-30")
    assert "从业单位备案：审核通过" in on_30th and "上传备案材料" not in on_30th
    soup = _soup(client.get("/admin/audit"))
    options = {o.get("value"): _text(o) for o in soup.xpath("//select[@id='action']/option")}
    assert options["filing.upload"] == "上传备案材料" and options["login"] == "登录"
    objects = {o.get("value"): _text(o) for o in soup.xpath("//select[@id='object_type']/option")}
    assert objects["filing_request"] == "备案申请" and objects["user"] == "账号"
    bad = client.get("/admin/audit", query_string={"date_from": "30/11/2026"})
    assert bad.status_code == 400
    assert "起始日期应为" in _text(_soup(bad).xpath("//div[@class='error-summary']")[0])


def test_pages_keep_the_filters(login_as):
    client, admin = login_as("admin", username="root")
    for _n in range(audit_view_page() + 5):
        audit.record("login", admin, actor=admin)
    db.session.commit()
    soup = _soup(client.get("/admin/audit", query_string={"action": "login"}))
    assert len(_rows(soup)) == audit_view_page()
    nxt = soup.xpath("//nav[@class='pager']/a[@rel='next']/@href")[0]
    assert "action=login" in nxt and "page=2" in nxt
    second = _soup(client.get(nxt))
    assert len(_rows(second)) == 6  # the admin's own log-in too
    assert "第 2 页，共 2 页" in _text(second.xpath("//nav[@class='pager']")[0])


def audit_view_page():
    from app.admin.routes import PAGE

    return PAGE


@pytest.mark.today("2026-12-01", at="01:30")
def test_export_of_the_filtered_entries_is_read_back_and_audited(login_as, factory, time_machine):
    time_machine.move_to("2026-11-30T10:00:00+08:00")
    clerk, _ = _seed(factory)
    # Early on 1 December, Beijing time: still 30 November in UTC (the test's pinned moment).
    time_machine.move_to("2026-11-30T17:30:00+00:00")
    audit.record("filing.upload", object_type="filing_request", object_id=8, actor=clerk, detail={"material": "x"})
    db.session.commit()
    client, admin = login_as("admin", username="root")
    page = _soup(client.get("/admin/audit", query_string={"actor": "li"}))
    link = page.xpath("//a[starts-with(normalize-space(.), '导出所列记录')]/@href")[0]
    response = client.get(link)
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.data))
    sheet = book["审计记录"]
    rows = list(sheet.iter_rows(values_only=True))
    book.close()
    assert rows[0] == audit_view.EXPORT_HEADERS and rows[0][1] == "时间（北京时间）"
    assert [r[3] for r in rows[1:]] == ["上传备案材料", "从业单位备案：审核通过"]
    upload = rows[1]
    assert upload[1].strftime("%Y-%m-%d %H:%M") == "2026-12-01 01:30"  # a real date-time cell, Beijing time
    assert upload[2] == "li（市级公安机关工作人员）" and upload[5] == "备案申请" and upload[6] == "8"
    approve = rows[2]
    assert "原状态：审核中" in approve[7] and "新状态：已备案" in approve[7]
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "audit.export" and entry.actor_id == admin.id
    assert entry.detail["rows"] == 2 and entry.detail["filters"] == {"actor": "li"}
    assert audit.verify().ok


@pytest.mark.parametrize("role", ["city_clerk", "provincial_clerk", "firm"])
def test_only_admins_read_or_export_the_log(login_as, role):
    client, _ = login_as(role)
    assert client.get("/admin/audit").status_code in (403, 404)
    assert client.get("/admin/audit/export.xlsx").status_code in (403, 404)
    assert not db.session.scalar(select(AuditEntry.id).where(AuditEntry.action == "audit.export"))


def test_anonymous_is_sent_to_log_in(client):
    response = client.get("/admin/audit/export.xlsx")
    assert response.status_code in (302, 401, 403)
