"""The clerks' calculator page (issue 4, item 6): who may use it, the figures in Chinese, the trace, the
cited article's text from the database, and errors named beside their fields."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup

from reports.money import yuan, yuan_capital
from tests.regulation_texts import regulations_dir
from tests.support import everything_in, form_fields, get_page, page_text, parse, switch_language

# The calculator reads today (an act may not lie ahead; 行政处罚法 art. 36's two years run to today).
pytestmark = pytest.mark.today("2026-11-30")
URL = "/penalties/calculator"
LIAONING_35 = {
    "jurisdiction": "liaoning", "violation": "liaoning-35", "party": "unit", "act_date": "2024-06-01",
    "illegal_gains": "5000", "tier": "normal",
}


def page(client, **params) -> BeautifulSoup:
    """The calculator for these parameters, parsed."""
    return get_page(client, "penalties.calculator", _query=params)


def soup(markup) -> BeautifulSoup:
    return parse(markup)


def text_of(markup) -> str:
    """The page's text as a reader sees it."""
    return page_text(soup(markup))


def _selected(markup, select_id: str) -> str:
    return soup(markup).find("select", id=select_id).find("option", selected=True)["value"]


def _trace(markup) -> list[str]:
    return [page_text(item) for item in soup(markup).select("ol.trace > li")]


@pytest.fixture
def clerk(login_as):
    client, _user = login_as("city_clerk")
    return client


# -- who may use it -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["city_clerk", "provincial_clerk", "admin"])
def test_clerks_and_admin_may_use_the_calculator(login_as, role):
    client, _user = login_as(role)
    assert page_text(get_page(client, "penalties.calculator").h1) == "处罚计算"
    result = get_page(client, "penalties.calculator", **LIAONING_35).find(id="result")
    assert "30,000元" in page_text(result)


def test_a_firm_is_refused_and_the_anonymous_sent_to_log_in(client, login_as):
    firm_client, _user = login_as("firm")
    get_page(firm_client, "penalties.calculator", _expected_status=403, **LIAONING_35)
    get_page(client, "penalties.calculator", _expected_status=302, _expected_redirect="auth.login")


def test_the_navigation_links_the_calculator_for_clerks(clerk):
    assert parse(clerk.get("/")).select_one(f'a[href="{URL}"]') is not None


# -- the form ---------------------------------------------------------------------------------------------------


def test_blank_page_defaults_to_the_deployments_jurisdiction_and_shows_no_result(clerk):
    markup = page(clerk)
    assert _selected(markup, "jurisdiction") == "liaoning"
    assert _selected(markup, "violation") == "liaoning-31"
    assert markup.find(id="result") is None
    assert not markup.find_all("script") and not markup.select("[style]")


def test_every_jurisdictions_provisions_are_offered_in_groups_on_asking(clerk):
    markup = page(clerk, other="1")
    for title in ("辽宁省公共安全技术防范条例", "内蒙古自治区公共安全技术防范管理条例", "山西省安全技术防范条例",
                  "秦皇岛市公共安全技术防范管理办法"):
        assert any(group["label"].endswith(f"《{title}》") for group in soup(markup).find_all("optgroup")), title
    options = [option.get_text() for option in markup.select("select#violation option")]
    assert any(o.startswith("第三十五条　买卖或者违法使用") for o in options), options
    assert any(o.startswith("第二十四条第二款　其他区域应当安装技防系统而未安装") for o in options), options


class TestOnAShanxiDeployment:
    @pytest.fixture
    def app_config(self):
        return {"JIFANG_JURISDICTION": "shanxi"}

    def test_defaults_to_shanxi_and_still_calculates_for_liaoning(self, clerk):
        assert _selected(page(clerk), "jurisdiction") == "shanxi"
        text = text_of(page(clerk, **LIAONING_35))
        assert "30,000元" in text and "《辽宁省公共安全技术防范条例》第三十五条" in text
        assert "山西省公安机关技防管理系统" in text and "依据《山西省安全技术防范条例》" in text


# -- the result --------------------------------------------------------------------------------------------------


