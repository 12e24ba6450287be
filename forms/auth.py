"""Log-in and firm self-registration forms."""

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
        problem = password_problem(field.data or "", gettext=_)
        if problem:
            raise ValidationError(problem)
