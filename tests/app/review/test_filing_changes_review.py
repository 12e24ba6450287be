"""A change's and a resubmission's review show what changed (issue 14 point 5): fields before/after, staff
added and removed, materials replaced; a replaced material stays in the request's history and its link
works (it answered 404 before)."""

from __future__ import annotations

import io
import re

import pytest

from app.extensions import db
from app.models import FilingDocument, FilingRequest, Firm
from tests.app.filing_support import PDF, PNG, decide, form_data, resident_id, save, start, submit_new
from tests.support import get_page, login, page_text

pytestmark = pytest.mark.today("2026-11-30")


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def _filed(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102")
    firm_client = _client(app, factory.user("firm", firm=firm))
    clerk = _client(app, factory.user("city_clerk", authority_code="210100"))
    assert decide(clerk, submit_new(firm_client, pack, city_code="210100"), "approve").status_code == 302
    db.session.expire_all()
    return firm_client, clerk, db.session.get(Firm, firm.id)


def _download(client, url: str) -> tuple[int, bytes]:
    """Status and body of a file download, the response closed (it streams the stored file)."""
    response = client.get(url)
    try:
        return response.status_code, response.get_data()
    finally:
        response.close()


def _changes(client, request_id: int):
    """The review page, its "changes" section, and that section's rows as {项目: [修改前, 修改后]}."""
    page = get_page(client, "review.detail", request_id=request_id)
    section = page.find(id="changes")
    rows = {page_text(tr.th): [page_text(td) for td in tr.find_all("td")]
            for tr in section.select("tbody tr") if tr.th is not None}
    return page, section, rows


def test_a_change_review_shows_before_and_after_staff_and_the_replaced_licence(app, factory):
    pack = app.extensions["jifang.pack"]
    firm_client, clerk, firm = _filed(app, factory)
    change_id = start(firm_client, "change")
    old_licence = db.session.get(FilingRequest, change_id).documents_for("business_licence")[0]
    data = form_data(pack, staff=2, legal_rep="赵六", business_types=["design", "maintenance"], reason="法定代表人变更")
    # The filing named 技术员0; the change keeps him (row 0), adds 新技术员 (row 1) and then removes 技术员0.
    data.update({"staff-1-name": "新技术员", "staff-1-id_number": resident_id(9), "staff-1-training_certificate": "PX-9",
                 "staff-0-remove": "y"})
    data["doc_business_licence"] = (io.BytesIO(PNG), "新营业执照.png")
    assert save(firm_client, change_id, data, send=True).status_code == 302

    _page, section, rows = _changes(clerk, change_id)
    changes = page_text(section)
    assert "与现行备案相比的变更" in changes
    assert rows["法定代表人"][:2] == ["王五", "赵六"]
    assert rows["业务类型"][:2] == ["设计、安装", "设计、维护"]
    assert "单位名称" not in rows  # unchanged fields are not listed
    assert "新增：新技术员" in changes and "减少：技术员0" in changes
    assert "营业执照：原文件" in changes and "新营业执照.png" in changes
    earlier = re.fullmatch(r"/filings/documents/(\d+)", section.select_one("a.earlier")["href"])
    assert earlier and int(earlier.group(1)) == old_licence.id
    # The replaced file stays in the request's history: its link works for the clerk and the firm.
    assert _download(clerk, earlier.group(0))[0] == 200
    assert _download(firm_client, earlier.group(0)) == (200, PDF)
    assert "已替换的材料（保留备查）" in page_text(firm_client.get(f"/filings/{change_id}"))
    # The filing in force keeps its own licence row untouched.
    assert db.session.get(FilingDocument, old_licence.id).replaced_at is not None


def test_a_resubmission_review_shows_what_the_firm_changed_since_the_return(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102")
    firm_client = _client(app, factory.user("firm", firm=firm))
    clerk = _client(app, factory.user("city_clerk", authority_code="210100"))
    request_id = submit_new(firm_client, pack, city_code="210100")
    rules = db.session.get(FilingRequest, request_id).documents_for("rules")[0]
    assert decide(clerk, request_id, "return", "请补充设备清单并换用盖章的制度文本").status_code == 302

    data = form_data(pack, equipment="视频监控测试台2套、报警主机1台", answer="已补充")
    data["doc_rules"] = (io.BytesIO(PNG), "盖章制度.png")
    assert save(firm_client, request_id, data, send=True).status_code == 302

    page, section, rows = _changes(clerk, request_id)
    changes = page_text(section)
    assert "退回补正后的修改" in changes
    assert rows["技术设备和场所"][:2] == ["视频监控测试台2套，办公场所120平方米", "视频监控测试台2套、报警主机1台"]
    assert "安全管理和岗位责任制度：原文件" in changes and "盖章制度.png" in changes
    assert _download(clerk, f"/filings/documents/{rules.id}")[0] == 200  # 404 before: the row was deleted
    ids = [element["id"] for element in page.find_all(id=True)]
    assert ids.index("changes") < ids.index("decide")  # the clerk reads the changes before deciding


def test_a_never_submitted_drafts_own_earlier_upload_is_really_replaced(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102")
    firm_client = _client(app, factory.user("firm", firm=firm))
    request_id = start(firm_client)
    data = form_data(pack)
    data["doc_rules"] = (io.BytesIO(PDF), "旧.pdf")
    save(firm_client, request_id, data)
    data["doc_rules"] = (io.BytesIO(PNG), "新.png")
    save(firm_client, request_id, data)
    db.session.expire_all()
    documents = db.session.get(FilingRequest, request_id).documents
    assert [d.original_name for d in documents] == ["新.png"]
