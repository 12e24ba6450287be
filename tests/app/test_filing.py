"""Filing (备案) end to end through the web pages: routing by jurisdiction pack, review, numbers, outcomes.

Liaoning arts. 16–18, Inner Mongolia art. 15, Qinhuangdao arts. 16–17; Shanxi has no filing duty.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEntry, FilingRequest, Firm
from tests.app.filing_support import (
    decide,
    form_data,
    save,
    start,
    submit_new,
    upload_fields,
)
from tests.support import login, post_form

YEAR = dt.date.today().year  # the number's year is the approval's Beijing date; tests run near midnight rarely


def _firm_client(app, factory, *, division, city_code=None):
    firm = factory.firm(division=division, city_code=city_code)
    user = factory.user("firm", firm=firm)
    client = app.test_client()
    login(client, user)
    return client, user, firm


def _clerk(app, factory, role, authority_code):
    user = factory.user(role, authority_code=authority_code)
    client = app.test_client()
    login(client, user)
    return client, user


def _number_year():
    from app.models.base import utcnow
    from app.services.filing_workflow import china_date

    return china_date(utcnow()).year


def test_liaoning_local_firm_goes_to_its_premises_city_bureau_and_is_filed(app, factory):
    pack = app.extensions["jifang.pack"]
    # Registered in Shenyang (210102), premises in Dalian: Dalian's bureau receives it (art. 16).
    client, _user, firm = _firm_client(app, factory, division="210102")
    request_id = submit_new(client, pack, city_code="210200")
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.route, request.stages, request.authority_code) == (
        "under_review", "local", ["210200"], "210200",
    )

    shenyang, _ = _clerk(app, factory, "city_clerk", "210100")
    assert "测试安防工程有限公司" not in shenyang.get("/review/").get_data(as_text=True)
    assert shenyang.get(f"/review/{request_id}").status_code == 404
    assert decide(shenyang, request_id, "approve").status_code in (404, 400)

    dalian, _ = _clerk(app, factory, "city_clerk", "210200")
    queue = dalian.get("/review/").get_data(as_text=True)
    assert "测试安防工程有限公司" in queue
    response = decide(dalian, request_id, "approve", "材料齐全")
    assert response.status_code == 302

    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    number = f"辽公技备〔{_number_year()}〕210200-0001号"
    assert (firm.filing_status, firm.filing_number, firm.filing_authority_code) == ("in_force", number, "210200")
    assert firm.name == "测试安防工程有限公司" and firm.city_code == "210200"
    assert firm.business_type_codes == sorted(b.code for b in pack.filing.business_types[:2])
    assert number in client.get("/filings/").get_data(as_text=True)
    assert number in client.get("/").get_data(as_text=True)

    pdf = client.get("/filings/certificate.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF") and "attachment" in pdf.headers["Content-Disposition"]

    roster = client.get(f"/roster?credit_code={firm.credit_code}").get_data(as_text=True)
    assert number in roster

    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert "filing.submit" in actions and "filing.approve" in actions
    approve = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "filing.approve")).one()
    assert approve.detail["comment"] == "材料齐全" and approve.actor_label.startswith("city_clerk")


def test_liaoning_out_of_province_firm_goes_to_the_provincial_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="110105")
    assert firm.is_local is False
    request_id = submit_new(client, pack, city_code="210200", is_local=False)
    request = db.session.get(FilingRequest, request_id)
    assert (request.route, request.stages) == ("out_of_province", ["210000"])

    dalian, _ = _clerk(app, factory, "city_clerk", "210200")
    assert dalian.get(f"/review/{request_id}").status_code == 404
    province, _ = _clerk(app, factory, "provincial_clerk", "210000")
    assert decide(province, request_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).filing_number == f"辽公技备〔{_number_year()}〕210000-0001号"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_inner_mongolia_every_firm_files_with_the_region_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="150102", city_code="150200")
    request_id = submit_new(client, pack, city_code="150200")
    assert db.session.get(FilingRequest, request_id).stages == ["150000"]
    region, _ = _clerk(app, factory, "provincial_clerk", "150000")
    assert decide(region, request_id, "approve").status_code == 302
    db.session.expire_all()
    assert db.session.get(Firm, firm.id).filing_number == f"内公技备〔{_number_year()}〕00001号"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_local_firm_needs_city_verification_then_provincial_filing(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, firm = _firm_client(app, factory, division="130302", city_code="130302")
    request_id = submit_new(client, pack, city_code="130302")
    assert db.session.get(FilingRequest, request_id).stages == ["130300", "130000"]

    province, _ = _clerk(app, factory, "provincial_clerk", "130000")
    assert province.get(f"/review/{request_id}").status_code == 404  # not yet at the provincial stage
    city, _ = _clerk(app, factory, "city_clerk", "130300")
    assert decide(city, request_id, "approve", "核查合格").status_code == 302

    db.session.expire_all()
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.stage, request.authority_code) == ("under_review", 1, "130000")
    assert db.session.get(Firm, firm.id).filing_status == "none"  # one approval is not enough
    assert "测试安防工程有限公司" in province.get("/review/").get_data(as_text=True)
    assert decide(city, request_id, "approve").status_code == 409  # the city's stage is over

    assert decide(province, request_id, "approve").status_code == 302
    db.session.expire_all()
    firm = db.session.get(Firm, firm.id)
    assert firm.filing_number == f"冀公技备〔{_number_year()}〕130000-0001号"
    assert firm.filing_authority_code == "130000"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_out_of_province_firm_cannot_submit_without_its_home_certificate(app, factory):
    pack = app.extensions["jifang.pack"]
    client, _user, _firm = _firm_client(app, factory, division="110105", city_code="130302")
    request_id = start(client)
    data = form_data(pack, city_code="130302")
    uploads = upload_fields(pack, is_local=False)
    certificate = uploads.pop("doc_home_certificate")
    data.update(uploads)
    response = save(client, request_id, data, send=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "尚不能提交，请先填写或上传：所在地省级公安机关出具的证明" in html
    assert "所在地省级公安机关出具的证明：请上传此项材料" in html
    assert db.session.get(FilingRequest, request_id).state == "draft"

    response = save(client, request_id, {**form_data(pack, city_code="130302"), "doc_home_certificate": certificate},
                    send=True)
    assert response.status_code == 302
    request = db.session.get(FilingRequest, request_id)
    assert (request.state, request.stages) == ("under_review", ["130000"])


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "shanxi"}])
def test_shanxi_filing_pages_say_there_is_no_filing_duty(app, factory, login_as):
    pack = app.extensions["jifang.pack"]
    client, user = login_as("firm")
    for response in (client.get("/filings/"), post_form(client, "/filings/start", {"kind": "initial"},
                                                          token_from="/filings/")):
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert pack.filing.notice in html and "<form method=\"post\" enctype" not in html
    assert db.session.scalar(select(FilingRequest.id)) is None
    clerk, _ = login_as("city_clerk")
    assert pack.filing.notice in clerk.get("/review/").get_data(as_text=True)
