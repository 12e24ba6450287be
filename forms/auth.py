"""Log-in and firm self-registration forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.passwords import password_problem
from forms.validators import CreditCode, Stripped

REQUIRED = "请填写此项"


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])


class FirmRegistrationForm(FlaskForm):
    firm_name = StringField("单位名称", validators=[Stripped(), DataRequired(REQUIRED), Length(max=200)])
    credit_code = StringField("统一社会信用代码", validators=[DataRequired(REQUIRED), CreditCode()])
    username = StringField(
        "用户名",
        validators=[
            DataRequired(REQUIRED),
            Length(min=3, max=64, message="用户名长度应为3至64个字符"),
            Regexp(r"^[A-Za-z0-9_.-]+$", message="用户名只能包含字母、数字、下划线、点和连字符"),
        ],
    )
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField("确认密码", validators=[DataRequired(REQUIRED), EqualTo("password", "两次输入的密码不一致")])

    def validate_password(self, field):
        problem = password_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
