"""The builders: one function per document of a penalty case, each from :class:`CaseDocumentFacts` to one
:class:`Document`. Periods, rates and the articles that set them come from the national law data
(workflows/national/administrative_penalty_law.yaml), never from figures typed here.

Each builder refuses (DocumentFactsError, in Chinese, naming the fact) a document the law would not let the
bureau issue as it stands: a decision that neither imposes a penalty nor says why not, a fine without the
bank to pay it at, a citation without its text, a hearing notice without date and place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable

from reports.case_documents.facts import (
    KIND_TITLES,
    CaseDocumentFacts,
    DocumentFactsError,
    Provision,
)
from reports.case_documents.model import (
    Block,
    Document,
    Heading,
    LabelledField,
    Note,
    Paragraph,
    Quote,
    SealBlock,
    Table,
)
from reports.money import yuan_capital
from workflows.penalty_pack import Citation, chinese_numeral, load_national_law

PENALTY_LAW = "中华人民共和国行政处罚法"
COERCION_LAW = "中华人民共和国行政强制法"
_DIGITS = "零壹贰叁肆伍陆柒捌玖"


# --- small texts every document shares -------------------------------------------------------------------
def date_zh(day: dt.date | None) -> str:
    """2026年11月28日; a blank to fill by hand when the date is not known yet."""
    return f"{day.year}年{day.month}月{day.day}日" if day else "＿＿＿＿年＿＿月＿＿日"  # to fill by hand


def datetime_zh(moment: dt.datetime) -> str:
    return f"{date_zh(moment.date())}{moment.hour}时{moment.minute:02d}分"


def amount_figures(fen: int) -> str:
    """3000000 → 30,000元; 123456 → 1,234.56元."""
    whole, cents = divmod(int(fen), 100)
    return f"{whole:,}元" if not cents else f"{whole:,}.{cents:02d}元"


def amount_capital(fen: int) -> str:
    """3000000 → 人民币叁万元整; 123456 → 人民币壹仟贰佰叁拾肆元伍角陆分 (so that it cannot be altered)."""
    whole, cents = divmod(int(fen), 100)
    if not cents:
        return f"人民币{yuan_capital(whole)}"
    import cn2an  # imported on first use: its import compiles its patterns (~0.3 s), every command paid it

    jiao, fen_digit = divmod(cents, 10)
    text = f"{cn2an.an2cn(whole, 'up')}元" if whole else ""
    if jiao:
        text += f"{_DIGITS[jiao]}角"
    elif whole:
        text += "零"
    text += f"{_DIGITS[fen_digit]}分" if fen_digit else "整"
    return f"人民币{text}"


def amount_text(fen: int) -> str:
    """人民币30,000元（大写：人民币叁万元整）: figures and capitals side by side."""
    return f"人民币{amount_figures(fen)}（大写：{amount_capital(fen)}）"


def _label(citation: Citation) -> str:
    return citation.label()


def _require(value, message: str):
    if not value:
        raise DocumentFactsError(message)
    return value


def _provisions(provisions: Iterable[Provision], what: str) -> tuple[Provision, ...]:
    provisions = tuple(provisions)
    _require(provisions, f"未写明{what}")
    for provision in provisions:
        _require(provision.text.strip(), f"{provision.label()}未附条文内容，不能引用")
    return provisions


def _labels(provisions: Iterable[Provision]) -> str:
    return "、".join(p.label() for p in provisions)


def _party_fields(facts: CaseDocumentFacts) -> list[Block]:
    party = facts.party
    _require(party.name.strip(), "未写明当事人名称（姓名）")
    fields: list[Block] = [LabelledField("当事人", party.name)]
    if party.type == "unit":
        fields.append(LabelledField(party.identifier_label, party.identifier))
        if party.legal_representative:
            fields.append(LabelledField("法定代表人（负责人）", party.legal_representative))
        fields.append(LabelledField("住所", party.address))
    else:
        fields.append(LabelledField(party.identifier_label, party.identifier))
        fields.append(LabelledField("住址", party.address))
    return fields


def _facts_paragraphs(facts: CaseDocumentFacts) -> list[Block]:
    _require(facts.facts.strip(), "未写明违法事实")
    when = f"{date_zh(facts.act_date)}，" if facts.act_date else ""
    blocks: list[Block] = [Paragraph(f"经查，{when}{facts.party.you}{facts.facts.strip().rstrip('。')}。")]
    if facts.evidence.strip():
        blocks.append(Paragraph(f"以上事实有{facts.evidence.strip().rstrip('。')}等证据证实。"))
    return blocks


def _quotes(*groups: Iterable[Provision]) -> list[Block]:
    """The text of every provision cited, each once, in the order cited: an annex after the seal, so that the
    body and the seal stay together as in any 文书."""
    seen: list[Provision] = []
    for group in groups:
        for provision in group:
            if provision not in seen:
                seen.append(provision)
    if not seen:
        return []
    return [Heading("附：引用的法律条文"), *(Quote(p.label(), p.text.strip()) for p in seen)]


def _rights(facts: CaseDocumentFacts, act: str) -> Paragraph:
    """Administrative review (60 days) and litigation (6 months), the bodies to address, and that a challenge
    does not stay a penalty (行政处罚法 art. 73(1))."""
    _require(facts.review_body.strip(), "未写明行政复议机关")
    periods = load_national_law().case_periods
    review, litigation = periods.review, periods.litigation
    court = facts.court.strip() or "有管辖权的人民法院"
    text = (
        f"{facts.party.you}如不服本{act}，可以在收到本{act}之日起{chinese_numeral(review.days)}日内向"
        f"{facts.review_body}申请行政复议，或者在{chinese_numeral(litigation.months)}个月内依法向{court}"
        f"提起行政诉讼（{_label(review.reference)}、{_label(litigation.reference)}）。"
    )
    if act == "决定书":
        text += f"行政复议或者行政诉讼期间，本决定不停止执行，法律另有规定的除外（《{PENALTY_LAW}》第七十三条第一款）。"
    return Paragraph(text)


def _payment(facts: CaseDocumentFacts, within: str) -> list[Block]:
    """Where and by when to pay (罚缴分离, art. 67) and the surcharge rule (art. 72; 行政强制法 art. 45)."""
    place = _require(facts.payment, "有罚款或者没收违法所得，但未写明代收罚款的指定银行（规则包 fine_payment）")
    _require(place.bank.strip(), "未写明代收罚款的指定银行")
    law = load_national_law()
    account = "；".join(part for part in (
        f"户名：{place.account_name}" if place.account_name else "",
        f"账号：{place.account_number}" if place.account_number else "",
    ) if part)
    where = place.bank + (f"（{account}）" if account else "")
    electronic = f"，或者通过{place.electronic}" if place.electronic else ""
    separation = Citation(law=PENALTY_LAW, article=67, paragraph=1)
    late = law.thresholds.late_payment
    return [
        Paragraph(
            f"{facts.party.you}应当{within}，持本决定书到{where}{electronic}缴纳罚款（{_label(law.case_periods.payment.reference)}）。"
            f"罚款一律缴入指定银行，本机关及办案人员不收缴罚款（{_label(separation)}）。"
        ),
        Paragraph(
            f"到期不缴纳罚款的，本机关将每日按罚款数额的百分之{chinese_numeral(late.percent_per_day)}加处罚款，"
            f"加处罚款的数额不得超出罚款的数额（{_label(late.reference)}、{_label(law.money.surcharge_cap.reference)}）。"
        ),
    ]


def _penalty_lines(facts: CaseDocumentFacts) -> list[str]:
    penalty = facts.penalty
    if penalty is None or penalty.is_empty:
        return []
    if penalty.fine_fen < 0 or penalty.confiscation_fen < 0:
        raise DocumentFactsError("罚款和没收金额不能为负数")
    lines = []
    if penalty.warning:
        lines.append("警告")
    if penalty.fine_fen:
        lines.append(f"罚款{amount_text(penalty.fine_fen)}")
    if penalty.confiscation_fen:
        lines.append(f"没收违法所得{amount_text(penalty.confiscation_fen)}")
    if penalty.confiscated_items:
        lines.append(f"没收非法财物：{penalty.confiscated_items}")
    return [f"（{chinese_numeral(i)}）{line}；" for i, line in enumerate(lines, 1)]


def _other_measures(facts: CaseDocumentFacts) -> list[Block]:
    measures = facts.penalty.other_measures if facts.penalty else ()
    return [Paragraph(f"同时：{'；'.join(m.rstrip('。；') for m in measures)}。")] if measures else []


def _seal(facts: CaseDocumentFacts) -> SealBlock:
    _require(facts.authority.strip(), "未写明作出文书的公安机关")
    return SealBlock(facts.authority, date_zh(facts.issued_on))


def _document(kind: str, facts: CaseDocumentFacts, blocks: list[Block], title: str | None = None) -> Document:
    _require(facts.number.strip(), "未写明文书编号")
    return Document(kind=kind, authority=facts.authority, title=title or KIND_TITLES[kind], number=facts.number,
                    blocks=tuple(blocks))


def _contact(facts: CaseDocumentFacts) -> list[Block]:
    lines = []
    if facts.authority_address:
        lines.append(Note(f"本机关地址：{facts.authority_address}"))
    if facts.contact:
        lines.append(Note(f"联系人及电话：{facts.contact}"))
    return lines


# --- the documents ---------------------------------------------------------------------------------------
def order_to_correct(facts: CaseDocumentFacts) -> Document:
    """责令限期改正通知书 (行政处罚法 art. 28(1)): the act, the provision broken, the deadline, what follows
    if it is missed, and the party's remedies."""
    violated = _provisions(facts.violated, "违反的法律条文")
    deadline = _require(facts.correction_deadline, "未写明改正期限")
    if deadline <= facts.issued_on:
        raise DocumentFactsError("改正期限必须晚于通知书日期")
    requirements = f"，改正要求：{facts.correction_requirements.strip().rstrip('。')}" if facts.correction_requirements.strip() else ""
    consequence = (
        f"逾期不改正的，本机关将依照{_labels(facts.basis)}的规定依法处理。" if facts.basis else "逾期不改正的，本机关将依法处理。"
    )
    order = Citation(law=PENALTY_LAW, article=28, paragraph=1)
    blocks: list[Block] = [
        *_party_fields(facts),
        *_facts_paragraphs(facts),
        Paragraph(f"{facts.party.you}的上述行为违反了{_labels(violated)}的规定。"),
        Paragraph(
            f"根据{_label(order)}{'和' + _labels(facts.basis) if facts.basis else ''}的规定，现责令{facts.party.you}"
            f"于{date_zh(deadline)}前改正上述违法行为{requirements}，并将改正情况书面报告本机关。{consequence}"
        ),
        _rights(facts, "通知书"),
        _seal(facts),
        *_contact(facts),
        *_quotes(violated, facts.basis),
    ]
    return _document("order_to_correct", facts, blocks)


