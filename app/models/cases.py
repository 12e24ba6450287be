"""Complaints, warnings and penalty cases: the minimal records the exports and the annual statistics count.

The ``state`` columns use the state names of workflows/definitions/complaint.yaml and penalty_case.yaml, so
the workflows can take these rows over as they are. Money is integer fen (DESIGN: money), never floats.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, Text, Time, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow

COMPLAINT_OUTCOMES = {
    "pending": "办理中", "substantiated": "查证属实", "unsubstantiated": "查证不属实", "refused": "不予受理",
}
CASE_OUTCOMES = {
    "pending": "待决定", "fined": "罚款", "warning_only": "警告", "no_penalty": "不予处罚", "withdrawn": "撤销立案",
    "transferred": "移送司法机关",
}
PARTY_TYPES = {"unit": "单位", "individual": "个人"}


class Complaint(db.Model):
    """A complaint about a firm's service (workflows/definitions/complaint.yaml).

    Rows imported or loaded by the demo carry no reference and no complainant. The complainant's name,
    phone, e-mail, own words (`subject`) and attachments are for the bureau only: nothing a firm can reach
    reads them; the firm sees `firm_summary`, which a clerk writes for it, the state and the outcome.
    """

    __tablename__ = "complaint"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What the complainant quotes to follow the complaint at /complaints/track, with the phone number.
    reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    received_on: Mapped[dt.date] = mapped_column(index=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    firm_name: Mapped[str] = mapped_column(String(200), default="")
    firm_credit_code: Mapped[str] = mapped_column(String(18), default="", server_default="")
    subject: Mapped[str] = mapped_column(Text, default="")
    occurred_on: Mapped[dt.date | None]
    place: Mapped[str] = mapped_column(String(300), default="", server_default="")
    city_code: Mapped[str | None] = mapped_column(String(12))
    # The complainant says he or she used the firm's service (art. 28: "因服务受到用户投诉").
    service_user: Mapped[bool] = mapped_column(default=False, server_default=false())
    complainant_name: Mapped[str] = mapped_column(String(100), default="", server_default="")
    complainant_phone: Mapped[str] = mapped_column(String(40), default="", server_default="", index=True)
    complainant_email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # The bureau handling it: the firm's filing bureau, else the bureau of the city where it happened.
    authority_code: Mapped[str | None] = mapped_column(String(12), index=True)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    assigned_at: Mapped[dt.datetime | None]
    firm_summary: Mapped[str] = mapped_column(Text, default="", server_default="")
    firm_answer: Mapped[str] = mapped_column(Text, default="", server_default="")
    firm_answered_at: Mapped[dt.datetime | None]
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    closed_on: Mapped[dt.date | None]
    state: Mapped[str] = mapped_column(String(20), default="received")
    state_entered_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow)
    sent_actions: Mapped[list | None] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Optimistic lock: of two clerks deciding the same step at once only the first is written; the second
    # gets StaleDataError and is told the page is stale (reminders write sent_actions without bumping it).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    firm = relationship("Firm")
    assignee = relationship("User", foreign_keys=[assignee_id])
    steps = relationship("ComplaintStep", back_populates="complaint", order_by="ComplaintStep.id",
                         cascade="all, delete-orphan")
    attachments = relationship("CaseAttachment", back_populates="complaint", order_by="CaseAttachment.id")

    @property
    def editor_ids(self) -> list[int]:
        return []


class ComplaintStep(db.Model):
    """One move of a complaint: the tracking page shows when and to which state, never the comment."""

    __tablename__ = "complaint_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    transition: Mapped[str] = mapped_column(String(40))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    authority_code: Mapped[str | None] = mapped_column(String(12))
    comment: Mapped[str] = mapped_column(Text, default="")  # internal: clerks only

    complaint = relationship("Complaint", back_populates="steps")


class CaseAttachment(db.Model):
    """A file given with a complaint (by the complainant, or a clerk's evidence) or with a firm's application
    to leave the warning list; checked by content and stored under a random name (as filing materials)."""

    __tablename__ = "case_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    warning_id: Mapped[int | None] = mapped_column(ForeignKey("warning.id"), index=True)
    # Evidence of a penalty case (调查取证), uploaded by its clerks.
    case_id: Mapped[int | None] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    source: Mapped[str] = mapped_column(String(16))  # complainant | clerk | firm
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(80))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    complaint = relationship("Complaint", back_populates="attachments")
    warning = relationship("WarningNotice", back_populates="attachments")
    case = relationship("PenaltyCase", back_populates="attachments")


WARNING_CATEGORIES = {"service_complaint": "因服务受到用户投诉", "violation": "发生违法行为"}
PUBLISHED_STATES = ("warning_issued", "removal_requested", "removal_approved", "warning_lifted", "expired")
LISTED_STATES = ("warning_issued", "removal_requested", "removal_approved")


class WarningNotice(db.Model):
    """A warning notice (警示公告) about a firm, Liaoning art. 28 (workflows/definitions/warning.yaml).

    Public only once published (issued_on set, state in PUBLISHED_STATES); lifted_on when it left the list,
    by a reviewed removal or by expiry. Nothing is deleted: the firm's history keeps every listing.
    """

    __tablename__ = "warning"

    id: Mapped[int] = mapped_column(primary_key=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("firm.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("penalty_case.id"))
    category: Mapped[str] = mapped_column(String(20), default="service_complaint", server_default="service_complaint")
    authority_code: Mapped[str | None] = mapped_column(String(12), index=True)
    issued_on: Mapped[dt.date | None] = mapped_column(index=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(String(100), default="")  # article, e.g. 第二十八条
    notice_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    lifted_on: Mapped[dt.date | None]
    lift_reason: Mapped[str] = mapped_column(String(16), default="", server_default="")  # rectified | expired
    expires_on: Mapped[dt.date | None]
    state: Mapped[str] = mapped_column(String(20), default="warning_issued")
    state_entered_at: Mapped[dt.datetime | None] = mapped_column(default=utcnow)
    editor_ids: Mapped[list | None] = mapped_column(JSON, default=list)
    sent_actions: Mapped[list | None] = mapped_column(JSON, default=list)
    drafted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    notified_on: Mapped[dt.date | None]
    statement_due: Mapped[dt.date | None]
    firm_statement: Mapped[str] = mapped_column(Text, default="", server_default="")
    firm_statement_at: Mapped[dt.datetime | None]
    removal_application: Mapped[str] = mapped_column(Text, default="", server_default="")
    removal_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    removal_confirmed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # Optimistic lock: two clerks publishing one draft, or confirming one removal, at once: only the first
    # is written, the second is told the page is stale.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    firm = relationship("Firm")
    complaint = relationship("Complaint")
    attachments = relationship("CaseAttachment", back_populates="warning", order_by="CaseAttachment.id")


PARTY_ID_TYPES = {"credit_code": "统一社会信用代码", "resident_id": "居民身份证号码", "passport": "护照号码"}
SERVICE_METHODS = {
    "on_the_spot": "当场交付", "direct": "直接送达", "left": "留置送达", "post": "邮寄送达",
    "electronic": "电子送达", "entrusted": "委托送达", "announcement": "公告送达",
}
# 行政处罚法 art. 64(3): a hearing is public unless it touches one of these.
HEARING_PRIVATE_REASONS = {"state_secret": "涉及国家秘密", "trade_secret": "涉及商业秘密", "privacy": "涉及个人隐私"}
NO_PENALTY_REASONS = {
    "art33": "依照《中华人民共和国行政处罚法》第三十三条不予行政处罚",
    "time_barred": "违法行为已超过追责时效（《中华人民共和国行政处罚法》第三十六条）",
    "not_established": "违法事实不能成立",
}


class PenaltyCase(db.Model):
    """A penalty case (workflows/definitions/penalty_case.yaml): opened in the system (立案) by a clerk, or
    historical, from the bureau's spreadsheets (imports/case_rows.py; those rows leave every procedure
    column empty, and have no authority_code: only the provincial bureau sees them).

    surcharge_fen is 加处罚款 (行政处罚法 art. 72(1)): 3% of the fine a day after the payment period, never
    more than the fine itself. Money is integer fen; dates are Beijing dates.
    """

    __tablename__ = "penalty_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(64), unique=True)
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    party_type: Mapped[str] = mapped_column(String(16), default="unit")
    credit_code: Mapped[str | None] = mapped_column(String(18))
    jurisdiction: Mapped[str] = mapped_column(String(32))
    provision_code: Mapped[str] = mapped_column(String(64), index=True)
    act_date: Mapped[dt.date | None]
    decided_on: Mapped[dt.date | None] = mapped_column(index=True)
    outcome: Mapped[str] = mapped_column(String(20), default="pending")
    fine_decided_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    fine_collected_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    surcharge_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    # 减轻处罚 under 行政处罚法 art. 32: the only ground for a fine below the article's minimum.
    mitigated: Mapped[bool] = mapped_column(default=False, server_default=false())
    state: Mapped[str] = mapped_column(String(20), default="opened")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # --- a case run in the system (立案 onwards); every column empty on an imported case ---
    authority_code: Mapped[str | None] = mapped_column(String(12), index=True)  # the bureau running it
    opened_on: Mapped[dt.date | None]  # 立案: art. 60's 90 days count from here
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    order_id: Mapped[int | None] = mapped_column(ForeignKey("order_to_correct.id"))
    discovered_on: Mapped[dt.date | None]
    facts: Mapped[str] = mapped_column(Text, default="", server_default="")
    party_id_type: Mapped[str] = mapped_column(String(16), default="", server_default="")  # PARTY_ID_TYPES
    party_id_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    party_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    provision_item: Mapped[int | None] = mapped_column(Integer)
    # The proposal (拟处罚) from workflows.penalty.calculate(): the facts given to it and what it answered
    # (range, recommendation, hearing right, citation), kept as they were when the party was notified.
    proposed_fen: Mapped[int | None] = mapped_column(BigInteger)
    proposal: Mapped[dict | None] = mapped_column(JSON)
    tier: Mapped[str] = mapped_column(String(16), default="", server_default="")
    outside_tier_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # 重大复杂 (art. 57(2)): the decision needs the collective discussion of the bureau's heads.
    serious: Mapped[bool] = mapped_column(default=False, server_default=false())
    collective_discussion: Mapped[str] = mapped_column(Text, default="", server_default="")
    discussed_on: Mapped[dt.date | None]
    # 告知 (arts. 44-45, 63-64): the notice, the statement and the hearing.
    notified_on: Mapped[dt.date | None]
    hearing_offered: Mapped[bool] = mapped_column(default=False, server_default=false())
    hearing_request_due: Mapped[dt.date | None]  # 5 working days after the notice (arts. 64, 85)
    hearing_requested_on: Mapped[dt.date | None]
    hearing_held_on: Mapped[dt.date | None]
    hearing_record: Mapped[str] = mapped_column(Text, default="", server_default="")
    party_statement: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The hearing scheduled (art. 64(2)-(4), app/cases/hearing_routes.py): its day and time are a Beijing
    # wall clock (a local date and a local time, no time zone), the notice is issued on hearing_notice_on
    # (Beijing date) at least seven working days before; the host is never an investigator (editor_ids);
    # public unless hearing_private_reason (HEARING_PRIVATE_REASONS).
    hearing_on: Mapped[dt.date | None]
    hearing_time: Mapped[dt.time | None] = mapped_column(Time)
    hearing_place: Mapped[str | None] = mapped_column(String(300))
    hearing_host_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    hearing_public: Mapped[bool | None]
    hearing_private_reason: Mapped[str | None] = mapped_column(String(20))
    hearing_notice_on: Mapped[dt.date | None]
    # 法制审核 (art. 58)
    legal_reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    legal_review_opinion: Mapped[str] = mapped_column(Text, default="", server_default="")
    reviewed_on: Mapped[dt.date | None]
    # 决定 (art. 57) by the bureau head; 送达 (art. 61)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    served_on: Mapped[dt.date | None]
    service_method: Mapped[str] = mapped_column(String(20), default="", server_default="")  # SERVICE_METHODS
    no_penalty_reason: Mapped[str] = mapped_column(String(20), default="", server_default="")
    transferred_to: Mapped[str] = mapped_column(String(200), default="", server_default="")
    closed_on: Mapped[dt.date | None]
    # Art. 29: cases about one and the same act share a group (the id of the group's first case).
    same_act_group: Mapped[int | None] = mapped_column(Integer, index=True)
    # The investigators (whoever opened, investigated or proposed): never the one who decides (art. 57-58).
    editor_ids: Mapped[list | None] = mapped_column(JSON, default=list)
    state_entered_at: Mapped[dt.datetime | None]
    sent_actions: Mapped[list | None] = mapped_column(JSON, default=list)
    # Optimistic lock: two people deciding one case at once apply it once (the second is told the page is
    # stale). Imported rows start at 1 (server default).
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    firm = relationship("Firm")
    order = relationship("OrderToCorrect", foreign_keys=[order_id], overlaps="case")
    steps = relationship("CaseStep", back_populates="case", order_by="CaseStep.id", cascade="all, delete-orphan")
    attachments = relationship("CaseAttachment", back_populates="case", order_by="CaseAttachment.id")

    __table_args__ = (Index("ix_penalty_case_outcome_decided", "outcome", "decided_on"),)


class CaseStep(db.Model):
    """One move of a penalty case, for its timeline (who, when, to which state, with the comment)."""

    __tablename__ = "case_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("penalty_case.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    transition: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(20), default="", server_default="")
    to_state: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    comment: Mapped[str] = mapped_column(Text, default="", server_default="")

    case = relationship("PenaltyCase", back_populates="steps")
    actor = relationship("User")


class CaseNumberCounter(db.Model):
    """The last number handed out per authority, year and series (case | order), taken inside the opening."""

    __tablename__ = "case_number_counter"

    authority_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_seq: Mapped[int] = mapped_column(default=0)


class OrderToCorrect(db.Model):
    """An order to correct within a period (责令限期改正), issued on inspection before any case
    (workflows/definitions/order_to_correct.yaml). Where the provision fines only an act not corrected in
    time, the case is opened from the order once the deadline has passed uncorrected (its order_id names
    the order; `case` reads it)."""

    __tablename__ = "order_to_correct"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(64), unique=True)
    authority_code: Mapped[str] = mapped_column(String(12), index=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("firm.id"), index=True)
    party_name: Mapped[str] = mapped_column(String(200))
    party_type: Mapped[str] = mapped_column(String(16), default="unit")
    party_id_type: Mapped[str] = mapped_column(String(16), default="", server_default="")
    party_id_number: Mapped[str] = mapped_column(String(40), default="", server_default="")
    party_address: Mapped[str] = mapped_column(String(300), default="", server_default="")
    provision_code: Mapped[str] = mapped_column(String(64))
    provision_item: Mapped[int | None] = mapped_column(Integer)
    act_date: Mapped[dt.date | None]
    discovered_on: Mapped[dt.date | None]
    facts: Mapped[str] = mapped_column(Text, default="", server_default="")
    issued_on: Mapped[dt.date]
    deadline: Mapped[dt.date]  # the last day to correct
    served_on: Mapped[dt.date | None]
    corrected: Mapped[bool | None]  # None: not yet checked
    checked_on: Mapped[dt.date | None]
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    state: Mapped[str] = mapped_column(String(20), default="issued", server_default="issued")
    state_entered_at: Mapped[dt.datetime | None]
    editor_ids: Mapped[list | None] = mapped_column(JSON, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    __mapper_args__ = {"version_id_col": version}

    firm = relationship("Firm")
    # The case opened from this order (penalty_case.order_id), if any.
    case = relationship("PenaltyCase", primaryjoin="PenaltyCase.order_id == OrderToCorrect.id", uselist=False,
                        viewonly=True)
