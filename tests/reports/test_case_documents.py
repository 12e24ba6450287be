"""The documents of a penalty case: built from plain facts into one model, rendered to DOCX and PDF, read back
as a party would (python-docx, pdftotext), every PDF font embedded and every page rendered (pdffonts,
pdftoppm); a document lacking a fact the law requires is refused with a message naming it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import os
import re
import shutil
import subprocess

import docx
import pytest
from docx.oxml.ns import qn

from app.filings.demo import material_pdf
from reports.case_documents import (
    KIND_TITLES,
    DocumentFactsError,
    Hearing,
    Penalty,
    Provision,
    amount_capital,
    build,
    review_body_for,
    to_docx,
    to_pdf,
)
from tests.reports.case_document_samples import BASIS, PARTY, sample_facts
from workflows.rules import FinePayment, load_pack


def _need(tool: str) -> None:
    """Poppler reads the PDF back; .ci/run installs it, so under CI its absence is a failure."""
    if shutil.which(tool) is None:
        message = f"{tool} (poppler-utils) is not installed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)


def _write(pdf: bytes, tmp_path, name: str = "document"):
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return path


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as a reader copies it, without the line breaks and spaces of the layout, nor the page
    footers (number and page) that fall between the lines of a paragraph running on to the next page."""
    _need("pdftotext")
    out = subprocess.run(["pdftotext", str(_write(pdf, tmp_path)), "-"], check=True, capture_output=True,
                         text=True).stdout
    out = re.sub(r"(?m)^.*号\s*第\d+页\s*$", "", out)
    return re.sub(r"\s+", "", out)


def pdf_fonts(pdf: bytes, tmp_path) -> list[list[str]]:
    """pdffonts' rows: name, type, encoding, emb, sub, uni, object, generation."""
    _need("pdffonts")
    listing = subprocess.run(["pdffonts", str(_write(pdf, tmp_path, "fonts"))], check=True, capture_output=True,
                             text=True).stdout
    return [line.split() for line in listing.splitlines()[2:] if line.strip()]


def docx_text(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return re.sub(r"\s+", "", "".join(parts))


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("kind", KIND_TITLES)
def test_each_document_renders_to_docx_and_pdf_with_the_same_text_and_embedded_fonts(kind, tmp_path):
    document = build(kind, sample_facts(kind))
    assert document.title == KIND_TITLES[kind]

    in_docx = docx_text(to_docx(document))
    pdf = to_pdf(document)
    in_pdf = pdf_text(pdf, tmp_path)
    # one model, two renderers: every line of the document is in both files
    for line in document.text().splitlines():
        assert _flat(line) in in_docx, line
        assert _flat(line) in in_pdf, line
    for expected in ("沈阳市公安局", KIND_TITLES[kind], sample_facts(kind).number, "沈阳盛京商贸广场有限公司", "2026年11月20日"):
        assert expected in in_pdf

    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts  # the "emb" column
    assert all("WenQuanYiZenHei" in row[0] for row in fonts), fonts

    _need("pdftoppm")
    prefix = tmp_path / kind
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(_write(pdf, tmp_path, kind)), str(prefix)], check=True,
                   capture_output=True)
    pages = sorted(tmp_path.glob(f"{kind}-*.png"))
    assert pages and all(page.read_bytes().startswith(b"\x89PNG") for page in pages)
    errors = subprocess.run(["pdftoppm", "-r", "20", "-png", str(tmp_path / f"{kind}.pdf"), str(prefix)],
                            capture_output=True, text=True).stderr
    assert "error" not in errors.lower(), errors


def test_the_decision_opens_in_word_with_the_amount_in_capitals_and_the_citation_to_the_item():
    data = to_docx(build("decision", sample_facts("decision")))
    text = docx_text(data)
    assert "罚款人民币30,000元（大写：人民币叁万元整）" in text
    assert "《辽宁省公共安全技术防范条例》第三十一条第（一）项" in text
    assert "《辽宁省公共安全技术防范条例》第十条第一款第（七）项" in text
    assert "（一）未依法安装技防系统的；" in text  # the article's own text is quoted
    # Chinese text names its East Asian font in every run (else Word falls back to a Latin font's fallback)
    runs = [run for p in docx.Document(io.BytesIO(data)).paragraphs for run in p.runs]
    assert runs and all(run._element.rPr.rFonts.get(qn("w:eastAsia")) for run in runs)


def test_the_decision_pdf_says_what_to_pay_where_by_when_and_how_to_challenge_it(tmp_path):
    text = pdf_text(to_pdf(build("decision", sample_facts("decision"))), tmp_path)
    for expected in (
        "当事人：沈阳盛京商贸广场有限公司", "统一社会信用代码：91210100MA0T000019",
        "人民币叁万元整", "30,000元",
        "第三十一条第（一）项", "第十条第一款第（七）项",
        "自收到本决定书之日起十五日内", "中国工商银行沈阳分行营业部", "本机关及办案人员不收缴罚款",
        "每日按罚款数额的百分之三加处罚款", "不得超出罚款的数额", "第七十二条第一款第（一）项",
        "六十日内向沈阳市人民政府申请行政复议", "六个月内依法向有管辖权的人民法院提起行政诉讼",
        "（印章）",
    ):
        assert expected in text, expected


def test_the_notice_tells_the_hearing_right_only_where_the_amount_reaches_the_threshold():
    with_hearing = build("notice", sample_facts("notice")).text()
    assert "陈述和申辩" in with_hearing and "第四十四条、第四十五条" in with_hearing
    assert "有权要求举行听证" in with_hearing and "五个工作日内，即最迟于2026年11月27日" in with_hearing
    without = build("notice", sample_facts("notice", hearing_due=False, hearing_request_by=None)).text()
    assert "陈述和申辩" in without and "听证" not in without


