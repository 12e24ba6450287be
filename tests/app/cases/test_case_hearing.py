"""Scheduling the hearing a party asked for (行政处罚法 art. 64) and its notice (听证通知书) from the case.

The clock is pinned on Monday 2026-11-30 (Beijing): the notice issued that day, the seventh working day after
it is Wednesday 2026-12-09 (art. 85), so the hearing may be held from 2026-12-10.
"""

from __future__ import annotations

import io
import re
import subprocess

import docx
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, PenaltyCase
from tests.app.case_support import DALIAN, Staff, open_case, propose, step
from tests.app.cases.test_case_documents_mapping import texts  # noqa: F401 - fixture: the articles' stored text
from tests.support import parse, post_form

pytestmark = [pytest.mark.today("2026-11-30", at="10:00"), pytest.mark.usefixtures("texts")]
PLACE = "沈阳市公安局第三会议室"


@pytest.fixture
def staff(app, factory):
    return Staff(app, factory)


def _case(case_id) -> PenaltyCase:
    db.session.expire_all()
    return db.session.get(PenaltyCase, case_id)


def _in_hearing(staff) -> int:
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    propose(clerk, case_id, 30000)
    step(clerk, case_id, "notify", day="2026-11-30")
    step(clerk, case_id, "request_hearing", day="2026-11-30")
    assert _case(case_id).state == "hearing"
    return case_id


def _schedule(client, case_id, expect=302, **fields):
    data = {"day": "2026-12-10", "time": "09:30", "place": PLACE, "publicity": "public", **fields}
    response = post_form(client, f"/cases/{case_id}/hearing", {k: str(v) for k, v in data.items()},
                         token_from=f"/cases/{case_id}")
    assert response.status_code == expect, response.get_data(as_text=True)[:3000]
    return response


def _field_error(response, field: str) -> str:
    page = parse(response)
    return " ".join(e.get_text(" ", strip=True) for e in page.select(f"p#hearing-{field}-error"))


def _pdf_text(data: bytes) -> str:
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True).stdout
    return re.sub(r"\s+", "", out.decode("utf-8"))


def test_a_hearing_less_than_seven_working_days_after_the_notice_is_refused_beside_the_day(staff):
    case_id = _in_hearing(staff)
    refused = _schedule(staff.client("clerk"), case_id, expect=422, day="2026-12-09", host=staff.clerk2.id)
    error = _field_error(refused, "day")
    assert "七日" in error and "2026-12-10" in error and "第六十四条" in error
    assert _case(case_id).hearing_on is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "penalty_case.hearing_scheduled")) is None


def test_an_investigator_of_the_case_cannot_host_the_hearing(staff):
    case_id = _in_hearing(staff)
    assert staff.clerk.id in _case(case_id).editor_ids
    refused = _schedule(staff.client("clerk"), case_id, expect=422, host=staff.clerk.id)
    error = _field_error(refused, "host")
    assert "非本案调查人员" in error and "第六十四条第四项" in error
    assert _case(case_id).hearing_host_id is None


def test_before_it_is_scheduled_the_hearing_notice_is_refused_on_the_case_page(staff):
    case_id = _in_hearing(staff)
    clerk = staff.client("clerk")
    response = clerk.get(f"/cases/{case_id}/documents/hearing_notice.pdf", follow_redirects=True)
    assert "未写明听证的时间和地点" in parse(response).get_text()


def test_a_scheduled_hearing_is_audited_and_its_notice_downloads_as_pdf_and_docx(staff):
    case_id = _in_hearing(staff)
    clerk = staff.client("clerk")
    _schedule(clerk, case_id, host=staff.head.id, publicity="trade_secret")
    case = _case(case_id)
    assert (case.hearing_on.isoformat(), case.hearing_time.strftime("%H:%M"), case.hearing_place) == (
        "2026-12-10", "09:30", PLACE)
    assert case.hearing_host_id == staff.head.id and case.hearing_public is False
    assert case.hearing_notice_on.isoformat() == "2026-11-30"
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "penalty_case.hearing_scheduled"))
    assert entry.actor_id == staff.clerk.id and entry.detail["place"] == PLACE and entry.detail["time"] == "09:30"

    page = parse(clerk.get(f"/cases/{case_id}"))
    assert PLACE in page.select_one("#hearing-where").get_text()
    assert "09:30" in page.select_one("#hearing-when").get_text()
    links = [a["href"] for a in page.select("#documents a")]
    assert f"/cases/{case_id}/documents/hearing_notice.pdf" in links

    pdf = clerk.get(f"/cases/{case_id}/documents/hearing_notice.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "听证通知书" in text and PLACE in text and "2026年12月10日9时30分" in text and "不公开举行听证" in text

    word = clerk.get(f"/cases/{case_id}/documents/hearing_notice.docx")
    assert word.status_code == 200
    body = "".join(p.text for p in docx.Document(io.BytesIO(word.data)).paragraphs)
    assert PLACE in body and "2026年12月10日9时30分" in body


def test_another_bureau_gets_404_on_the_scheduling_route(app, factory, staff):
    case_id = _in_hearing(staff)
    dalian = Staff(app, factory, DALIAN)
    other = dalian.client("clerk")
    response = post_form(other, f"/cases/{case_id}/hearing",
                         {"day": "2026-12-14", "time": "09:30", "place": PLACE, "host": str(dalian.clerk2.id),
                          "publicity": "public"}, token_from="/cases/")
    assert response.status_code == 404
    assert _case(case_id).hearing_on is None


def test_a_case_not_in_the_hearing_state_is_not_scheduled(staff):
    clerk = staff.client("clerk")
    case_id = open_case(clerk)
    step(clerk, case_id, "investigate")
    refused = _schedule(clerk, case_id, expect=409, host=staff.clerk2.id)
    assert "申请听证后" in parse(refused).select_one("#refusal").get_text()
    assert _case(case_id).hearing_on is None


def test_the_hearing_is_held_on_or_after_the_day_scheduled_and_its_record_is_shown(staff, pinned_clock):
    case_id = _in_hearing(staff)
    _schedule(staff.client("clerk"), case_id, host=staff.clerk2.id, day="2026-12-11")
    staff.later(pinned_clock, "2026-12-11")
    clerk = staff.client("clerk")
    early = step(clerk, case_id, "submit_review", expect=409, day="2026-12-10", text="当事人申辩",
                 hearing_record="听证笔录摘要")
    assert "2026-12-11" in parse(early).select_one("p#submit_review-day-error").get_text()
    step(clerk, case_id, "submit_review", day="2026-12-11", text="当事人申辩称系初次违法",
         hearing_record="当事人到场，对违法事实无异议")
    case = _case(case_id)
    assert case.state == "legal_review" and case.hearing_held_on.isoformat() == "2026-12-11"
    held = parse(clerk.get(f"/cases/{case_id}")).select_one("#hearing-held").get_text()
    assert "当事人到场，对违法事实无异议" in held
