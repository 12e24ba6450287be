"""Penalty case forms: opening (立案) and orders to correct, the proposal, each step of the procedure."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from forms.validators import Stripped
from workflows.identifiers import IdentifierError, check_credit_code, check_resident_id

REQUIRED = _l("请填写此项")
ID_TYPES = [SelectChoice("credit_code", _l("统一社会信用代码")), SelectChoice("resident_id", _l("居民身份证号码")),
            SelectChoice("passport", _l("护照号码"))]
TIERS = [SelectChoice("lenient", _l("从轻")), SelectChoice("normal", _l("一般")), SelectChoice("severe", _l("从重"))]
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


class OpenForm(FlaskForm):
    """The party (a firm from the register, or any unit or person with a checked identifier), the provision,
    the dates, the facts and the evidence."""

    firm_id = IntegerField(validators=[Optional()])
    party_name = StringField(_l("当事人名称或姓名"), validators=[Stripped(), Length(max=200)])
    id_type = SelectField(_l("证件类型"), choices=ID_TYPES, default="credit_code")
    id_number = StringField(_l("证件号码"), validators=[Stripped(), Length(max=40)])
    party_address = StringField(_l("住所或地址"), validators=[Stripped(), Length(max=300)])
    provision = SelectField(_l("违反的条款"), validators=[DataRequired(REQUIRED)], validate_choice=False)
    act_date = DateField(_l("违法行为日期"), validators=[DataRequired(REQUIRED)])
    discovered_on = DateField(_l("发现日期"), validators=[DataRequired(REQUIRED)])
    facts = TextAreaField(_l("违法事实"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=5000)])
    evidence = MultipleFileField(_l("证据材料（PDF、JPEG或PNG，每个不超过5 MB）"))
    # An order to correct only:
    issued_on = DateField(_l("发出日期"), validators=[Optional()])
    deadline = DateField(_l("改正期限（最后一日）"), validators=[Optional()])

    def validate_party_name(self, field):
        if not self.firm_id.data and not field.data:
            raise ValidationError(_l("请从名录中选择单位，或填写当事人名称或姓名"))

    def validate_id_number(self, field):
        if self.firm_id.data:
            return
        try:
            if self.id_type.data == "credit_code":
                field.data = check_credit_code(field.data or "")
            elif self.id_type.data == "resident_id":
                field.data = check_resident_id(field.data or "")
            else:
                field.data = (field.data or "").replace(" ", "").upper()
                if not _PASSPORT.match(field.data):
                    raise ValidationError(_l("护照号码应为5至17位字母或数字"))
        except IdentifierError as exc:
            from flask_babel import gettext

            raise ValidationError(gettext(str(exc))) from exc


class ProposeForm(FlaskForm):
    tier = SelectField(_l("裁量档次"), choices=TIERS, default="normal")
    amount = IntegerField(_l("拟罚款数额（元）"), validators=[DataRequired(REQUIRED), NumberRange(min=1, max=10**10)])
    severe = BooleanField(_l("情节严重或者造成严重后果"))
    illegal_gains = IntegerField(_l("违法所得（元）"), default=0, validators=[Optional(), NumberRange(min=0, max=10**10)])
    mitigated = BooleanField(_l("依照《行政处罚法》第三十二条减轻处罚（低于法定最低额，须经集体讨论）"))
    outside_tier_reason = TextAreaField(_l("不在建议档次内或减轻处罚的理由"), validators=[Length(max=3000)])
    serious = BooleanField(_l("情节复杂或者重大违法行为（须经负责人集体讨论决定）"))
    version = HiddenField()


class StepForm(FlaskForm):
    """Every field a step may ask for; each step's form shows only its own (app/cases/routes.py STEP_FIELDS)."""

    comment = TextAreaField(_l("意见"), validators=[Length(max=5000)])
    day = DateField(_l("日期"), validators=[Optional()])
    text = TextAreaField(_l("记录"), validators=[Length(max=10000)])
    hearing_record = TextAreaField(_l("听证笔录摘要"), validators=[Length(max=10000)])
    waived = BooleanField(_l("当事人明确放弃听证"))
    method = SelectField(_l("送达方式"), choices=[], validate_choice=False)
    reason = SelectField(_l("不予行政处罚的理由"), choices=[], validate_choice=False)
    organ = StringField(_l("接收移送的司法机关"), validators=[Stripped(), Length(max=200)])
    late_reason = TextAreaField(_l("逾期送达的原因"), validators=[Length(max=2000)])
    confirm = BooleanField(_l("我已核对以上内容，确认办理（办理后不能撤回）"))
    version = HiddenField()


class EvidenceForm(FlaskForm):
    evidence = MultipleFileField(_l("证据材料（PDF、JPEG或PNG）"))


class LinkForm(FlaskForm):
    other = StringField(_l("同一违法行为的另一案件编号"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=64)])


class ConfirmForm(FlaskForm):
    """A bare form: its CSRF token is the whole content."""

    version = HiddenField()