def notice(facts: CaseDocumentFacts) -> Document:
    """行政处罚告知书: the facts, the provisions and the proposed penalty, and the party's rights to state its
    case (arts. 44–45) and, where the amount proposed reaches the threshold, to a hearing (arts. 63–64)."""
    violated = _provisions(facts.violated, "违反的法律条文")
    basis = _provisions(facts.basis, "处罚依据")
    lines = _require(_penalty_lines(facts), "未写明拟作出的行政处罚")
    periods = load_national_law().case_periods
    you = facts.party.you
    by = f"于{date_zh(facts.statement_by)}前" if facts.statement_by else "在本机关作出行政处罚决定之前"
    blocks: list[Block] = [
        *_party_fields(facts),
        *_facts_paragraphs(facts),
        Paragraph(f"{you}的上述行为违反了{_labels(violated)}的规定。根据{_labels(basis)}的规定，本机关拟对{you}作出如下行政处罚："),
        *(Paragraph(line) for line in lines),
        *_other_measures(facts),
        Heading("当事人的权利"),
        Paragraph(
            f"根据《{PENALTY_LAW}》第四十四条、第四十五条的规定，{you}有权进行陈述和申辩。{you}可以{by}向本机关提出"
            f"陈述、申辩意见，本机关将进行复核；{you}提出的事实、理由或者证据成立的，本机关将予以采纳。"
            "本机关不因当事人陈述、申辩而给予更重的处罚。逾期未提出的，视为放弃陈述、申辩的权利。"
        ),
    ]
    if facts.hearing_due:
        request = periods.hearing_request
        until = f"，即最迟于{date_zh(facts.hearing_request_by)}" if facts.hearing_request_by else ""
        blocks.append(Paragraph(
            f"根据《{PENALTY_LAW}》第六十三条、第六十四条的规定，{you}有权要求举行听证。要求听证的，应当在收到本告知书之日起"
            f"{chinese_numeral(request.working_days)}个工作日内{until}向本机关提出（{_label(request.reference)}、"
            f"{_label(request.working_days_basis)}）；逾期未提出的，视为放弃听证的权利。当事人不承担听证的费用。"
        ))
    blocks += [_seal(facts), *_contact(facts), *_quotes(violated, basis)]
    return _document("notice", facts, blocks)


