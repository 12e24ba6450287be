"""What a case document states, as plain data: no database, no Flask. The case (app/cases) maps its record
to these dataclasses in one function; the builders (builders.py) turn them into documents and refuse, with
:class:`DocumentFactsError`, a document that would lack a fact the law requires of it.

Money is integer fen. Dates are ``datetime.date`` (Beijing calendar days), times ``datetime.datetime``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from workflows.penalty_pack import chinese_numeral

PartyType = Literal["unit", "individual"]

# The documents a penalty case issues, by the key the routes and the builders use.
KIND_TITLES: dict[str, str] = {
    "order_to_correct": "责令限期改正通知书",
    "notice": "行政处罚告知书",
    "hearing_notice": "听证通知书",
    "decision": "行政处罚决定书",
    "service_proof": "送达回证",
    "reminder": "催告书",
}


class DocumentFactsError(ValueError):
    """A document cannot be issued: a fact it must state is missing or contradicts another. The message is
    Chinese, names the fact, and is shown to the clerk as it is."""


@dataclass(frozen=True)
class Party:
    """当事人. ``identifier`` is the unified social credit code of a unit, the resident ID of a person."""

    name: str
    type: PartyType
    identifier: str = ""
    address: str = ""
    legal_representative: str = ""  # a unit's 法定代表人 (负责人)
    id_label: str = ""  # what the identifier is, where not the default (护照号码…)

    @property
    def identifier_label(self) -> str:
        return self.id_label or ("统一社会信用代码" if self.type == "unit" else "公民身份号码")

    @property
    def you(self) -> str:
        """How the documents address the party: 你单位 / 你."""
        return "你单位" if self.type == "unit" else "你"


@dataclass(frozen=True)
class Provision:
    """One cited provision with its text. ``law`` is the title without book marks (《》); ``text`` is the
    article as stored (app/penalties/regulations.py article_text), quoted in the document."""

    law: str
    article: int
    paragraph: int | None = None
    items: tuple[int, ...] = ()
    text: str = ""

    def label(self) -> str:
        """《辽宁省公共安全技术防范条例》第三十一条第一款第（一）项."""
        text = f"《{self.law}》第{chinese_numeral(self.article)}条"
        if self.paragraph:
            text += f"第{chinese_numeral(self.paragraph)}款"
        text += "、".join(f"第（{chinese_numeral(item)}）项" for item in self.items)
        return text


@dataclass(frozen=True)
class Penalty:
    """The penalty decided (or proposed). A fine and a confiscation are fen; ``other_measures`` are the
    measures the decision states besides (责令限期改正, 依法强制拆除…), each in the words of the article."""

    fine_fen: int = 0
    warning: bool = False
    confiscation_fen: int = 0  # 没收违法所得
    confiscated_items: str = ""  # 没收非法财物, as listed
    other_measures: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.fine_fen or self.warning or self.confiscation_fen or self.confiscated_items)


@dataclass(frozen=True)
class PaymentPlace:
    """Where a fine is paid: the designated bank, never the bureau (罚缴分离, 行政处罚法 art. 67). From the
    deployment's pack (jurisdiction.yaml ``fine_payment``)."""

    bank: str
    account_name: str = ""
    account_number: str = ""
    electronic: str = ""  # 电子支付系统, where the bureau offers one


@dataclass(frozen=True)
class Hearing:
    """A hearing the party asked for (行政处罚法 art. 64)."""

    at: dt.datetime
    place: str
    requested_on: dt.date | None = None
    host: str = ""  # 听证主持人
    public: bool = True


@dataclass(frozen=True)
class Service:
    """送达: the document served, how, when, to whom (行政处罚法 art. 61; 民事诉讼法 service rules)."""

    document_title: str
    document_number: str
    method: str = ""  # 直接送达, 留置送达, 邮寄送达, 电子送达…; blank on a form printed before service
    place: str = ""
    served_on: dt.date | None = None  # blank lines to fill by hand when not yet served
    receiver: str = ""  # who signed; blank for the receiver's own signature
    servers: str = ""  # 送达人
    note: str = ""


@dataclass(frozen=True)
class Reminder:
    """A reminder before asking the court to enforce (行政强制法 arts. 35, 54). ``unpaid_fen`` is the fine
    still unpaid, ``surcharge_fen`` the surcharge as of ``as_of`` (workflows.case_periods.amount_due)."""

    decision_number: str
    decision_date: dt.date
    served_on: dt.date
    as_of: dt.date
    unpaid_fen: int = 0
    surcharge_fen: int = 0
    other_duty: str = ""  # a duty that is not money (依法强制拆除…), in the decision's words


@dataclass(frozen=True)
class CaseDocumentFacts:
    """Everything any case document states. Each builder reads the fields its document needs and refuses
    the document when a required one is missing (:class:`DocumentFactsError`)."""

    authority: str  # the issuing public security organ, as it signs
    number: str  # the document's own number (文号)
    party: Party
    issued_on: dt.date  # the date of the document, above the seal (art. 59)
    facts: str = ""  # 违法事实, as the investigation found them
    evidence: str = ""  # 证据, listed
    act_date: dt.date | None = None
    discovered_on: dt.date | None = None
    violated: tuple[Provision, ...] = ()  # the provisions the act breaks
    basis: tuple[Provision, ...] = ()  # the penalty provisions (罚则), to the item
    penalty: Penalty | None = None
    no_penalty_reason: str = ""  # a decision not to penalise, with its article (行政处罚法 art. 33 …)
    statements: str = ""  # 当事人陈述、申辩（听证）情况 and the bureau's answer, for the decision
    payment: PaymentPlace | None = None
    correction_deadline: dt.date | None = None
    correction_requirements: str = ""
    hearing_due: bool = False  # the amount proposed reaches the hearing threshold (arts. 63–64)
    hearing_request_by: dt.date | None = None  # last day to ask (5 working days, art. 64(1))
    statement_by: dt.date | None = None  # last day to state one's case, where the bureau sets one
    hearing: Hearing | None = None
    service: Service | None = None
    reminder: Reminder | None = None
    review_body: str = ""  # 行政复议机关 (see review_body_for)
    court: str = ""  # the people's court with jurisdiction; empty: "有管辖权的人民法院"
    contact: str = ""  # 联系人及电话 of the bureau
    authority_address: str = ""
    attachments: tuple[str, ...] = field(default_factory=tuple)


def review_body_for(authority: str, level: str, override: str | None = None) -> str:
    """The body a party applies to for administrative review of a public security organ's act.

    Reading (行政复议法 as revised 2023, in force 2024-01-01): art. 24(1) gives review of an act of a work
    department of a people's government at or above county level to the people's government at that level;
    the former choice of the higher department (1999 text, art. 12) remains only for the vertically led
    organs of art. 27 (customs, finance, foreign exchange, tax, state security), which do not include public
    security. So a 公安厅 is reviewed by the provincial government, a 市/县公安局 by the city or county
    government; a 公安分局 of a city bureau (a 派出机构 acting in its own name, art. 24(4)) by the city's
    government (its district's government may also take it). A league's bureau (盟) answers to the league's
    administrative office, which stands in for a city government (art. 24(3)): the pack names such bodies
    per authority (``review_body``), passed here as ``override``.
    """
    if override:
        return override
    if level == "provincial" and authority.endswith("公安厅"):
        return authority.removesuffix("公安厅") + "人民政府"
    if "公安局" in authority:
        return authority.split("公安局", 1)[0] + "人民政府"
    raise DocumentFactsError(f"无法确定“{authority}”的行政复议机关，请在规则包中为该机关设置 review_body")
