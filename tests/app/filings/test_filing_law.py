"""Filing by the letter of the law (issue 14, points 1–4): who may file, what a review may decide, what
each pack's filing covers and which materials each text asks for. Each test names its article."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import FilingRequest, Firm, User
from tests.app.filing_support import decide, form_data, resident_id, save, start, submit_new, upload_fields
from tests.support import everything_in, get_page, login, page_text, parse, post_form

pytestmark = pytest.mark.today("2026-11-30")
STRONG = "Liaohe-ferry-4729-lamp"


def _sign_up_person(client, *, number=None, province="110000", document="resident_id", username="zhangsan"):
    return post_form(client, "/auth/register/individual", {
        "person_name": "张三", "document_type": document, "document_number": number or resident_id(7),
        "home_province": province, "username": username, "password": STRONG, "confirm": STRONG,
    })


def _actions(page) -> list[str]:
    """The decisions the review page's form offers (the values of its action field)."""
    return [f["value"] for f in parse(page).select('form [name="action"][value], form [name="action"] option[value]')]


def _individual_sign_up_link(client):
    return parse(client.get("/auth/register")).select_one('a[href="/auth/register/individual"]')


def _log_in(client, username):
    response = post_form(client, "/auth/login", {"username": username, "password": STRONG})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


# --- point 1: Liaoning art. 17, 外省单位和个人 -------------------------------------------------------------
def test_liaoning_art_17_an_individual_from_another_province_files_with_the_provincial_bureau(app, factory):
    pack = app.extensions["jifang.pack"]
    client = app.test_client()
    assert _individual_sign_up_link(client) is not None
    number = resident_id(7)  # issued in Shenyang (2101…): the stated province, Beijing, decides the route
    assert _sign_up_person(client, number=number).status_code == 302
    person = db.session.scalar(select(Firm).where(Firm.id_document_number == number))
    assert (person.holder_kind, person.is_local, person.home_province) == ("individual", False, "110000")
    assert number not in person.credit_code and person.credit_code.startswith("Z")

    _log_in(client, "zhangsan")
    request_id = start(client)
    data = form_data(pack, name="张三", registered_address="北京市朝阳区某路1号")
    data.update({k: v for k, v in upload_fields(pack, is_local=False).items() if k != "doc_business_licence"})
    # A person has no business licence (art. 16(1) asks it of units): the form does not ask for one.
    assert not parse(client.get(f"/filings/{request_id}/edit")).select('[name="doc_business_licence"]')
    assert save(client, request_id, data, send=True).status_code == 302
    request = db.session.get(FilingRequest, request_id)
    assert (request.route, request.stages) == ("out_of_province", ["210000"])

    province = factory.user("provincial_clerk", authority_code="210000")
    clerk = app.test_client()
    post_form(clerk, "/auth/login", {"username": province.username, "password": "test-pass-123"})
    review = parse(clerk.get(f"/review/{request_id}"))
    assert "外省个人" in page_text(review) and "北京市" in page_text(review)
    assert number not in everything_in(review)  # masked until asked
    assert decide(clerk, request_id, "approve").status_code == 302
    db.session.expire_all()
    person = db.session.get(Firm, person.id)
    assert person.filing_status == "in_force" and person.filing_number.startswith("辽公技备")

    roster = parse(app.test_client().get("/roster?name=张三"))
    assert person.filing_number in page_text(roster) and "设计" in page_text(roster)
    # The register key appears only inside the entry's link, never as text; the ID nowhere.
    assert number not in everything_in(roster) and person.credit_code not in page_text(roster)
    assert roster.select_one(f'a[href="/roster/{person.credit_code}"]') is not None
    entry = parse(app.test_client().get(f"/roster/{person.credit_code}"))
    assert "张三" in page_text(entry) and person.filing_number in page_text(entry)
    assert number not in everything_in(entry)
    assert "统一社会信用代码" not in [page_text(dt) for dt in entry.select("dt")]
    from reports.certificate import certificate_facts

    facts = dict(certificate_facts(person, pack))
    assert facts["姓名"] == "张三" and "统一社会信用代码" not in facts and number not in facts.values()