def hearing_notice(facts: CaseDocumentFacts) -> Document:
    """听证通知书 (行政处罚法 art. 64): when and where, public or not, the host, and the party's rights at it."""
    hearing = _require(facts.hearing, "未写明听证的时间和地点")
    _require(hearing.place.strip(), "未写明听证地点")
    if hearing.at.date() <= facts.issued_on:
        raise DocumentFactsError("听证日期必须晚于通知书日期（应当在举行听证的七日前通知当事人）")
    you = facts.party.you
    requested = f"{you}于{date_zh(hearing.requested_on)}提出的听证要求，" if hearing.requested_on else f"根据{you}的听证要求，"
    host = f"听证由{hearing.host}主持。" if hearing.host else ""
    blocks: list[Block] = [
        Paragraph(f"{facts.party.name}：", indent=False),
        Paragraph(
            f"{requested}本机关决定于{datetime_zh(hearing.at)}在{hearing.place}就本机关拟对{you}作出行政处罚一案"
            f"{'公开' if hearing.public else '不公开'}举行听证。{host}"
        ),
        Paragraph(
            f"{you}可以亲自参加听证，也可以委托一至二人代理；认为主持人与本案有直接利害关系的，有权申请回避。"
            f"请携带身份证明（单位请携带营业执照副本及法定代表人身份证明）和有关证据按时参加；委托代理人参加的，"
            f"应当提交授权委托书。无正当理由拒不出席听证或者未经许可中途退出听证的，视为放弃听证权利，本机关终止听证"
            f"（《{PENALTY_LAW}》第六十四条）。"
        ),
        _seal(facts),
        *_contact(facts),
    ]
    return _document("hearing_notice", facts, blocks)


