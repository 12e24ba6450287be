"""Forms of a served decision: a bank receipt, a review or lawsuit pause, deferral, reminder, court application."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from forms.validators import Stripped

REQUIRED = _l("请填写此项")


class PaymentForm(FlaskForm):
    receipt_number = StringField(_l("银行收据（缴款书）编号"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=64)])
    paid_on = DateField(_l("缴款日期"), validators=[DataRequired(REQUIRED)])
    amount = StringField(_l("金额（元）"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=20)])


class PauseForm(FlaskForm):
    kind = SelectField(_l("当事人申请的救济"), choices=[SelectChoice("review", _l("行政复议")),
                                                  SelectChoice("litigation", _l("行政诉讼"))])
    start_on = DateField(_l("申请（起诉）日期"), validators=[DataRequired(REQUIRED)])
    end_on = DateField(_l("终结日期（尚未终结的不填）"), validators=[Optional()])
    note = StringField(_l("说明"), validators=[Stripped(), Length(max=300)])


class EndPauseForm(FlaskForm):
    end_on = DateField(_l("终结日期"), validators=[DataRequired(REQUIRED)])


class EnforceForm(FlaskForm):
    """Every field of the after-service steps (approve_deferral, serve_reminder, apply_to_court)."""

    version = HiddenField()
    kind = SelectField(_l("批准事项"), choices=[SelectChoice("deferral", _l("延期缴纳")),
                                              SelectChoice("instalments", _l("分期缴纳"))], validate_choice=False)
    applied_on = DateField(_l("当事人申请日期"), validators=[Optional()])
    approved_on = DateField(_l("批准日期"), validators=[Optional()])
    due_on = DateField(_l("延期缴纳的截止日期"), validators=[Optional()])
    instalments = TextAreaField(_l("分期计划（每行一期：日期 金额，例如 2026-12-31 5000）"), validators=[Length(max=2000)])
    comment = TextAreaField(_l("批准意见"), validators=[Length(max=5000)])
    day = DateField(_l("日期"), validators=[Optional()])
    method = SelectField(_l("送达方式"), choices=[], validate_choice=False)
    court = StringField(_l("受理申请的人民法院"), validators=[Stripped(), Length(max=200)])
    removal = BooleanField(_l("一并申请强制拆除"))
    confirm = BooleanField(_l("我已核对以上内容，确认办理（办理后不能撤回）"))
