"""The public roster (Liaoning art. 18, Inner Mongolia art. 16): filters, keyset pages, downloads, the QR
check page, and never any personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook

from app.extensions import db
from app.models.firm import FirmBusinessType
from app.roster.search import Filters, iter_roster
from tests.support import everything_in, get_page, page_text

# Personal data put on every firm; none of it may ever appear publicly.
PERSONAL = ("赵铁柱", "王五", "钱二", "13912345678", "和平区秘密路1号", "沈河区隐私街2号", "210102198001011234")


def filed(factory, name, seq, *, status="in_force", types=("design",), city="210100", authority=None,
          year=2026, **fields):
    """A firm on the roster, carrying personal data the roster must never show."""
    pack = factory.pack
    authority = authority or pack.city(city).authority
    firm = factory.firm(
        name,
        city_code=city,
        filing_number=pack.format_filing_number(authority, year, seq),
        filed_on=dt.date(year, 3, 1) + dt.timedelta(days=seq),
        filing_authority_code=authority,
        filing_status=status,
        contact_name="钱二",
        contact_phone="13912345678",
        registered_address="沈阳市和平区秘密路1号",
        premises_address="沈阳市沈河区隐私街2号",
        locality_override_reason="身份证号 210102198001011234",
        business_types=[FirmBusinessType(type_code=t) for t in types],
        **fields,
    )
    firm.legal_rep = "赵铁柱"
    db.session.commit()
    return firm


@pytest.fixture
def app_config():
    """Several downloads from one address per test here; the per-address limit is tested on its own
    (tests/app/roster/test_roster_exports.py)."""
    return {"ROSTER_EXPORT_RATE_LIMIT": "100 per minute"}


@pytest.fixture
def roster(factory):
    """Four filed firms (one cancelled) and one that never filed."""
    return {
        "shenyang": filed(factory, "沈阳盛安安防科技有限公司", 1, types=("design", "installation")),
        "dalian": filed(factory, "大连海防技术工程有限公司", 2, city="210200", division="210200",
                         types=("maintenance",)),
        "cancelled": filed(factory, "沈阳旧安电子有限公司", 3, status="cancelled", types=("installation",)),
        "provincial": filed(factory, "外省卫士监控有限公司", 4, authority="210000", division="110105", city="210300",
                            types=("alarm_operation",)),
        "never": factory.firm("从未备案安防有限公司", contact_phone="13912345678"),
    }


def page(client, **params):
    """The roster page for these search parameters, parsed."""
    return get_page(client, "roster.index", **params)


def entry(client, firm_or_token):
    """A firm's check page (the one its certificate's QR code opens), parsed."""
    token = getattr(firm_or_token, "credit_code", firm_or_token)
    return get_page(client, "roster.entry", token=token)


def follow(client, href: str):
    """The page a link on another page opens (a pager's link, the certificate's URL), parsed."""
    response = client.get(href)
    assert response.status_code == 200, response.status_code
    return BeautifulSoup(response.get_data(as_text=True), "lxml")


def link(soup, rel: str) -> str:
    """The pager's link to the previous or next page (rel="prev" / rel="next")."""
    return soup.select_one(f'a[rel="{rel}"]')["href"]


def names_in(soup):
    """The firm names of the roster's rows, in order: each row's first cell links to the firm's check page."""
    return [a.get_text() for a in soup.select("table.roster tbody tr > td:first-child > a[href]")
            if re.fullmatch(r"/roster/[0-9A-Z]{18}", a["href"])]


def test_roster_lists_filed_firms_in_force_and_cancelled_with_public_columns(client, roster):
    soup = page(client)
    assert page_text(soup.select_one("h1")) == "技防从业单位备案名录"
    # by filing number: 210000-0004, 210100-0001, 210100-0003, 210200-0002
    assert names_in(soup) == ["外省卫士监控有限公司", "沈阳盛安安防科技有限公司", "沈阳旧安电子有限公司",
                              "大连海防技术工程有限公司"]
    firm = roster["shenyang"]
    text = page_text(soup)
    assert firm.credit_code in text and firm.filing_number in text
    assert "2026年3月2日" in text and "沈阳市公安局" in text and "辽宁省公安厅" in text
    assert "设计、安装" in text and "报警运营服务" in text
    assert "有效" in [page_text(s) for s in soup.select("span.badge.ok")]
    assert "已注销" in [page_text(s) for s in soup.select("span.badge.bad")]