def decision(facts: CaseDocumentFacts) -> Document:
    """行政处罚决定书 (行政处罚法 art. 59), or 不予行政处罚决定书 when ``no_penalty_reason`` is given."""
    violated = _provisions(facts.violated, "违反的法律条文")
    lines = _penalty_lines(facts)
    reason = facts.no_penalty_reason.strip()
    if lines and reason:
        raise DocumentFactsError("决定书不能同时作出处罚和不予处罚")
    if not lines and not reason:
        raise DocumentFactsError("行政处罚决定书必须写明处罚内容（罚款、警告或者没收），或者不予行政处罚的理由")
    you = facts.party.you
    blocks: list[Block] = [*_party_fields(facts), Heading("一、违法事实和证据"), *_facts_paragraphs(facts)]
    if facts.statements.strip():
        blocks += [Heading("二、陈述、申辩和听证情况"), Paragraph(facts.statements.strip())]
    step = chinese_numeral(3 if facts.statements.strip() else 2)
    if reason:
        blocks += [
            Heading(f"{step}、不予处罚的理由和依据"),
            Paragraph(f"{you}的上述行为违反了{_labels(violated)}的规定。{reason.rstrip('。')}。"
                      f"本机关决定对{you}不予行政处罚，并对{you}进行教育。"),
            _rights(facts, "决定书"),
            _seal(facts),
            *_contact(facts),
            *_quotes(violated, facts.basis),
        ]
        return _document("decision", facts, blocks, title="不予行政处罚决定书")
    basis = _provisions(facts.basis, "处罚依据")
    blocks += [
        Heading(f"{step}、处罚依据和处罚决定"),
        Paragraph(f"{you}的上述行为违反了{_labels(violated)}的规定。根据{_labels(basis)}的规定，本机关决定对{you}作出如下行政处罚："),
        *(Paragraph(line) for line in lines),
        *_other_measures(facts),
    ]
    step = chinese_numeral(4 if facts.statements.strip() else 3)
    blocks.append(Heading(f"{step}、履行方式和期限"))
    if facts.penalty.fine_fen or facts.penalty.confiscation_fen:
        period = load_national_law().case_periods.payment
        blocks += _payment(facts, f"自收到本决定书之日起{chinese_numeral(period.days)}日内")
    else:
        blocks.append(Paragraph("本决定自送达之日起生效。"))
    step = chinese_numeral(5 if facts.statements.strip() else 4)
    blocks += [
        Heading(f"{step}、救济途径"),
        _rights(facts, "决定书"),
        _seal(facts),
        *_contact(facts),
        *_quotes(violated, basis),
    ]
    return _document("decision", facts, blocks)


