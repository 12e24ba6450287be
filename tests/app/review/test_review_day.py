"""The clerk's and the firm's working day around a review (issue 14 point 6): the filing before the
decision, a second step before an approval or a refusal, returned requests under "awaiting the firm", and a
receipt number and answer-by date for the firm."""

from __future__ import annotations

import pytest

from app.extensions import db
from app.models import FilingRequest, Firm
from tests.app.filing_support import decide, submitted_request
from tests.support import form_fields, get_page, login, page_text, parse, post_form

pytestmark = pytest.mark.today("2026-11-30")


def _clerk(app, factory, authority_code="210100"):
    client = app.test_client()
    login(client, factory.user("city_clerk", authority_code=authority_code))
    return client


def test_the_review_page_shows_the_filing_before_the_decision(app, factory):
    request, _ = submitted_request(app, factory, city_code="210100")
    page = parse(_clerk(app, factory).get(f"/review/{request.id}"))
    sections = [section["id"] for section in page.select("section[id]")]
    assert sections.index("staff") < sections.index("decide")
    headings = [page_text(h) for h in page.select("h2")]
    assert headings.index("单位基本信息") < headings.index("审核决定")


def test_an_approval_is_asked_twice_and_only_the_confirmation_files(app, factory):
    request, _ = submitted_request(app, factory, city_code="210100")
    clerk = _clerk(app, factory)
    url = f"/review/{request.id}"
    first = post_form(clerk, f"{url}/decide", {"action": "approve", "comment": "材料齐全",
                                                "version": str(request.version)})
    text = page_text(first)
    assert first.status_code == 200 and "确认审核决定" in text and "系统即分配备案编号" in text
    assert form_fields(first).get("confirm") == "1" and "材料齐全" in text
    db.session.expire_all()
    assert db.session.get(FilingRequest, request.id).state == "under_review"  # nothing written yet

    confirmed = post_form(clerk, f"{url}/decide", {"action": "approve", "comment": "材料齐全", "confirm": "1",
                                                    "version": str(request.version)})
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, request.firm_id).filing_status == "in_force"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_a_refusal_is_asked_twice_and_says_what_the_firm_will_be_told(app, factory):
    request, _ = submitted_request(app, factory, city_code="130302")
    clerk = _clerk(app, factory, "130300")
    first = post_form(clerk, f"/review/{request.id}/decide", {"action": "reject", "comment": "场所不存在"},
                      token_from=f"/review/{request.id}")
    text = page_text(first)
    assert "确认不予通过" in text and "六十日内申请行政复议" in text and "场所不存在" in text
    db.session.expire_all()
    assert db.session.get(FilingRequest, request.id).state == "under_review"


def test_a_return_needs_no_confirmation(app, factory):
    request, _ = submitted_request(app, factory, city_code="210100")
    clerk = _clerk(app, factory)
    response = post_form(clerk, f"/review/{request.id}/decide", {"action": "return", "comment": "请补充"},
                         token_from=f"/review/{request.id}")
    assert response.status_code == 302


def test_a_returned_request_is_listed_as_awaiting_the_firm_not_as_closed(app, factory):
    returned, _ = submitted_request(app, factory, city_code="210100")
    filed, _ = submitted_request(app, factory, city_code="210100")
    clerk = _clerk(app, factory)
    assert decide(clerk, returned.id, "return", "请补充培训证书").status_code == 302
    assert decide(clerk, filed.id, "approve").status_code == 302
    page = get_page(clerk, "review.queue")
    awaiting = {a["href"] for a in page.find(id="awaiting-firm").find_next("table").select("a[href]")}
    closed = {a["href"] for a in page.find("h2", string="最近办结").find_next("table").select("a[href]")}
    assert f"/review/{returned.id}" in awaiting and f"/review/{filed.id}" not in awaiting
    assert f"/review/{filed.id}" in closed and f"/review/{returned.id}" not in closed


def test_the_firm_sees_a_receipt_number_and_the_date_the_bureau_should_answer_by(app, factory):
    request, firm_user = submitted_request(app, factory, city_code="210100")
    firm = app.test_client()
    login(firm, firm_user)
    text = page_text(firm.get(f"/filings/{request.id}"))
    # Submitted on Monday 2026-11-30 (Beijing): 15 working days later is Monday 2026-12-21.
    assert f"210100-20261130-{request.id:06d}" in text
    assert "2026年12月21日" in text and "公安机关服务承诺，非法定时限" in text
