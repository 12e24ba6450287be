"""Issue 14 point 7: the clerks' register of firms — every firm of the bureau, filed or not, imported or
signed up, searchable, filterable, paginated, each with its history; another bureau's firm is a 404."""

from __future__ import annotations

import datetime as dt

from lxml import html as lxml_html
from sqlalchemy import select

from app.extensions import db
from tests.support import login


def _soup(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.get_data(as_text=True))


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def _text(doc, xpath: str) -> str:
    found = doc.xpath(xpath)
    assert found, xpath
    return " ".join(found[0].text_content().split())


def _names(doc) -> list[str]:
    return [a.text_content().strip() for a in doc.xpath(f"//table[{_cls('register')}]/tbody/tr/td[1]/a")]


def test_a_city_clerk_sees_every_firm_of_the_bureau_filed_or_not_and_no_other(client, factory):
    filed = factory.firm("沈阳已备案安防有限公司", city_code="210100", filing_status="in_force",
                         filing_number="辽公技备〔2025〕210100-0001号", filed_on=dt.date(2025, 3, 1),
                         filing_authority_code="210100")
    imported = factory.firm("沈阳导入未备案安防有限公司", city_code="210100")  # an import without a number
    dalian = factory.firm("大连安防有限公司", city_code="210200")
    clerk = factory.user("city_clerk", "register_clerk", authority_code="210100")
    login(client, clerk)

    names = _names(_soup(client.get("/register/")))
    assert filed.name in names and imported.name in names
    assert dalian.name not in names
    assert client.get(f"/register/{dalian.id}").status_code == 404
    page = _soup(client.get(f"/register/{imported.id}"))
    assert "未备案" in _text(page, f"//dd[{_cls('filing-status')}]")


def test_the_provincial_clerk_sees_all_and_filters_by_city_status_type_and_records(client, factory, app):
    from app.models.cases import Complaint, WarningNotice
    from app.models.firm import FirmBusinessType

    a = factory.firm("甲市安防科技有限公司", city_code="210100", filing_status="in_force",
                     filing_number="N-1", filing_authority_code="210100")
    b = factory.firm("乙市安防工程有限公司", city_code="210200")
    c = factory.firm("丙市监控维修有限公司", city_code="210300", filing_status="cancelled",
                     filing_number="N-3", filing_authority_code="210300")
    db.session.add(FirmBusinessType(firm_id=a.id, type_code=app.extensions["jifang.pack"].filing.business_types[0].code))
    db.session.add(Complaint(received_on=dt.date(2026, 1, 5), firm_id=b.id, firm_name=b.name, authority_code="210200"))
    db.session.add(WarningNotice(firm_id=c.id, authority_code="210300", reason="服务投诉查证属实"))
    db.session.commit()
    login(client, factory.user("provincial_clerk", "register_province", authority_code="210000"))

    assert {a.name, b.name, c.name} <= set(_names(_soup(client.get("/register/"))))
    assert _names(_soup(client.get("/register/?city=210200"))) == [b.name]
    assert _names(_soup(client.get("/register/?status=cancelled"))) == [c.name]
    assert _names(_soup(client.get("/register/?status=none&city=210200"))) == [b.name]
    code = app.extensions["jifang.pack"].filing.business_types[0].code
    assert _names(_soup(client.get(f"/register/?business_type={code}"))) == [a.name]
    assert _names(_soup(client.get("/register/?complaints=1"))) == [b.name]
    assert _names(_soup(client.get("/register/?warnings=1"))) == [c.name]
    # by name (the name index: any two characters in order) and by credit code
    assert _names(_soup(client.get("/register/?q=监控维修"))) == [c.name]
    assert _names(_soup(client.get(f"/register/?q={a.credit_code}"))) == [a.name]
    assert _names(_soup(client.get(f"/register/?q={a.credit_code[:17].lower()}"))) == [a.name]