def test_liaoning_35_shows_the_figures_in_yuan_and_capitals(clerk):
    text = text_of(page(clerk, **LIAONING_35))
    assert "《辽宁省公共安全技术防范条例》第三十五条" in text
    assert "辽宁省公安机关技防管理系统" in text  # the site's own header is intact
    assert "不以责令改正为前提，违法即罚" in text
    # 对单位处3万元罚款 … 处违法所得三倍罚款 (5000 × 3), and the gains confiscated
    assert "单位 30,000元 30,000元 30,000元 叁万元整" in text
    assert "单位（按违法所得的倍数计算） 15,000元 15,000元 15,000元 壹万伍仟元整" in text
    assert "对当事人的罚款合计 45,000元 肆万伍仟元整" in text
    assert "没收违法所得 5,000元（伍仟元整）" in text
    assert "应当告知当事人有要求听证的权利" in text
    assert "不适用简易程序" in text
    assert "2026年6月1日届满" in text
    assert "给他人造成损失的，依法予以赔偿" in text


def test_a_range_shows_min_max_and_the_tiers_recommendation(clerk):
    """山西 25: 对建设单位处3000元以上1万元以下罚款，并对直接负责的主管人员和其他责任人员处以一千元以上三千元以下罚款 (its own words, issue 10 point 4)."""
    params = {**LIAONING_35, "jurisdiction": "shanxi", "violation": "shanxi-25", "illegal_gains": "0"}
    text = text_of(page(clerk, **params))
    assert "单位 3,000元 10,000元 6,500元 陆仟伍佰元整" in text
    assert "直接负责的主管人员和其他责任人员 1,000元 3,000元 2,000元 贰仟元整" in text
    assert "先责令限期改正，逾期不改正的方予罚款" in text
    text = text_of(page(clerk, **{**params, "tier": "severe"}))
    assert "单位 3,000元 10,000元 8,950元 捌仟玖佰伍拾元整" in text
    text = text_of(page(clerk, **{**params, "corrected_by_deadline": "y"}))
    assert "不予罚款" in text and "6,500元" not in text


def test_liaoning_33_shows_its_measures_and_no_fine(clerk):
    text = text_of(page(clerk, **{**LIAONING_35, "violation": "liaoning-33", "illegal_gains": "0"}))
    assert "本条不设罚款，只适用下列措施" in text
    assert "责令拆除" in text and "拒不拆除的，依法予以强制拆除" in text
    assert "罚款数额" not in text


def test_the_trace_is_an_ordered_list_with_citations(clerk):
    steps = _trace(page(clerk, **LIAONING_35))
    assert "买卖或者违法使用" in steps[0] and "（《辽宁省公共安全技术防范条例》第三十五条）" in steps[0]
    assert "现行文本自2015年2月1日起施行" in steps[1] and "（《中华人民共和国行政处罚法》第三十七条）" in steps[1]
    assert "《中华人民共和国行政处罚法》第三十六条" in steps[2]
    joined = " | ".join(steps)
    assert "对单位处30000元罚款（固定数额，不分档）" in joined
    assert "处违法所得3倍罚款：5000元×3＝15000元" in joined
    assert joined.index("固定数额") < joined.index("违法所得3倍") < joined.index("听证")


def test_the_trace_reads_as_sentences_without_yes_or_no(clerk):
    """Issue 10 point 6: each step a sentence with its citation; no "：否" beside a no-fine result, no
    "本条不设罚款，只适用所列措施：否", no double negative such as "不适用简易程序：否"."""
    for params in (LIAONING_35, {**LIAONING_35, "violation": "liaoning-33"},
                   {**LIAONING_35, "violation": "liaoning-31", "corrected_by_deadline": "y"}):
        markup = page(clerk, **params)
        steps = _trace(markup)
        assert steps
        for text in steps:
            assert not re.search(r"：(是|否)\b|：(是|否)$", text), text
            assert text.count("。") >= 1 and "（《" in text, text
        assert "不适用简易程序：否" not in everything_in(markup) and not any("：否" in text for text in steps)


def test_yuan_formatting():
    assert yuan(1234567) == "1,234,567元"
    assert yuan_capital(10000) == "壹万元整"
    assert yuan_capital(1005) == "壹仟零伍元整"


# -- the article's text ------------------------------------------------------------------------------------------


