"""Log-in (password, then a one-time code for staff who enrolled one), password change, firm sign-up."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.passwords import password_problem
from forms.validators import CreditCode, Stripped

REQUIRED = _l("请填写此项")


class LoginForm(FlaskForm):
    username = StringField(_l("用户名"), validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=256)])


class TotpForm(FlaskForm):
    code = StringField(
        _l("动态口令"),
        validators=[DataRequired(REQUIRED), Regexp(r"^\s*\d{6}\s*$", message=_l("动态口令为6位数字"))],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class ChangePasswordForm(FlaskForm):
    """The account's own words are refused inside the new password (set `user_inputs` before validating)."""

    current = PasswordField(_l("当前密码"), validators=[DataRequired(REQUIRED), Length(max=256)])
    password = PasswordField(_l("新密码"), validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField(
        _l("确认新密码"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致"))]
    )
    user_inputs: tuple[str, ...] = ()

    def validate_password(self, field):
        if field.data and field.data == self.current.data:
            raise ValidationError(_("新密码不能与当前密码相同"))
        problem = password_problem(field.data or "", gettext=_, user_inputs=self.user_inputs)
        if problem:
            raise ValidationError(problem)


class FirmRegistrationForm(FlaskForm):
    firm_name = StringField(_l("单位名称"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=200)])
    credit_code = StringField(_l("统一社会信用代码"), validators=[DataRequired(REQUIRED), CreditCode()])
    username = StringField(
        _l("用户名"),
        validators=[
            DataRequired(REQUIRED),
            Length(min=3, max=64, message=_l("用户名长度应为3至64个字符")),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字、下划线、点和连字符")),
        ],
    )
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField(_l("确认密码"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致"))])

    def validate_password(self, field):
        problem = password_problem(
            field.data or "", gettext=_, user_inputs=(self.username.data, self.firm_name.data)
        )
        if problem:
            raise ValidationError(problem)