def test_the_register_is_paginated(client, factory):
    for n in range(53):
        factory.firm(f"翻页安防{n:02d}有限公司", city_code="210400")
    login(client, factory.user("city_clerk", "register_pager", authority_code="210400"))
    first = _soup(client.get("/register/"))
    assert len(_names(first)) == 50
    assert "共53家单位" in _text(first, f"//*[{_cls('register-count')}]")
    following = first.xpath("//nav[@class='pager']/a[@rel='next']/@href")[0]
    second = _soup(client.get(following))
    assert len(_names(second)) == 3
    assert set(_names(first)).isdisjoint(_names(second))


def test_a_firms_page_shows_its_filings_complaints_warnings_and_cases(client, factory, app):
    from app.filings import service as filings
    from app.models.cases import Complaint, PenaltyCase, WarningNotice
    from tests.app.filing_support import submitted_request

    firm = factory.firm("历史记录安防有限公司", division="210102", city_code="210100")
    request, _ = submitted_request(app, factory, firm=firm, city_code="210100")
    clerk = factory.user("city_clerk", "register_history", authority_code="210100")
    filings.decide(request, "approve", clerk, None)
    db.session.add(Complaint(received_on=dt.date(2026, 2, 1), firm_id=firm.id, firm_name=firm.name,
                             authority_code="210100", reference="TS2026-ABCD-EFGH", state="verified",
                             outcome="substantiated"))
    db.session.add(WarningNotice(firm_id=firm.id, authority_code="210100", reason="投诉查证属实",
                                 issued_on=dt.date(2026, 3, 1), state="published"))
    db.session.add(PenaltyCase(case_number="辽沈公（技）罚决字〔2026〕7号", firm_id=firm.id, party_name=firm.name,
                               jurisdiction="liaoning", provision_code="liaoning-35", outcome="fined",
                               decided_on=dt.date(2026, 4, 2), state="closed"))
    db.session.commit()
    login(client, clerk)

    page = _soup(client.get(f"/register/{firm.id}"))
    link = page.xpath(f"//table[{_cls('history-filings')}]//a/@href")[0]
    assert link == f"/review/{request.id}"
    assert client.get(link).status_code == 200
    complaint = _text(page, f"//table[{_cls('history-complaints')}]")
    assert "TS2026-ABCD-EFGH" in complaint and "查证属实" in complaint
    assert "投诉查证属实" in _text(page, f"//table[{_cls('history-warnings')}]")
    cases = _text(page, f"//table[{_cls('history-cases')}]")
    assert "辽沈公（技）罚决字〔2026〕7号" in cases and "罚款" in cases and "2026年4月2日" in cases
    case_links = page.xpath(f"//table[{_cls('history-cases')}]//a/@href")
    case_id = db.session.scalar(select(PenaltyCase.id).where(PenaltyCase.firm_id == firm.id))
    # linked to the case's page where the app has one (app/cases), else listed only
    assert case_links == ([f"/cases/{case_id}"] if "cases.detail" in app.view_functions else [])


def test_an_individuals_id_number_is_masked_and_shown_in_full_only_on_asking_audited(client, factory):
    from app.models.audit import AuditEntry

    person = factory.firm("张三", credit_code="ZK3J9Q2W7E5R1T8Y0U", city_code=None, holder_kind="individual",
                          id_document_type="resident_id", id_document_number="110101199003071234",
                          home_province="110000")
    clerk = factory.user("provincial_clerk", "register_identity", authority_code="210000")
    login(client, clerk)

    page = _soup(client.get(f"/register/{person.id}"))
    assert "110101199003071234" not in page.text_content()
    assert "110101********1234" in _text(page, f"//dd[{_cls('identity')}]")
    listing = _text(_soup(client.get("/register/?q=张三")), f"//table[{_cls('register')}]")
    assert "外省个人" in listing and "ZK3J9Q2W7E5R1T8Y0U" not in listing
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "firm.id_document_viewed")) is None

    full = _soup(client.get(f"/register/{person.id}/identity"))
    assert "110101199003071234" in _text(full, f"//dd[{_cls('identity')}]")
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "firm.id_document_viewed"))
    assert entry is not None and entry.object_id == str(person.id) and entry.actor_id == clerk.id


def test_only_clerks_reach_the_register(client, factory):
    login(client, factory.user("firm", "register_firm_user"))
    assert client.get("/register/").status_code in (403, 404)