def test_never_filed_firm_is_absent_everywhere(client, roster):
    never = roster["never"]
    assert "从未备案安防有限公司" not in everything_in(page(client))
    assert "从未备案安防有限公司" not in everything_in(page(client, name="从未备案"))
    assert "从未备案安防有限公司" not in client.get("/roster.csv").get_data().decode("utf-8-sig")
    assert client.get(f"/roster/{never.credit_code}").status_code == 404


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"name": "沈阳"}, ["沈阳盛安安防科技有限公司", "沈阳旧安电子有限公司"]),
        ({"name": "海防技术"}, ["大连海防技术工程有限公司"]),
        ({"name": "100%"}, []),
        ({"name": "安_"}, []),
        ({"business_type": "installation"}, ["沈阳盛安安防科技有限公司", "沈阳旧安电子有限公司"]),
        ({"business_type": "maintenance"}, ["大连海防技术工程有限公司"]),
        ({"city": "210200"}, ["大连海防技术工程有限公司"]),
        ({"status": "cancelled"}, ["沈阳旧安电子有限公司"]),
        ({"status": "in_force", "city": "210100"}, ["沈阳盛安安防科技有限公司"]),
        ({"name": "沈阳", "business_type": "design"}, ["沈阳盛安安防科技有限公司"]),
    ],
)
def test_search_by_each_filter(client, roster, params, expected):
    assert names_in(page(client, **params)) == expected


def test_search_by_credit_code_exact_and_prefix(client, roster):
    code = roster["dalian"].credit_code
    assert names_in(page(client, credit_code=code)) == ["大连海防技术工程有限公司"]
    assert names_in(page(client, credit_code=code.lower())) == ["大连海防技术工程有限公司"]
    assert names_in(page(client, credit_code=code[:8])) == ["大连海防技术工程有限公司"]  # 91 + 210200
    assert names_in(page(client, credit_code="91110105")) == ["外省卫士监控有限公司"]
    assert names_in(page(client, credit_code="9121")) == ["沈阳盛安安防科技有限公司", "沈阳旧安电子有限公司",
                                                          "大连海防技术工程有限公司"]
    assert names_in(page(client, credit_code="92")) == []


@pytest.mark.parametrize(
    "params, message",
    [
        ({"name": "沈"}, "单位名称请至少输入2个字"),
        ({"credit_code": "91-2101"}, "统一社会信用代码只含数字和大写字母"),
        ({"credit_code": "9"}, "请至少输入前2位"),
        ({"city": "999999"}, "没有这一城市"),
        ({"business_type": "hacking"}, "没有这一业务类型"),
        ({"status": "none"}, "备案状态只能是有效或已注销"),
    ],
)
def test_bad_search_input_is_named_in_chinese_and_never_widens_to_never_filed(client, roster, params, message):
    soup = page(client, **params)
    assert message in page_text(soup)
    assert "从未备案安防有限公司" not in everything_in(soup)


def test_keyset_pages_are_stable_when_firms_are_filed_meanwhile(app, client, factory):
    app.config["ROSTER_PAGE_SIZE"] = 3
    for seq in range(10, 17):
        filed(factory, f"分页测试单位{seq}号有限公司", seq)
    first = page(client)
    assert names_in(first) == [f"分页测试单位{n}号有限公司" for n in (10, 11, 12)]
    assert "上一页" not in page_text(first)
    # a firm filed before page 2 is read, with a number sorting first, shifts nothing on page 2
    filed(factory, "插队测试单位有限公司", 1)
    second = follow(client, link(first, "next"))
    assert names_in(second) == [f"分页测试单位{n}号有限公司" for n in (13, 14, 15)]
    assert names_in(follow(client, link(second, "prev"))) == [f"分页测试单位{n}号有限公司" for n in (10, 11, 12)]
    third = follow(client, link(second, "next"))
    assert names_in(third) == ["分页测试单位16号有限公司"]
    assert "下一页" not in page_text(third) and "第一页" in page_text(third)


def test_pages_carry_the_filters_and_an_overlong_key_is_ignored(app, client, factory):
    app.config["ROSTER_PAGE_SIZE"] = 2
    for seq in range(1, 6):
        filed(factory, f"过滤分页单位{seq}有限公司", seq, city="210200" if seq % 2 else "210100")
    first = page(client, city="210200")
    assert names_in(first) == ["过滤分页单位1有限公司", "过滤分页单位3有限公司"]
    next_url = link(first, "next")
    assert parse_qs(urlsplit(next_url).query)["city"] == ["210200"]
    assert names_in(follow(client, next_url)) == ["过滤分页单位5有限公司"]
    assert names_in(page(client, city="210200", after="x" * 500)) == names_in(first)


