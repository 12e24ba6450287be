"""Forms of firm claims, claim and reset codes, and the bureau's decisions on them."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from app.passwords import password_problem
from forms.validators import CreditCode, Stripped

REQUIRED = _l("请填写此项")
CODE_HINT = _l("12位，字母和数字，可含连字符")


class ClaimCodeForm(FlaskForm):
    code = StringField(_l("认领码"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=40)])


class ClaimRequestForm(FlaskForm):
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(REQUIRED), CreditCode()])
    applicant_name = StringField(_l("申请人姓名"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=100)])
    applicant_phone = StringField(
        _l("联系电话"),
        validators=[
            Stripped(), DataRequired(REQUIRED),
            Regexp(r"^[0-9+\-() ]{5,40}$", message=_l("联系电话只能包含数字、空格和 + - ( )，5至40位")),
        ],
    )
    note = TextAreaField(_l("说明"), validators=[Stripped(), Optional(), Length(max=1000)])


class FirmLookupForm(FlaskForm):
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(REQUIRED), CreditCode()])


class IssueResetForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])


class ClaimDecisionForm(FlaskForm):
    decision = RadioField(
        _l("决定"), choices=[SelectChoice("approve", _l("同意认领")), SelectChoice("refuse", _l("不同意"))],
        validators=[DataRequired(_l("请选择决定"))],
    )
    note = TextAreaField(_l("意见"), validators=[Stripped(), Length(max=1000)])
    version = HiddenField()

    def validate_note(self, field):
        if self.decision.data == "refuse" and not (field.data or "").strip():
            raise ValidationError(_("不同意须写明理由，申请人可以看到。"))


class FlaggedDecisionForm(FlaskForm):
    decision = RadioField(
        _l("决定"), choices=[SelectChoice("confirm", _l("确认绑定")), SelectChoice("revoke", _l("解除绑定"))],
        validators=[DataRequired(_l("请选择决定"))],
    )


class ResetPasswordForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=64)])
    code = StringField(_l("重置码"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=40)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField(_l("确认新密码"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致"))])

    def validate_password(self, field):
        problem = password_problem(field.data or "", gettext=_, user_inputs=[self.username.data])
        if problem:
            raise ValidationError(problem)
