"""Complaint intake and tracking, the clerks' verification and warning forms, the firm's answers.

The intake's proof that a person is there (HumanCheck) needs no external service and stores nothing: the
form carries a token signed with the app's key stating when the form was served. A post sooner than
COMPLAINT_MIN_FILL_SECONDS after that (a script posts at once) or older than two hours is refused, and a
field hidden from people by the stylesheet (a honeypot) must stay empty. A question in an image shuts out
blind users; an arithmetic question in text is read as easily by a script as by a person, and its answer
would sit readable in the signed-but-not-encrypted session cookie. Flask-Limiter's limits per address and
per phone number bound what a patient script can still do.
"""

from __future__ import annotations

import time

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from itsdangerous import BadSignature, URLSafeSerializer
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError

REQUIRED = _l("请填写此项")
TOKEN_MAX_AGE = 2 * 3600
_SALT = "jifang.complaint-form"


def form_token(now: float | None = None) -> str:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).dumps(int(now or time.time()))


def token_age(token: str, now: float | None = None) -> float | None:
    try:
        issued = URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT).loads(token or "")
    except BadSignature:
        return None
    return (now or time.time()) - int(issued) if isinstance(issued, int) else None


class ComplaintForm(FlaskForm):
    firm_id = IntegerField(validators=[Optional()])
    firm_name = StringField(_l("被投诉单位名称"), validators=[Length(max=200)])
    firm_credit_code = StringField(_l("被投诉单位统一社会信用代码（如知道）"),
                                   validators=[Optional(), Regexp(r"^[0-9A-Za-z]{18}$", message=_l("应为18位代码"))])
    subject = TextAreaField(_l("投诉事项（发生了什么）"), validators=[DataRequired(REQUIRED), Length(max=3000)])
    occurred_on = DateField(_l("发生日期"), validators=[Optional()])
    place = StringField(_l("发生地点"), validators=[DataRequired(REQUIRED), Length(max=300)])
    city_code = SelectField(_l("发生地所在城市"), validators=[DataRequired(REQUIRED)])
    service_user = BooleanField(_l("我是该单位服务的用户（如委托其设计、安装、维护或报警运营服务）"))
    name = StringField(_l("投诉人姓名"), validators=[DataRequired(REQUIRED), Length(max=100)])
    phone = StringField(_l("联系电话"), validators=[
        DataRequired(REQUIRED), Regexp(r"^\+?[0-9][0-9 \-]{6,19}$", message=_l("请填写有效的电话号码"))])
    # A light check (no email_validator dependency): something@domain.tld, no spaces.
    email = StringField(_l("电子邮箱（选填）"), validators=[
        Optional(), Length(max=200), Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("电子邮箱格式不正确"))])
    attachments = MultipleFileField(_l("证据材料（选填，PDF、JPEG或PNG，最多3个，每个不超过5 MB）"))
    website = StringField(_l("请勿填写此项"))  # the honeypot: hidden by the stylesheet
    form_token = HiddenField()

    def validate_firm_name(self, field):
        if not self.firm_id.data and not (field.data or "").strip():
            raise ValidationError(_l("请从名录中选择被投诉单位，或填写其名称"))

    def human_problem(self) -> str | None:
        """Why the post does not look like a person's (None: it does)."""
        if (self.website.data or "").strip():
            return "honeypot"
        age = token_age(self.form_token.data)
        if age is None or age > TOKEN_MAX_AGE:
            return "expired"
        if age < current_app.config.get("COMPLAINT_MIN_FILL_SECONDS", 3):
            return "too_fast"
        return None


class TrackForm(FlaskForm):
    reference = StringField(_l("投诉编号"), validators=[DataRequired(REQUIRED), Length(max=24)])
    phone = StringField(_l("投诉时填写的联系电话"), validators=[DataRequired(REQUIRED), Length(max=40)])


class ActionForm(FlaskForm):
    action = SelectField(_l("办理"), validators=[DataRequired(REQUIRED)])
    comment = TextAreaField(_l("理由和依据"), validators=[Optional(), Length(max=3000)])
    authority = SelectField(_l("移送至"), validators=[Optional()])
    assignee = SelectField(_l("核查人员"), validators=[Optional()])
    service_user = BooleanField(_l("经核实，投诉人是该单位服务的用户"))
    # The record's version the page showed: a page someone acted on since is refused as stale.
    version = HiddenField()


class SummaryForm(FlaskForm):
    firm_summary = TextAreaField(_l("告知被投诉单位的投诉摘要（不写投诉人的姓名、电话等任何身份信息）"),
                                 validators=[DataRequired(REQUIRED), Length(max=2000)])


class EvidenceForm(FlaskForm):
    evidence = MultipleFileField(_l("核查证据（PDF、JPEG或PNG）"))


class AnswerForm(FlaskForm):
    answer = TextAreaField(_l("陈述、申辩"), validators=[DataRequired(REQUIRED), Length(max=3000)])


class NoticeTextForm(FlaskForm):
    notice_text = TextAreaField(_l("公告内容"), validators=[DataRequired(REQUIRED), Length(max=3000)])


class RemovalForm(FlaskForm):
    application = TextAreaField(_l("整改情况"), validators=[DataRequired(REQUIRED), Length(max=3000)])
    evidence = MultipleFileField(_l("整改证明材料（PDF、JPEG或PNG）"))


class CaseDraftForm(FlaskForm):
    case_id = IntegerField(validators=[DataRequired()])
