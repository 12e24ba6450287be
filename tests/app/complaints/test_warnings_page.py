"""The public warning announcements (Liaoning art. 28): firm-level facts only, nothing about people."""

import datetime as dt

import pytest

from app.models import WarningNotice


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
    response = client.get("/warnings")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "第28条" in html and "辽宁省公共安全技术防范条例" in html
    assert firm.name in html and firm.credit_code in html and "警示中" in html
    assert other.name in html and "已撤销（2026年6月30日）" in html
    for secret in ("张秘密", "13912345678", "李联系"):
        assert secret not in html
    # newest announcement first
    assert html.index(firm.name) < html.index(other.name)
    assert "/warnings" in client.get("/").get_data(as_text=True)  # the public home page points to them


def test_warnings_page_through_older_announcements(client, db, factory):
    firm = factory.firm("锦州某公司")
    for day in range(1, 56):
        _warn(db, firm, dt.date(2025, 1, 1) + dt.timedelta(days=day), reason=f"事由{day:02d}")
    first = client.get("/warnings").get_data(as_text=True)
    assert "事由55" in first and "事由05" not in first and "更早的公告" in first
    cursor = first.split('href="/warnings?before=')[1].split('"')[0]
    older = client.get(f"/warnings?before={cursor}").get_data(as_text=True)
    assert "事由05" in older and "事由55" not in older


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": code} for code in
                                        ("inner-mongolia", "shanxi", "qinhuangdao")])
def test_regulations_without_the_rule_say_so(client, db, factory, app_config):
    _warn(db, factory.firm("某公司"), dt.date(2026, 3, 1))
    html = client.get("/warnings").get_data(as_text=True)
    assert "没有规定公安机关发布从业单位警示公告" in html and "某公司" not in html