def test_liaoning_art_17_a_person_based_in_liaoning_is_not_offered_it_and_ids_are_checked(app):
    client = app.test_client()
    refused = _sign_up_person(client, province="210000")
    assert refused.status_code == 200 and "常驻省份" in page_text(refused)
    bad = _sign_up_person(client, number=resident_id(7)[:-1] + "0" if not resident_id(7).endswith("0") else "1")
    assert "身份证号码校验位不正确" in page_text(bad)
    assert _sign_up_person(client, document="passport", number="E12345678", username="lisi").status_code == 302
    assert db.session.scalar(select(User).where(User.username == "lisi")).firm.id_document_type == "passport"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "inner-mongolia"}])
def test_inner_mongolia_names_no_individuals_so_there_is_no_individual_sign_up(app):
    client = app.test_client()
    assert client.get("/auth/register/individual").status_code == 404
    assert _individual_sign_up_link(client) is None
    assert "/auth/register/individual" not in everything_in(client.get("/auth/register"))


# --- point 2: a record, not a licence ----------------------------------------------------------------------
def _submitted(app, factory, *, division, city):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division=division, city_code=city)
    user = factory.user("firm", firm=firm)
    client = app.test_client()
    login(client, user)
    return client, submit_new(client, pack, city_code=city)


@pytest.mark.parametrize(
    ("app_config", "division", "city", "clerk_role", "authority", "articles"),
    [
        ({"JIFANG_JURISDICTION": "liaoning"}, "210102", "210100", "city_clerk", "210100", "第18条"),
        ({"JIFANG_JURISDICTION": "inner-mongolia"}, "150102", "150200", "provincial_clerk", "150000", "第15条、第16条"),
    ],
    ids=["liaoning-art-18", "inner-mongolia-arts-15-16"],
)
def test_liaoning_art_18_and_inner_mongolia_arts_15_16_a_review_returns_but_never_refuses(
    app, factory, division, city, clerk_role, authority, articles,
):
    _firm, request_id = _submitted(app, factory, division=division, city=city)
    clerk = app.test_client()
    login(clerk, factory.user(clerk_role, authority_code=authority))
    page = parse(clerk.get(f"/review/{request_id}"))
    assert "reject" not in _actions(page) and "return" in _actions(page)
    assert f"{articles}，备案不是许可" in page_text(page)  # the page cites the article
    refused = decide(clerk, request_id, "reject", "不符合条件")  # a hand-made post is refused too
    assert refused.status_code == 409 and "不能不予备案" in page_text(refused)
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "under_review"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_art_16_allows_a_refusal_that_tells_the_firm_its_review_and_litigation_rights(app, factory):
    firm, request_id = _submitted(app, factory, division="130302", city="130302")
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code="130300"))
    page = parse(clerk.get(f"/review/{request_id}"))
    assert "reject" in _actions(page) and "不予通过的依据：《秦皇岛市公共安全技术防范管理办法》第16条" in page_text(page)
    assert decide(clerk, request_id, "reject", "核查不合格：经营场所不存在").status_code == 302
    seen = page_text(firm.get(f"/filings/{request_id}"))
    assert "依据《秦皇岛市公共安全技术防范管理办法》第16条" in seen and "核查不合格" in seen
    assert "六十日内依法申请行政复议" in seen and "《中华人民共和国行政复议法》第二十条" in seen
    assert "六个月内依法向人民法院提起行政诉讼" in seen and "《中华人民共和国行政诉讼法》第四十六条" in seen