def service_proof(facts: CaseDocumentFacts) -> Document:
    """送达回证: the form the receiver signs; blank cells are filled by hand on service."""
    service = _require(facts.service, "未写明送达的文书")
    _require(service.document_title.strip(), "未写明送达的文书名称")
    rows = (
        ("送达文书名称", service.document_title),
        ("送达文书文号", service.document_number),
        ("受送达人", facts.party.name),
        ("送达地点", service.place),
        ("送达方式", service.method),
        ("送达时间", date_zh(service.served_on)),
        ("受送达人签名或者盖章", service.receiver),
        ("代收人及代收理由", ""),
        ("送达人", service.servers),
        ("备注", service.note),
    )
    blocks: list[Block] = [
        Table(rows=rows, widths=(1.3, 2.7), row_height_mm=11),
        Note("受送达人拒绝签收的，送达人应当在备注栏注明拒收事由和日期，由送达人、见证人签名或者盖章，把文书留在受送达人的住所。"),
        _seal(facts),
    ]
    return _document("service_proof", facts, blocks)


def reminder(facts: CaseDocumentFacts) -> Document:
    """催告书 (行政强制法 arts. 35, 54): the duty, the period and way to perform it, the amount, and the right
    to state one's case, before the bureau may ask the court to enforce."""
    due = _require(facts.reminder, "未写明催告的行政处罚决定")
    if due.unpaid_fen < 0 or due.surcharge_fen < 0:
        raise DocumentFactsError("催告金额不能为负数")
    if not due.unpaid_fen and not due.surcharge_fen and not due.other_duty.strip():
        raise DocumentFactsError("催告书必须写明未履行的义务（未缴罚款、加处罚款或者其他义务）")
    you = facts.party.you
    period = load_national_law().case_periods.enforcement_reminder
    duties = []
    if due.unpaid_fen:
        duties.append(f"缴纳罚款{amount_text(due.unpaid_fen)}")
    if due.surcharge_fen:
        later = "（此后继续按日加处，至罚款数额为止）" if due.unpaid_fen else ""
        duties.append(f"缴纳截至{date_zh(due.as_of)}的加处罚款{amount_text(due.surcharge_fen)}{later}")
    if due.other_duty.strip():
        duties.append(due.other_duty.strip().rstrip("。"))
    blocks: list[Block] = [
        Paragraph(f"{facts.party.name}：", indent=False),
        Paragraph(
            f"本机关于{date_zh(due.decision_date)}对{you}作出{due.decision_number}《行政处罚决定书》，"
            f"已于{date_zh(due.served_on)}送达{you}。{you}在法定期限内未申请行政复议或者提起行政诉讼，"
            f"至今未履行该决定。"
        ),
        Paragraph(
            f"根据《{COERCION_LAW}》第三十五条、第五十四条的规定，现催告{you}自收到本催告书之日起"
            f"{chinese_numeral(period.working_days)}个工作日内履行下列义务："
        ),
        *(Paragraph(f"（{chinese_numeral(i)}）{duty}；") for i, duty in enumerate(duties, 1)),
    ]
    if due.unpaid_fen or due.surcharge_fen:
        place = _require(facts.payment, "未写明代收罚款的指定银行（规则包 fine_payment）")
        account = "；".join(p for p in (f"户名：{place.account_name}" if place.account_name else "",
                                        f"账号：{place.account_number}" if place.account_number else "") if p)
        blocks.append(Paragraph(f"罚款及加处罚款缴至{place.bank}{f'（{account}）' if account else ''}，不向本机关缴纳。"))
    blocks += [
        Paragraph(
            f"{you}有权进行陈述和申辩，可以在上述期限内向本机关提出；本机关将记录、复核，{you}提出的事实、理由或者证据成立的，"
            f"本机关将采纳（《{COERCION_LAW}》第三十五条第（四）项、第三十六条）。逾期仍不履行的，本机关将依法申请人民法院强制执行"
            f"（{_label(period.reference)}）。"
        ),
        _seal(facts),
        *_contact(facts),
    ]
    return _document("reminder", facts, blocks)


BUILDERS: dict[str, Callable[[CaseDocumentFacts], Document]] = {
    "order_to_correct": order_to_correct,
    "notice": notice,
    "hearing_notice": hearing_notice,
    "decision": decision,
    "service_proof": service_proof,
    "reminder": reminder,
}


def build(kind: str, facts: CaseDocumentFacts) -> Document:
    """The document of that kind (a key of KIND_TITLES) from the facts."""
    try:
        builder = BUILDERS[kind]
    except KeyError:
        raise DocumentFactsError(f"没有这种文书：{kind}") from None
    return builder(facts)
