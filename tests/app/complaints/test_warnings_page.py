"""The public warning announcements (Liaoning art. 28): firm-level facts only, nothing about people."""

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest

from app.models import WarningNotice
from tests.support import everything_in, get_page, page_text


def _warn(db, firm, issued, lifted=None, reason="经查证属实，予以警示"):
    notice = WarningNotice(firm_id=firm.id, issued_on=issued, lifted_on=lifted, reason=reason, reference="第二十八条",
                           state="warning_lifted" if lifted else "warning_issued")
    db.session.add(notice)
    db.session.commit()
    return notice


def test_anyone_reads_the_warnings_without_personal_data(client, db, factory):
    firm = factory.firm("沈阳某安防工程有限公司", contact_phone="13912345678", contact_name="李联系")
    firm.legal_rep = "张秘密"
    db.session.commit()
    other = factory.firm("大连某报警服务有限公司")
    _warn(db, firm, dt.date(2026, 3, 20))
    _warn(db, other, dt.date(2026, 1, 5), lifted=dt.date(2026, 6, 30))
    page = get_page(client, "roster.warnings")
    assert "第28条" in page_text(page.select_one("p.lead")) and "辽宁省公共安全技术防范条例" in page_text(page)
    rows = [[page_text(td) for td in tr.select("td")] for tr in page.select("tbody tr[id^=warning-]")]
    # newest announcement first
    assert [row[0] for row in rows] == [firm.name, other.name]
    assert rows[0][1] == firm.credit_code and rows[0][-1] == "警示中"
    assert rows[1][-1] == "已撤销（2026年6月30日）"
    for secret in ("张秘密", "13912345678", "李联系"):
        assert secret not in everything_in(page)
    # the public home page points to them
    assert get_page(client, "main.home").select_one('a[href="/warnings"]') is not None


def test_warnings_page_through_older_announcements(client, db, factory):
    firm = factory.firm("锦州某公司")
    for day in range(1, 56):
        _warn(db, firm, dt.date(2025, 1, 1) + dt.timedelta(days=day), reason=f"事由{day:02d}")
    first = get_page(client, "roster.warnings")
    assert "事由55" in page_text(first) and "事由05" not in everything_in(first)
    pager = first.select_one("p.pager a[href]")
    assert "更早的公告" in page_text(pager)
    older = get_page(client, "roster.warnings", before=parse_qs(urlsplit(pager["href"]).query)["before"][0])
    assert "事由05" in page_text(older) and "事由55" not in everything_in(older)


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": code} for code in
                                        ("inner-mongolia", "shanxi", "qinhuangdao")])
def test_regulations_without_the_rule_say_so(client, db, factory, app_config):
    _warn(db, factory.firm("某公司"), dt.date(2026, 3, 1))
    page = get_page(client, "roster.warnings")
    assert "没有规定公安机关发布从业单位警示公告" in page_text(page) and "某公司" not in everything_in(page)
