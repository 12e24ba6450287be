"""The filing form (备案申请表) and the review forms, with the Chinese labels every error is named by.

A draft may be saved half-filled, so emptiness is not an error here: what a submission needs is checked by
the workflow's `ready_to_submit` guard (workflows.filing.missing; app.filings.service.missing_items names
each item by these fields and labels).
Values that are given must be well-formed at every save (an ID number's check digit, a phone number).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from forms import N_
from forms.validators import ResidentId, Stripped
from workflows.filing import uncovered_message, uncovered_types

REQUIRED = _l("请填写此项")
MAX_STAFF = 50

LABELS = {
    "name": N_("单位名称"),
    "legal_rep": N_("法定代表人"),
    "registered_address": N_("注册地址"),
    "premises_address": N_("经营场所地址"),
    "city_code": N_("经营场所所在城市"),
    "contact_name": N_("联系人"),
    "contact_phone": N_("联系电话"),
    "business_types": N_("业务类型"),
    "staff": N_("管理、技术人员"),
    "equipment": N_("技术设备和场所"),
    "management_rules": N_("管理制度说明"),
}
# LABELS and REASON_LABELS stay plain Chinese (app.filings.service names missing items by them);
# the form fields translate them lazily.
REASON_LABELS = {"change": N_("变更事项说明"), "cancellation": N_("注销原因")}
STAFF_ROLES = [SelectChoice("management", _l("管理人员")), SelectChoice("technical", _l("技术人员"))]


def _label(name: str):
    return _l(LABELS[name])


def _reason_label(kind: str):
    return _l(REASON_LABELS[kind])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffEntryForm(Form):
    """One person; a row left blank or ticked for removal is ignored."""

    name = StringField(_l("姓名"), validators=[Stripped(), Length(max=100)])
    id_number = StringField(_l("身份证号码"), validators=[Stripped(), Optional(), ResidentId()])
    role = SelectField(_l("人员类别"), choices=STAFF_ROLES, default="technical")
    training_certificate = StringField(_l("培训证书编号"), validators=[Stripped(), Length(max=100)])
    remove = BooleanField(_l("删除此人"))

    def is_blank(self) -> bool:
        return not ((self.name.data or "").strip() or (self.id_number.data or "").strip())

    def validate(self, extra_validators=None) -> bool:
        if self.remove.data or self.is_blank():
            return True
        ok = super().validate(extra_validators)
        for present, missing in ((self.id_number, self.name), (self.name, self.id_number)):
            if present.data and not missing.data and not missing.errors:
                missing.errors = [*missing.errors, REQUIRED]
                ok = False
        return ok


class FilingForm(FlaskForm):
    """A first filing or a change; upload fields are added per pack by `filing_form_class`."""

    name = StringField(_label("name"), validators=[Stripped(), Length(max=200)])
    legal_rep = StringField(_label("legal_rep"), validators=[Stripped(), Length(max=100)])
    registered_address = StringField(_label("registered_address"), validators=[Stripped(), Length(max=300)])
    premises_address = StringField(_label("premises_address"), validators=[Stripped(), Length(max=300)])
    city_code = SelectField(_label("city_code"), choices=[SelectChoice("", _l("请选择"))], default="")
    contact_name = StringField(_label("contact_name"), validators=[Stripped(), Length(max=100)])
    contact_phone = StringField(
        _label("contact_phone"),
        validators=[
            Stripped(),
            Optional(),
            Regexp(r"^[0-9+\-() ]{5,40}$", message=_l("联系电话只能包含数字、空格和 + - ( )，5至40位")),
        ],
    )
    business_types = MultiCheckboxField(_label("business_types"), choices=[])
    staff = FieldList(FormField(StaffEntryForm), _label("staff"), min_entries=1, max_entries=MAX_STAFF)
    equipment = TextAreaField(_label("equipment"), validators=[Stripped(), Length(max=5000)])
    management_rules = TextAreaField(_label("management_rules"), validators=[Stripped(), Length(max=20000)])
    reason = TextAreaField(_reason_label("change"), validators=[Stripped(), Length(max=2000)])
    answer = TextAreaField(_l("补正说明（给审核人员）"), validators=[Stripped(), Length(max=2000)])
    save = SubmitField(_l("保存草稿"))
    add_staff = SubmitField(_l("添加人员"))
    send = SubmitField(_l("提交审核"))

    def set_choices(self, pack, is_local: bool = True) -> None:
        self.city_code.choices = [SelectChoice("", _l("请选择")), *(SelectChoice(c.code, c.name) for c in pack.cities)]
        self.business_types.choices = [SelectChoice(b.code, b.name) for b in pack.filing.business_types]
        self._pack, self._is_local = pack, is_local

    def validate_business_types(self, field):
        """An out-of-province firm may not choose what its article leaves out (Qinhuangdao art. 17)."""
        pack = getattr(self, "_pack", None)
        uncovered = uncovered_types(pack, self._is_local, field.data or []) if pack else []
        if uncovered:
            raise ValidationError(uncovered_message(pack, uncovered))

    def upload_fields(self):
        return [f for f in self if f.name.startswith("doc_")]

    def staff_rows(self) -> list[dict]:
        """The people to keep, in order (blank and removed rows dropped)."""
        return [
            {
                "name": entry.form.name.data,
                "id_number": entry.form.id_number.data,
                "role": entry.form.role.data,
                "training_certificate": entry.form.training_certificate.data or "",
            }
            for entry in self.staff
            if not entry.form.remove.data and not entry.form.is_blank()
        ]

    def details(self) -> dict:
        data = {name: getattr(self, name).data or "" for name in LABELS if name not in ("staff", "business_types")}
        data["city_code"] = data["city_code"] or None
        data["business_types"] = list(self.business_types.data or [])
        data["reason"] = self.reason.data or ""
        return data


def filing_form_class(materials) -> type[FilingForm]:
    """The form with one upload field per material the pack asks to be uploaded (`doc_<code>`)."""
    fields = {f"doc_{m.code}": FileField(m.name) for m in materials}
    return type("PackFilingForm", (FilingForm,), fields)


class CancellationForm(FlaskForm):
    reason = TextAreaField(
        REASON_LABELS["cancellation"], validators=[Stripped(), DataRequired(REQUIRED), Length(max=2000)]
    )
    save = SubmitField(_l("保存草稿"))
    send = SubmitField(_l("提交审核"))


class DecisionForm(FlaskForm):
    """A clerk's decision; reasons are required for a return or a refusal (the engine checks it too)."""

    action = RadioField(
        _l("审核决定"),
        choices=[
            SelectChoice("approve", _l("审核通过")),
            SelectChoice("return", _l("退回补正")),
            SelectChoice("reject", _l("不予通过")),
        ],
        validators=[DataRequired(_l("请选择审核决定"))],
    )
    comment = TextAreaField(_l("审核意见"), validators=[Stripped(), Length(max=2000)])

    def validate_comment(self, field):
        if self.action.data in ("return", "reject") and not field.data:
            raise ValidationError(_("退回补正或不予通过须写明理由"))


class LocalityForm(FlaskForm):
    """A clerk corrects in-province / out-of-province (GB 32100-2015 reading) and says why."""

    is_local = RadioField(
        _l("单位属地"),
        choices=[SelectChoice("1", _l("省内单位")), SelectChoice("0", _l("省外单位"))],
        validators=[DataRequired(_l("请选择单位属地"))],
    )
    reason = TextAreaField(_l("更正理由"), validators=[Stripped(), DataRequired(REQUIRED), Length(max=500)])


class ButtonForm(FlaskForm):
    """Withdrawal, starting a request, deleting a document: one button and the CSRF token."""


def flat_errors(form) -> list[tuple[str, str]]:
    """(element id, "字段名：错误") for every error, staff rows named by their number."""
    found = []
    for field in form:
        if field.name == "staff":
            for number, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    found.extend(
                        (sub.id, _("第%(number)d名人员%(label)s：%(error)s", number=number, label=sub.label.text, error=e))
                        for e in sub.errors
                    )
            found.extend((field.id, _named(field, e)) for e in field.errors if isinstance(e, str))
        else:
            found.extend((field.id, _named(field, e)) for e in field.errors)
    return found


def _named(field, error) -> str:
    return _("%(label)s：%(error)s", label=field.label.text, error=error)