def test_a_decision_not_to_penalise_states_the_reason_and_asks_no_payment():
    facts = sample_facts("decision", penalty=None, payment=None,
                         no_penalty_reason="当事人初次违法且危害后果轻微并及时改正，依照《中华人民共和国行政处罚法》第三十三条第一款的规定，可以不予行政处罚")
    document = build("decision", facts)
    assert document.title == "不予行政处罚决定书"
    text = document.text()
    assert "第三十三条第一款" in text and "不予行政处罚" in text and "缴纳" not in text
    assert "六十日内向沈阳市人民政府申请行政复议" in text


@pytest.mark.parametrize(("kind", "changes", "message"), [
    ("decision", {"penalty": None}, "必须写明处罚内容（罚款、警告或者没收），或者不予行政处罚的理由"),
    ("decision", {"penalty": Penalty()}, "必须写明处罚内容"),
    ("decision", {"no_penalty_reason": "没有主观过错"}, "不能同时作出处罚和不予处罚"),
    ("decision", {"payment": None}, "未写明代收罚款的指定银行"),
    ("decision", {"basis": ()}, "未写明处罚依据"),
    ("decision", {"review_body": ""}, "未写明行政复议机关"),
    ("decision", {"basis": (dataclasses.replace(BASIS[0], text=""),)}, "第三十一条第（一）项未附条文内容"),
    ("decision", {"party": dataclasses.replace(PARTY, name="")}, "未写明当事人名称"),
    ("decision", {"number": ""}, "未写明文书编号"),
    ("order_to_correct", {"correction_deadline": None}, "未写明改正期限"),
    ("order_to_correct", {"correction_deadline": dt.date(2026, 11, 20)}, "改正期限必须晚于通知书日期"),
    ("notice", {"penalty": None}, "未写明拟作出的行政处罚"),
    ("hearing_notice", {"hearing": None}, "未写明听证的时间和地点"),
    ("hearing_notice", {"hearing": Hearing(at=dt.datetime(2026, 11, 20, 9), place="会议室")}, "听证日期必须晚于通知书日期"),
    ("service_proof", {"service": None}, "未写明送达的文书"),
    ("reminder", {"reminder": None}, "未写明催告的行政处罚决定"),
    ("reminder", {"payment": None}, "未写明代收罚款的指定银行"),
])
def test_a_document_missing_a_required_fact_is_refused_naming_it(kind, changes, message):
    with pytest.raises(DocumentFactsError, match=re.escape(message)):
        build(kind, sample_facts(kind, **changes))


def test_an_unknown_kind_is_refused():
    with pytest.raises(DocumentFactsError, match="没有这种文书"):
        build("licence", sample_facts("decision"))


@pytest.mark.parametrize(("fen", "capital"), [
    (3_000_000, "人民币叁万元整"),
    (500_000, "人民币伍仟元整"),
    (123_456, "人民币壹仟贰佰叁拾肆元伍角陆分"),
    (100_005, "人民币壹仟元零伍分"),
    (50, "人民币伍角整"),
    (1_001_000, "人民币壹万零壹拾元整"),
])
def test_amounts_in_capital_numerals(fen, capital):
    assert amount_capital(fen) == capital


def test_a_fine_with_fen_is_written_to_the_fen():
    facts = sample_facts("decision", penalty=Penalty(fine_fen=123_456))
    assert "罚款人民币1,234.56元（大写：人民币壹仟贰佰叁拾肆元伍角陆分）" in build("decision", facts).text()


def test_citations_name_paragraph_and_items():
    assert Provision("某条例", 31, items=(1, 3)).label() == "《某条例》第三十一条第（一）项、第（三）项"
    assert Provision("某条例", 9, paragraph=2).label() == "《某条例》第九条第二款"


@pytest.mark.parametrize(("authority", "level", "override", "body"), [
    ("辽宁省公安厅", "provincial", None, "辽宁省人民政府"),
    ("沈阳市公安局", "city", None, "沈阳市人民政府"),
    ("秦皇岛市公安局海港分局", "county", None, "秦皇岛市人民政府"),
    ("青龙满族自治县公安局", "county", None, "青龙满族自治县人民政府"),
    ("兴安盟公安局", "city", "兴安盟行政公署", "兴安盟行政公署"),
])
def test_the_review_body_is_the_government_at_the_same_level(authority, level, override, body):
    assert review_body_for(authority, level, override) == body


def test_the_demo_materials_embed_their_font(tmp_path):
    fonts = pdf_fonts(material_pdf("营业执照"), tmp_path)
    assert fonts and all(row[-5] == "yes" for row in fonts), fonts
    assert not any("STSong" in row[0] or row[0] == "Helvetica" for row in fonts)


@pytest.mark.parametrize("code", ["liaoning", "inner-mongolia", "shanxi", "qinhuangdao"])
def test_every_pack_names_where_fines_are_paid_and_a_placeholder_says_so(code):
    pack = load_pack(code)
    for authority in pack.authorities:
        place = pack.fine_payment_place(authority.code)
        assert place is not None and place.bank
        assert "待设置" in place.bank or not pack.fine_payment.placeholder
        # and every bureau has a body to hear a review of its acts
        assert review_body_for(authority.name, authority.level, authority.review_body).endswith(("人民政府", "行政公署"))


def test_a_placeholder_bank_that_looks_real_is_refused():
    with pytest.raises(ValueError, match="待设置"):
        FinePayment(bank="中国工商银行", placeholder=True)