def test_export_batches_walk_the_whole_search_in_order(app, factory):
    for seq in (5, 3, 9, 1, 7):
        filed(factory, f"批量单位{seq}有限公司", seq)
    firms = list(iter_roster(db.session, Filters(), batch=2))
    assert [f.name for f in firms] == [f"批量单位{n}有限公司" for n in (1, 3, 5, 7, 9)]


def test_entry_page_says_in_force_filing_is_genuine(client, roster):
    firm = roster["shenyang"]
    text = page_text(entry(client, firm))
    assert "该单位的备案真实有效。" in text
    assert "沈阳盛安安防科技有限公司" in text and firm.filing_number in text and "沈阳市公安局" in text
    assert "设计、安装" in text


def test_entry_page_says_cancelled_filing_is_no_longer_in_force(client, roster):
    text = page_text(entry(client, roster["cancelled"]))
    assert "该单位的备案已注销，不再有效。" in text
    assert "真实有效" not in text


@pytest.mark.parametrize("token", ["91210100MA0T99999X", "abc", "9" * 64, "<script>", "91210100MA0T0000%2F"])
def test_bad_tokens_are_404(client, roster, token):
    response = client.get(f"/roster/{token}")
    assert response.status_code == 404
    assert "页面不存在" in page_text(BeautifulSoup(response.get_data(as_text=True), "lxml"))


def test_no_personal_data_in_html_csv_or_xlsx(client, roster):
    bodies = [everything_in(page(client)), everything_in(page(client, name="沈阳")),
              everything_in(entry(client, roster["shenyang"])),
              client.get("/roster.csv").get_data().decode("utf-8-sig")]
    book = load_workbook(io.BytesIO(client.get("/roster.xlsx").get_data()), read_only=True)
    bodies.append(repr([row for row in book.active.iter_rows(values_only=True)]))
    book.close()
    for body in bodies:
        for secret in PERSONAL:
            assert secret not in body