def test_fee_citations_point_at_an_article_about_fees_or_at_none():
    """Issue 14 point 4: Inner Mongolia art. 15 and Qinhuangdao art. 16 say nothing of fees; Liaoning art.
    29 forbids charging for filing."""
    from workflows.rules import load_pack

    assert load_pack("liaoning").filing.fee.reference.article == 29
    assert load_pack("inner-mongolia").filing.fee.reference is None
    assert load_pack("qinhuangdao").filing.fee.reference is None


# --- point 3: Qinhuangdao art. 17 ---------------------------------------------------------------------------
@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_art_17_an_out_of_province_firm_cannot_file_alarm_operation_here(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="110105")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = start(client)
    form_page = page_text(client.get(f"/filings/{request_id}/edit"))
    told = "依照《秦皇岛市公共安全技术防范管理办法》第17条，省外单位在此备案的业务不包括报警运营服务"
    assert told in form_page and "请向河北省公安厅咨询" in form_page  # said before the firm chooses
    data = form_data(pack, city_code="130302", business_types=["design", "alarm_operation"])
    data.update(upload_fields(pack, is_local=False))
    refused = save(client, request_id, data, send=True)
    assert refused.status_code == 200 and told in page_text(refused)
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "draft"
    data["business_types"] = ["design", "maintenance"]
    data.update(upload_fields(pack, is_local=False))
    assert save(client, request_id, data, send=True).status_code == 302


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "qinhuangdao"}])
def test_qinhuangdao_art_16_a_local_firm_may_file_alarm_operation(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="130302", city_code="130302")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = start(client)
    assert "省外单位在此备案的业务不包括" not in everything_in(client.get(f"/filings/{request_id}/edit"))
    data = form_data(pack, city_code="130302", business_types=["alarm_operation"])
    data.update(upload_fields(pack))
    assert save(client, request_id, data, send=True).status_code == 302


# --- point 4: materials --------------------------------------------------------------------------------------
def test_liaoning_art_16_item_2_each_listed_person_needs_a_training_certificate_number(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102", city_code="210100")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = start(client)
    data = form_data(pack, staff=2, **{"staff-1-training_certificate": ""})
    data.update(upload_fields(pack))
    refused = save(client, request_id, data, send=True)
    text = page_text(refused)
    assert refused.status_code == 200 and "第2名人员（技术员1）的培训证书编号" in text
    assert "《辽宁省公共安全技术防范条例》第16条第2项" in text  # the form cites the article
    db.session.expire_all()
    assert db.session.get(FilingRequest, request_id).state == "draft"
    data["staff-1-training_certificate"] = "PX-0009"
    data.update(upload_fields(pack))
    assert save(client, request_id, data, send=True).status_code == 302


@pytest.mark.parametrize(
    ("app_config", "division", "city"),
    [({"JIFANG_JURISDICTION": "inner-mongolia"}, "150102", "150200"),
     ({"JIFANG_JURISDICTION": "qinhuangdao"}, "130302", "130302")],
    ids=["inner-mongolia-art-15", "qinhuangdao-art-16"],
)
def test_inner_mongolia_art_15_and_qinhuangdao_art_16_list_no_materials_so_the_bureau_requests_them(
    app, factory, division, city,
):
    firm = factory.firm(division=division, city_code=city)
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    page = get_page(client, "filings.edit", request_id=start(client))
    table = page.find("table", id="materials-basis")
    basis = [page_text(cell) for cell in table.find_all("td")]
    assert "法定材料" not in page_text(table) and sum("公安机关要求提供" in text for text in basis) == 4
    # Optional training numbers where the text does not ask for trained staff.
    assert "培训证书编号" not in basis


def test_qinhuangdao_rules_material_no_longer_cites_art_18_3_which_is_about_training():
    from workflows.rules import load_pack

    rules = next(m for m in load_pack("qinhuangdao").filing.materials if m.code == "rules")
    assert (rules.reference.article, rules.reference.items, rules.basis) == (16, [], "bureau")
    certificate = next(m for m in load_pack("qinhuangdao").filing.materials if m.code == "home_certificate")
    assert (certificate.reference.article, certificate.basis) == (17, "law")
