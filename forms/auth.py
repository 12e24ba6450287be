"""Log-in (password, then a one-time code for staff who enrolled one), password change, firm sign-up."""

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Regexp, ValidationError

from app.passwords import password_problem
from forms.validators import CreditCode, Stripped
from workflows.identifiers import IdentifierError, check_resident_id

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


# Provinces, autonomous regions and municipalities (GB/T 2260): where an individual says he or she is based.
PROVINCES = (
    ("110000", "北京市"), ("120000", "天津市"), ("130000", "河北省"), ("140000", "山西省"),
    ("150000", "内蒙古自治区"), ("210000", "辽宁省"), ("220000", "吉林省"), ("230000", "黑龙江省"),
    ("310000", "上海市"), ("320000", "江苏省"), ("330000", "浙江省"), ("340000", "安徽省"),
    ("350000", "福建省"), ("360000", "江西省"), ("370000", "山东省"), ("410000", "河南省"),
    ("420000", "湖北省"), ("430000", "湖南省"), ("440000", "广东省"), ("450000", "广西壮族自治区"),
    ("460000", "海南省"), ("500000", "重庆市"), ("510000", "四川省"), ("520000", "贵州省"),
    ("530000", "云南省"), ("540000", "西藏自治区"), ("610000", "陕西省"), ("620000", "甘肃省"),
    ("630000", "青海省"), ("640000", "宁夏回族自治区"), ("650000", "新疆维吾尔自治区"),
    ("710000", "台湾省"), ("810000", "香港特别行政区"), ("820000", "澳门特别行政区"),
)
DOCUMENT_LABELS = {"resident_id": _l("居民身份证"), "passport": _l("护照")}


class IndividualRegistrationForm(FlaskForm):
    """A person from another province (Liaoning art. 17: 外省单位和个人) opens an account to file.

    The province is asked, not read from the ID number: its prefix is where the card was issued, not where
    the person works. `set_pack` offers the documents the pack allows and leaves out its own province."""

    person_name = StringField(_l("姓名"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=100)])
    document_type = RadioField(_l("身份证件类型"), validators=[DataRequired(_l("请选择身份证件类型"))])
    document_number = StringField(_l("证件号码"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=32)])
    home_province = SelectField(_l("常驻省份"), validators=[DataRequired(_l("请选择常驻省份"))])
    username = FirmRegistrationForm.username
    password = PasswordField(_l("密码"), validators=[DataRequired(REQUIRED), Length(max=256)])
    confirm = PasswordField(_l("确认密码"), validators=[DataRequired(REQUIRED), EqualTo("password", _l("两次输入的密码不一致"))])

    def set_pack(self, pack) -> None:
        allowed = pack.filing.individuals.documents if pack.filing.individuals else []
        self.document_type.choices = [SelectChoice(code, DOCUMENT_LABELS[code]) for code in allowed]
        self.home_province.choices = [SelectChoice("", _l("请选择"))] + [
            SelectChoice(code, name) for code, name in PROVINCES if code != pack.province.division_code
        ]

    def validate_document_number(self, field):
        if self.document_type.data == "resident_id":
            try:
                field.data = check_resident_id(field.data or "")
            except IdentifierError as exc:
                raise ValidationError(_(str(exc))) from exc
        elif self.document_type.data == "passport":
            field.data = (field.data or "").replace(" ", "").upper()
            if not re.fullmatch(r"[A-Z0-9]{5,20}", field.data):
                raise ValidationError(_("护照号码应为5至20位字母或数字"))

    def validate_password(self, field):
        problem = password_problem(
            field.data or "", gettext=_, user_inputs=(self.username.data, self.person_name.data)
        )
        if problem:
            raise ValidationError(problem)