def test_without_the_imported_text_the_page_says_so_in_a_clerks_words(clerk):
    """Issue 14 point 13: no shell command, but what is missing, that the result stands, and whom to ask."""
    markup = page(clerk, **LIAONING_35)
    missing = page_text(soup(markup).select_one("div.missing-text"))
    assert "还没有收录《辽宁省公共安全技术防范条例》的条文原文" in missing
    assert "第三十五条" in missing and "计算结果不受影响" in missing and "系统管理员" in missing
    assert "flask" not in everything_in(markup) and markup.find("code") is None


def _options(markup, select_id: str) -> list[str]:
    return [option["value"] for option in soup(markup).find("select", id=select_id).find_all("option")]


def test_the_provision_list_offers_the_deployments_own_regulation_until_asked_for_the_others(clerk):
    """Issue 14 point 13: a Liaoning clerk sees Liaoning's provisions; the others are behind a link."""
    markup = page(clerk)
    assert _options(markup, "jurisdiction") == ["liaoning"]
    violations = _options(markup, "violation")
    assert violations and all(v.startswith("liaoning-") for v in violations)
    assert all(v == "" or v.startswith("liaoning-") for v in _options(markup, "item"))
    other = soup(markup).find("a", string="列出其他辖区法规的条款")["href"]
    assert "other=1" in other
    everything = page(clerk, **dict(parse_qsl(urlsplit(other).query)))
    assert {"liaoning", "inner-mongolia", "qinhuangdao"} <= set(_options(everything, "jurisdiction"))
    assert any(v.startswith("qinhuangdao-") for v in _options(everything, "violation"))
    assert form_fields(everything).get("other") == "1"  # the choice survives the calculation
    # A shared link naming another jurisdiction still works.
    shared = page(clerk, jurisdiction="qinhuangdao")
    assert any(v.startswith("qinhuangdao-") for v in _options(shared, "violation"))


def test_the_result_takes_the_focus_when_it_arrives(clerk):
    """Issue 14 point 14: a screen reader reads the result, a sighted user is taken to it."""
    doc = soup(page(clerk, **LIAONING_35))
    section = doc.find("section", id="result")
    assert section.has_attr("autofocus") and section["tabindex"] == "-1"
    assert doc.find_all(autofocus=True) == [section]


def test_after_import_the_cited_article_is_shown(clerk, runner):
    path = regulations_dir() / "liaoning-2014.md"
    result = runner.invoke(args=["import", "regulation", str(path), "--jurisdiction", "liaoning"])
    assert result.exit_code == 0, result.output
    markup = page(clerk, **LIAONING_35)
    article = page_text(soup(markup).select_one("article.article-text"))
    assert "《辽宁省公共安全技术防范条例》第三十五条" in article
    assert "对单位处3万元罚款，对个人处1万元罚款；有违法所得的，没收违法所得，处违法所得三倍罚款" in article
    assert "尚未导入" not in everything_in(markup)


def test_the_cited_paragraph_is_marked(clerk, runner):
    path = regulations_dir() / "shanxi-2012.md"
    assert runner.invoke(args=["import", "regulation", str(path), "--jurisdiction", "shanxi"]).exit_code == 0
    params = {**LIAONING_35, "jurisdiction": "shanxi", "violation": "shanxi-24-2", "illegal_gains": "0"}
    article = soup(page(clerk, **params)).select_one("article.article-text")
    paragraphs = [p.get("class") for p in article.find_all("p")]
    assert paragraphs[1] == ["cited"] and paragraphs[0] is None


# -- errors beside their fields ----------------------------------------------------------------------------------


def field_error(markup, label: str) -> str:
    found = [text.removeprefix(f"{label}：") for text in (page_text(p) for p in soup(markup).select("p.error"))
             if text.startswith(f"{label}：")]
    assert found, f"no error beside {label}"
    return found[0]


