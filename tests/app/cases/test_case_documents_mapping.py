"""A case's records mapped to its documents (app/cases/documents.py): the bureau's name, the article
texts imported into the database, the pack's bank and review body, the decided amount in capitals; what the
record does not hold yet is refused, saying what is missing."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cases.documents import case_document, document_number, order_document
from app.extensions import db as _db
from app.models.case_payments import CasePause, CasePayment
from app.models.cases import OrderToCorrect, PenaltyCase
from reports.case_documents import DocumentFactsError
from tests.regulation_texts import regulations_dir

NUMBER = "沈公（技）罚决字〔2026〕0007号"


@pytest.fixture
def texts(runner):
    path = regulations_dir() / "liaoning-2014.md"
    result = runner.invoke(args=["import", "regulation", str(path), "--jurisdiction", "liaoning"])
    assert result.exit_code == 0, result.output


def make_case(**fields) -> PenaltyCase:
    values = {
        "case_number": NUMBER, "party_name": "沈阳盛京商贸广场有限公司", "party_type": "unit",
        "party_id_type": "credit_code", "party_id_number": "91210100MA0T000019",
        "party_address": "沈阳市和平区中华路88号", "jurisdiction": "liaoning", "provision_code": "liaoning-31",
        "provision_item": 1, "authority_code": "210100", "opened_on": dt.date(2026, 7, 1),
        "act_date": dt.date(2026, 6, 1), "facts": "经营的大型商场未依法安装技防系统，逾期未改正",
        "state": "decided", "outcome": "fined", "fine_decided_fen": 3_000_000, "decided_on": dt.date(2026, 9, 1),
        "served_on": dt.date(2026, 9, 2), "service_method": "direct", "hearing_offered": True,
        "proposed_fen": 3_000_000, "notified_on": dt.date(2026, 8, 1),
    }
    values.update(fields)
    case = PenaltyCase(**values)
    _db.session.add(case)
    _db.session.commit()
    return case


def test_a_decided_case_maps_to_its_decision_with_the_pack_and_the_imported_text(db, texts):
    text = case_document(make_case(), "decision", dt.date(2026, 11, 28)).text()
    for expected in (
        "沈阳市公安局", "行政处罚决定书", NUMBER, "沈阳盛京商贸广场有限公司", "统一社会信用代码：91210100MA0T000019",
        "《辽宁省公共安全技术防范条例》第三十一条第（一）项", "《辽宁省公共安全技术防范条例》第十条",
        "（一）未依法安装技防系统的；",  # art. 31's own text, from the database
        "人民币叁万元整", "【待设置】代收罚款的指定银行", "六十日内向沈阳市人民政府申请行政复议", "2026年9月1日",
    ):
        assert expected in text, expected


def test_without_the_imported_text_the_decision_is_refused_naming_the_article(db):
    with pytest.raises(DocumentFactsError, match="未附条文内容"):
        case_document(make_case(), "decision", dt.date(2026, 11, 28))


def test_each_document_of_a_case_takes_the_case_number_with_its_own_series(db, texts):
    case = make_case()
    assert case_document(case, "notice", dt.date(2026, 11, 28)).number == "沈公（技）罚告字〔2026〕0007号"
    proof = case_document(case, "service_proof", dt.date(2026, 11, 28))
    assert proof.number == "沈公（技）送达字〔2026〕0007号"
    assert "直接送达" in proof.text() and NUMBER in proof.text() and "2026年9月2日" in proof.text()
    assert document_number("X-1", "reminder") == "X-1（催告书）"


def test_the_reminder_states_the_unpaid_fine_and_the_surcharge_to_the_day(db, texts):
    # served 2026-09-02, due 15 days later; by 2026-11-28 the surcharge has reached the fine (cap)
    text = case_document(make_case(), "reminder", dt.date(2026, 11, 28)).text()
    assert "缴纳罚款人民币30,000元（大写：人民币叁万元整）" in text
    assert "缴纳截至2026年11月28日的加处罚款人民币30,000元" in text
    assert "十个工作日内" in text


def test_the_reminder_counts_the_receipts_and_the_paused_days(db, texts):
    case = make_case()
    # due 2026-09-17 (15 days after service); 10,000 yuan paid on 09-20; a review pauses 09-25 to 10-04
    _db.session.add_all([
        CasePayment(case_id=case.id, receipt_number="R-1", paid_on=dt.date(2026, 9, 20), amount_fen=1_000_000),
        CasePause(case_id=case.id, kind="review", start_on=dt.date(2026, 9, 25), end_on=dt.date(2026, 10, 4)),
    ])
    _db.session.commit()
    text = case_document(case, "reminder", dt.date(2026, 10, 10)).text()
    # 3 days on 30,000 yuan (09-18..09-20) = 2,700; then 20,000 yuan from 09-21 to 10-10 less 10 paused
    # days = 10 days × 600 = 6,000: 8,700 yuan of surcharge
    assert "缴纳罚款人民币20,000元（大写：人民币贰万元整）" in text
    assert "缴纳截至2026年10月10日的加处罚款人民币8,700元（大写：人民币捌仟柒佰元整）" in text


def test_the_reminder_of_a_fine_with_cents_demands_it_to_the_fen(db, texts):
    """An imported fine of 1,234.56元, served 2026-09-02 and due 09-17: ten late days to 09-27 at 3% of the
    whole fine are 370.368元, floored to the fen (not 3% of 1,234元)."""
    case = make_case(fine_decided_fen=123_456, proposed_fen=123_456)
    text = case_document(case, "reminder", dt.date(2026, 9, 27)).text()
    assert "缴纳罚款人民币1,234.56元（大写：人民币壹仟贰佰叁拾肆元伍角陆分）" in text
    assert "缴纳截至2026年9月27日的加处罚款人民币370.36元（大写：人民币叁佰柒拾元叁角陆分）" in text


def test_a_case_not_decided_offers_no_decision_and_no_hearing_notice_without_time_and_place(db, texts):
    case = make_case(outcome="pending", decided_on=None, served_on=None, state="notified")
    with pytest.raises(DocumentFactsError, match="尚未作出决定"):
        case_document(case, "decision", dt.date(2026, 11, 28))
    with pytest.raises(DocumentFactsError, match="未写明听证的时间和地点"):
        case_document(case, "hearing_notice", dt.date(2026, 11, 28))
    notice = case_document(case, "notice", dt.date(2026, 11, 28)).text()
    assert "拟对你单位作出如下行政处罚" in notice and "有权要求举行听证" in notice


def test_a_no_penalty_decision_states_its_reason(db, texts):
    case = make_case(outcome="no_penalty", fine_decided_fen=0, no_penalty_reason="not_established")
    document = case_document(case, "decision", dt.date(2026, 11, 28))
    assert document.title == "不予行政处罚决定书" and "违法事实不能成立" in document.text()


def test_an_order_to_correct_maps_to_its_notice(db, texts):
    order = OrderToCorrect(
        number="沈公（技）责改字〔2026〕0003号", authority_code="210100", jurisdiction="liaoning",
        party_name="沈阳盛京商贸广场有限公司", party_type="unit", party_id_type="credit_code",
        party_id_number="91210100MA0T000019", provision_code="liaoning-31", provision_item=1,
        facts="经营的大型商场未依法安装技防系统", issued_on=dt.date(2026, 6, 5), deadline=dt.date(2026, 7, 5),
    )
    _db.session.add(order)
    _db.session.commit()
    text = order_document(order).text()
    assert "责令限期改正通知书" in text and "于2026年7月5日前改正上述违法行为" in text
    assert "《辽宁省公共安全技术防范条例》第十条" in text
