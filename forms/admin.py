"""Account administration forms: staff accounts bound to a bureau of this jurisdiction."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Regexp, ValidationError

from forms.validators import Stripped

REQUIRED = _l("请填写此项")
STAFF_ROLE_CHOICES = [
    SelectChoice("city_clerk", _l("市级公安机关工作人员")),
    SelectChoice("provincial_clerk", _l("省级公安机关工作人员")),
    SelectChoice("legal_reviewer", _l("法制审核人员")),
    SelectChoice("bureau_head", _l("行政机关负责人")),
    SelectChoice("admin", _l("系统管理员")),
]


def authority_problem(role: str, authority, *, gettext=lambda s: s) -> str | None:
    """A clerk belongs to a bureau of the right level; an admin to none (as `flask create-user` checks)."""
    if role == "admin":
        return None
    if authority is None:
        return gettext("工作人员须属于本辖区的一个公安机关")
    if role == "provincial_clerk" and authority.level != "provincial":
        return gettext("省级工作人员须属于省级公安机关")
    if role == "city_clerk" and authority.level == "provincial":
        return gettext("市级工作人员须属于市、县级公安机关")
    return None


class _StaffRole(FlaskForm):
    """Role and bureau; the bureau choices come from the jurisdiction pack (set by `with_authorities`)."""

    role = SelectField(_l("角色"), choices=STAFF_ROLE_CHOICES, validators=[DataRequired(REQUIRED)])
    authority_code = SelectField(_l("所属公安机关"), choices=[SelectChoice("", "")], validate_choice=True)

    def with_authorities(self, pack):
        self._pack = pack
        self.authority_code.choices = [
            SelectChoice("", _l("（管理员不属于公安机关）")), *(SelectChoice(a.code, a.name) for a in pack.authorities)
        ]
        return self

    def validate_authority_code(self, field):
        from flask_babel import gettext

        authority = self._pack.authority(field.data) if field.data else None
        problem = authority_problem(self.role.data, authority, gettext=gettext)
        if problem:
            raise ValidationError(problem)


class NewStaffForm(_StaffRole):
    username = StringField(
        _l("用户名"),
        validators=[
            Stripped(),
            DataRequired(REQUIRED),
            Length(min=3, max=64, message=_l("用户名长度应为3至64个字符")),
            Regexp(r"^[A-Za-z0-9_.-]+$", message=_l("用户名只能包含字母、数字、下划线、点和连字符")),
        ],
    )
    display_name = StringField(_l("姓名"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=100)])


class StaffRoleForm(_StaffRole):
    pass


class ConfirmForm(FlaskForm):
    """A bare form: its CSRF token is the whole content of a confirmed admin action."""