@pytest.mark.parametrize(
    ("params", "label", "message"),
    [
        ({"act_date": "2024-02-30"}, "违法行为发生日期", "请按“年-月-日”填写有效日期，例如 2024-06-01"),
        ({"act_date": "2024/06/01"}, "违法行为发生日期", "请按“年-月-日”填写有效日期，例如 2024-06-01"),
        ({"act_date": ""}, "违法行为发生日期", "请填写此项"),
        ({"act_date": "2015-01-31"}, "违法行为发生日期",
         "行为日期 2015-01-31 早于《辽宁省公共安全技术防范条例》现行文本的施行日期 2015-02-01，不能依现行文本计算"),
        ({"illegal_gains": "abc"}, "违法所得（元）", "违法所得须为不小于0的整数（元）"),
        ({"illegal_gains": "-5"}, "违法所得（元）", "违法所得须为不小于0的整数（元）"),
        ({"illegal_gains": "1000000000001"}, "违法所得（元）", "违法所得不能超过1,000,000,000,000元"),
        ({"party": "company"}, "当事人", "请选择单位或者个人"),
        ({"tier": "harsh"}, "裁量档次", "请选择裁量档次"),
        ({"jurisdiction": "atlantis"}, "辖区及法规", "请选择辖区"),
        ({"violation": "liaoning-99"}, "违法行为（罚则条款）", "请选择违法行为"),
        ({"violation": "shanxi-25"}, "违法行为（罚则条款）",
         "所选条款属于《山西省安全技术防范条例》，与所选辖区不一致；请选择《辽宁省公共安全技术防范条例》中的条款，或者改选辖区"),
    ],
)
def test_a_bad_value_is_named_beside_its_field_in_chinese(clerk, params, label, message):
    markup = page(clerk, **{**LIAONING_35, **params})
    assert field_error(markup, label) == message
    assert markup.find(id="result") is None
    assert markup.select_one(".error-summary") is not None


@pytest.mark.today("2026-11-28", at="23:30")  # a Saturday night in Beijing, already Sunday 00:00 nowhere
def test_an_act_in_the_future_is_named_beside_the_date(clerk):
    markup = page(clerk, **{**LIAONING_35, "act_date": "2026-11-29"})
    assert field_error(markup, "违法行为发生日期").startswith("行为日期 2026-11-29 晚于今天")
    assert markup.find(id="result") is None


def test_values_are_kept_after_an_error(clerk):
    markup = page(clerk, **{**LIAONING_35, "act_date": "2024-02-30", "severe": "y"})
    fields = form_fields(markup)
    assert fields["act_date"] == "2024-02-30" and fields["illegal_gains"] == "5000"
    assert soup(markup).find("input", id="severe").has_attr("checked")


@pytest.mark.today("2026-11-30")
def test_a_limitation_already_passed_is_flagged(clerk):
    """行政处罚法 art. 36: not discovered within two years, no penalty (unless the act continues)."""
    text = text_of(page(clerk, **{**LIAONING_35, "act_date": "2023-11-30"}))
    assert "追责时效已过" in text
    assert "追责时效已过" not in text_of(page(clerk, **{**LIAONING_35, "act_date": "2026-10-31"}))


def test_the_page_reads_in_english_when_chosen(clerk):
    switch_language(clerk, {"lang": "en", "next": URL})
    text = text_of(page(clerk, **LIAONING_35))
    assert "Penalty calculator" in text and "Recommended" in text and "Calculation steps" in text
    assert "0–30%, 30–70% and 70–100% of the fine range" in text


# -- the facts of 行政处罚法 (issue 10 point 10) -------------------------------------------------------------

NEW_FACTS = {
    "item": ("违法行为所属的项", "处罚决定书须写明具体依据"),
    "discovered_on": ("发现违法行为的日期", "追责期限"),
    "proposed_amount": ("拟对当事人罚款（元）", "是否告知听证"),
    "corrected_promptly": ("当事人主动及时改正了违法行为", "不论是否收到责令改正"),
    "minor_no_harm": ("违法行为轻微，没有造成危害后果", "不予行政处罚"),
    "first_minor": ("初次违法且危害后果轻微", "可以不予行政处罚"),
    "no_fault": ("当事人有证据足以证明没有主观过错", "没有故意或者过失"),
    "endangers_life_health_or_finance": ("涉及公民生命健康安全、金融安全且有危害后果", "五年"),
}


@pytest.mark.parametrize("name", NEW_FACTS)
def test_every_new_fact_is_offered_with_a_label_and_help(clerk, name):
    """Each fact the calculator takes has a plain-language label tied to its input and a help text."""
    label, help_words = NEW_FACTS[name]
    doc = soup(page(clerk))
    assert page_text(doc.find("label", attrs={"for": name})) == label, name
    hint = doc.find(id=name).find_next("p", class_="hint")
    assert hint and help_words in page_text(hint), name