def _csv_rows(client, **params):
    response = client.get("/roster.csv", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbf")
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _xlsx_rows(client, **params):
    response = client.get("/roster.xlsx", query_string=params)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    assert book.sheetnames == ["备案名录"]
    rows = [[v.date().isoformat() if isinstance(v, dt.datetime) else (v or "") for v in row]
            for row in book.active.iter_rows(values_only=True)]
    book.close()
    return rows


def test_csv_has_bom_and_the_current_search_and_xlsx_the_same_rows(client, roster):
    rows = _csv_rows(client)
    assert rows[0] == ["单位名称", "统一社会信用代码", "备案编号", "备案日期", "备案机关", "业务类型", "备案状态"]
    assert [r[0] for r in rows[1:]] == ["外省卫士监控有限公司", "沈阳盛安安防科技有限公司", "沈阳旧安电子有限公司",
                                        "大连海防技术工程有限公司"]
    shenyang = roster["shenyang"]
    assert rows[2] == ["沈阳盛安安防科技有限公司", shenyang.credit_code, shenyang.filing_number, "2026-03-02",
                       "沈阳市公安局", "设计、安装", "有效"]
    assert rows[3][-1] == "已注销" and rows[4][-1] == "有效"
    assert _xlsx_rows(client) == rows
    filtered = _csv_rows(client, city="210100", status="in_force")
    assert [r[0] for r in filtered[1:]] == ["沈阳盛安安防科技有限公司"]
    assert _xlsx_rows(client, city="210100", status="in_force") == filtered


@pytest.mark.parametrize("hostile", ["=HYPERLINK(\"http://evil\",\"点此\")", "+1+1", "-2+3", "@SUM(A1)",
                                     "\t=1", "\r=1"])
def test_formula_injection_is_neutralised_in_both_downloads(client, factory, hostile):
    filed(factory, hostile, 1)
    assert _csv_rows(client)[1][0] == "'" + hostile
    # xlsx escapes a carriage return as _x000D_ inside the file; openpyxl's read-only mode leaves it so
    assert _xlsx_rows(client)[1][0].replace("_x000D_", "\r") == "'" + hostile


def test_download_links_carry_the_search(client, roster):
    soup = page(client, name="沈阳", status="in_force")
    csv_link = urlsplit(soup.select_one('a[href^="/roster.csv?"]')["href"])
    xlsx_link = urlsplit(soup.select_one('a[href^="/roster.xlsx?"]')["href"])
    assert csv_link.path == "/roster.csv" and parse_qs(csv_link.query)["name"] == ["沈阳"]
    assert xlsx_link.path == "/roster.xlsx" and parse_qs(xlsx_link.query)["status"] == ["in_force"]


def test_anonymous_home_page_offers_the_roster_and_the_certificate_check(client):
    soup = get_page(client, "main.home")
    assert "核验备案证明" in page_text(soup) and "扫描备案证明上的二维码" in page_text(soup)
    assert soup.select_one('a[href="/roster"]') is not None


def test_roster_pages_carry_no_inline_script_or_style(client, roster):
    for soup in (page(client), entry(client, roster["shenyang"])):
        assert soup.find("script") is None and soup.select("[style]") == []


HOSTILE_NAME = """<script>alert("x")</script> & '引号'安防有限公司"""


def test_a_firm_name_with_markup_is_shown_as_text_in_the_list_and_on_its_entry(client, factory):
    """The roster's rows are written in Python (app/roster/table.py), not by the template: still escaped."""
    firm = filed(factory, HOSTILE_NAME, 1)
    for params in ({}, {"name": "安防"}):
        doc = page(client, **params)
        assert doc.find("script") is None
        row_link = doc.select_one("table.roster tbody td a")
        assert row_link.get_text() == HOSTILE_NAME and row_link["href"] == f"/roster/{firm.credit_code}"
    doc = entry(client, firm)
    assert doc.find("script") is None and HOSTILE_NAME in [dd.get_text() for dd in doc.select("dl.facts dd")]


def test_a_row_shows_each_public_column_under_its_label_in_chinese_and_english(client, factory):
    """Each cell carries its column's label (data-label, for narrow screens) in the page's language; an
    individual's register key (Z…, Liaoning art. 17) is no credit code and is not shown."""
    filed(factory, "沈阳盛安安防科技有限公司", 1, types=("design", "installation"))
    filed(factory, "个人技防服务", 2, credit_code="ZK3J9Q2W7E5R1T8Y0U", status="cancelled")

    def rows():
        doc = page(client)
        return [[(td.get("data-label"), td.get_text()) for td in tr.select("td")]
                for tr in doc.select("table.roster tbody tr")]

    company, person = rows()
    assert company[1:] == [("统一社会信用代码", company[1][1]), ("备案编号", "辽公技备〔2026〕210100-0001号"),
                           ("备案日期", "2026年3月2日"), ("备案机关", "沈阳市公安局"), ("业务类型", "设计、安装"),
                           ("备案状态", "有效")]
    assert person[1] == ("统一社会信用代码", "") and person[6] == ("备案状态", "已注销")
    with client.session_transaction() as session:
        session["lang"] = "en"
    company, person = rows()
    assert [label for label, _ in company[1:]] == ["Unified social credit code", "Filing number", "Filing date",
                                                   "Filing authority", "Business types", "Filing status"]
    assert company[3][1] == "2 March 2026" and company[6][1] == "In force" and person[6][1] == "Cancelled"


@pytest.mark.parametrize("app_config", [{"JIFANG_JURISDICTION": "shanxi"}])
def test_shanxi_roster_says_there_is_no_filing_duty_and_lists_nothing(client, factory, app_config):
    firm = factory.firm("山西某安防有限公司", city_code=factory.pack.cities[0].code, filing_number="X-1",
                        filed_on=dt.date(2026, 1, 5), filing_status="in_force")
    soup = page(client)
    assert "未规定安全技术防范从业单位向公安机关备案的义务" in page_text(soup)
    assert "没有从业单位备案名录可供查询" in page_text(soup)
    assert "山西某安防有限公司" not in everything_in(soup) and soup.find("table") is None
    assert client.get("/roster.csv").status_code == 404
    assert client.get("/roster.xlsx").status_code == 404
    assert client.get(f"/roster/{firm.credit_code}").status_code == 404
    assert "未规定安全技术防范从业单位向公安机关备案的义务" in page_text(get_page(client, "main.home"))


def test_name_search_ignores_the_case_of_latin_letters(client, factory):
    filed(factory, "沈阳ABC智能安防有限公司", 1)
    assert names_in(page(client, name="abc智能")) == ["沈阳ABC智能安防有限公司"]
    assert names_in(page(client, name="Abc")) == ["沈阳ABC智能安防有限公司"]


def test_entry_url_is_what_the_certificate_qr_code_opens(app, client, roster):
    from app.roster.routes import entry_url

    firm = roster["shenyang"]
    with app.test_request_context():
        url = entry_url(firm)
    assert url == f"http://localhost/roster/{firm.credit_code}"
    assert "该单位的备案真实有效。" in page_text(follow(client, url.removeprefix("http://localhost")))