def verdict(markup):
    return page_text(soup(markup).select_one("dd.verdict"))


IM_27 = {"jurisdiction": "inner-mongolia", "violation": "inner-mongolia-27", "party": "unit",
         "act_date": "2025-03-01", "tier": "normal"}


def test_minor_no_harm_corrected_promptly_is_not_penalised(clerk):
    """"违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚" (行政处罚法 art. 33(1))."""
    assert "予以罚款" in verdict(page(clerk, **IM_27, minor_no_harm="y"))
    markup = page(clerk, **IM_27, minor_no_harm="y", corrected_promptly="y")
    assert "不予行政处罚" in verdict(markup)
    assert "对当事人进行教育" in text_of(markup) and "罚款数额" not in text_of(markup)


def test_first_minor_shows_the_fines_and_that_they_may_be_waived(clerk):
    """"初次违法且危害后果轻微并及时改正的，可以不予行政处罚"."""
    markup = page(clerk, **IM_27, first_minor="y", corrected_promptly="y")
    assert "可以不予处罚" in text_of(markup) and "罚款数额" in text_of(markup)
    assert "可以不予处罚" not in text_of(page(clerk, **IM_27, first_minor="y"))


def test_discovery_date_decides_the_limitation(clerk):
    """"违法行为在二年内未被发现的，不再给予行政处罚" (art. 36): act 2024-11-29, period ends 2026-11-29;
    discovered that day → within, an act one day earlier → barred. The page's clock is 2026-11-30."""
    markup = page(clerk, **{**IM_27, "act_date": "2024-11-29"}, discovered_on="2026-11-29")
    assert "发现时在追责期限内" in text_of(markup)
    markup = page(clerk, **{**IM_27, "act_date": "2024-11-28"}, discovered_on="2026-11-29")
    assert "发现时已过追责期限" in text_of(markup) and "已过追责期限，不再给予行政处罚" in verdict(markup)
    future = page(clerk, **IM_27, discovered_on="2026-12-01")
    assert page_text(soup(future).find(id="discovered_on-error")).startswith("发现违法行为的日期：发现日期 2026-12-01 晚于今天")


def test_an_item_narrows_the_citation_and_names_the_overlap(clerk):
    """LN 31 "（三）妨碍社会公共区域技防系统正常运行的" also falls under LN 34 (art. 29)."""
    params = {**LIAONING_35, "violation": "liaoning-31", "illegal_gains": "0"}
    markup = page(clerk, **params, item="liaoning-31:3")
    assert "《辽宁省公共安全技术防范条例》第三十一条第（三）项" in page_text(soup(markup).select_one("dd.citation"))
    assert "同一行为也可能违反《辽宁省公共安全技术防范条例》第三十四条" in text_of(markup)
    assert "对单位负责人及相关责任人的罚款按每人计" in text_of(markup)
    wrong = page(clerk, **params, item="shanxi-26:1")
    assert page_text(soup(wrong).find(id="item-error")).startswith("违法行为所属的项：所选的项不属于所选的违法行为")


def test_proposed_amount_outside_the_range_is_named_beside_it(clerk):
    markup = page(clerk, **IM_27, proposed_amount="4999")
    errors = [page_text(error) for error in markup.select("p.error")]  # beside the field
    assert any("拟罚款数额4999元不在本条对单位规定的罚款（5000元以上20000元以下）之内" in e for e in errors), errors
    fine = page(clerk, **IM_27, proposed_amount="10000")
    assert "拟处 10,000元" in text_of(fine) and "应当告知当事人有要求听证的权利" in text_of(fine)


def test_readings_are_said_on_the_page(clerk):
    """IM 23 "造成严重后果的" needs legal review; LN 33 "拒不拆除的，依法予以强制拆除" goes to the court."""
    im23 = page(clerk, **{**IM_27, "violation": "inner-mongolia-23"}, severe="y", corrected_by_deadline="y")
    assert "须经法制审核" in text_of(im23)
    ln33 = page(clerk, **{**LIAONING_35, "violation": "liaoning-33"})
    assert "申请人民法院强制执行" in text_of(ln33)
