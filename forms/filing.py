"""The filing form (备案申请表) and the review forms, with the Chinese labels every error is named by.

A draft may be saved half-filled, so emptiness is not an error here: what a submission needs is checked by
the workflow's `ready_to_submit` guard (app.services.filing.missing_items), which names the same fields.
Values that are given must be well-formed at every save (an ID number's check digit, a phone number).
"""

from __future__ import annotations

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

from forms.validators import ResidentId, Stripped

REQUIRED = "请填写此项"
MAX_STAFF = 50

LABELS = {
    "name": "单位名称",
    "legal_rep": "法定代表人",
    "registered_address": "注册地址",
    "premises_address": "经营场所地址",
    "city_code": "经营场所所在城市",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
    "business_types": "业务类型",
    "staff": "管理、技术人员",
    "equipment": "技术设备和场所",
    "management_rules": "管理制度说明",
}
REASON_LABELS = {"change": "变更事项说明", "cancellation": "注销原因"}
STAFF_ROLES = [SelectChoice("management", "管理人员"), SelectChoice("technical", "技术人员")]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class StaffEntryForm(Form):
    """One person; a row left blank or ticked for removal is ignored."""

    name = StringField("姓名", validators=[Stripped(), Length(max=100)])
    id_number = StringField("身份证号码", validators=[Stripped(), Optional(), ResidentId()])
    role = SelectField("人员类别", choices=STAFF_ROLES, default="technical")
    training_certificate = StringField("培训证书编号", validators=[Stripped(), Length(max=100)])
    remove = BooleanField("删除此人")

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

    name = StringField(LABELS["name"], validators=[Stripped(), Length(max=200)])
    legal_rep = StringField(LABELS["legal_rep"], validators=[Stripped(), Length(max=100)])
    registered_address = StringField(LABELS["registered_address"], validators=[Stripped(), Length(max=300)])
    premises_address = StringField(LABELS["premises_address"], validators=[Stripped(), Length(max=300)])
    city_code = SelectField(LABELS["city_code"], choices=[SelectChoice("", "请选择")], default="")
    contact_name = StringField(LABELS["contact_name"], validators=[Stripped(), Length(max=100)])
    contact_phone = StringField(
        LABELS["contact_phone"],
        validators=[
            Stripped(),
            Optional(),
            Regexp(r"^[0-9+\-() ]{5,40}$", message="联系电话只能包含数字、空格和 + - ( )，5至40位"),
        ],
    )
    business_types = MultiCheckboxField(LABELS["business_types"], choices=[])
    staff = FieldList(FormField(StaffEntryForm), LABELS["staff"], min_entries=1, max_entries=MAX_STAFF)
    equipment = TextAreaField(LABELS["equipment"], validators=[Stripped(), Length(max=5000)])
    management_rules = TextAreaField(LABELS["management_rules"], validators=[Stripped(), Length(max=20000)])
    reason = TextAreaField(REASON_LABELS["change"], validators=[Stripped(), Length(max=2000)])
    answer = TextAreaField("补正说明（给审核人员）", validators=[Stripped(), Length(max=2000)])
    save = SubmitField("保存草稿")
    add_staff = SubmitField("添加人员")
    send = SubmitField("提交审核")

    def set_choices(self, pack) -> None:
        self.city_code.choices = [SelectChoice("", "请选择"), *(SelectChoice(c.code, c.name) for c in pack.cities)]
        self.business_types.choices = [SelectChoice(b.code, b.name) for b in pack.filing.business_types]

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
    save = SubmitField("保存草稿")
    send = SubmitField("提交审核")


class DecisionForm(FlaskForm):
    """A clerk's decision; reasons are required for a return or a refusal (the engine checks it too)."""

    action = RadioField(
        "审核决定",
        choices=[SelectChoice("approve", "审核通过"), SelectChoice("return", "退回补正"), SelectChoice("reject", "不予通过")],
        validators=[DataRequired("请选择审核决定")],
    )
    comment = TextAreaField("审核意见", validators=[Stripped(), Length(max=2000)])

    def validate_comment(self, field):
        if self.action.data in ("return", "reject") and not field.data:
            raise ValidationError("退回补正或不予通过须写明理由")


class LocalityForm(FlaskForm):
    """A clerk corrects in-province / out-of-province (GB 32100-2015 reading) and says why."""

    is_local = RadioField(
        "单位属地", choices=[SelectChoice("1", "省内单位"), SelectChoice("0", "省外单位")], validators=[DataRequired("请选择单位属地")]
    )
    reason = TextAreaField("更正理由", validators=[Stripped(), DataRequired(REQUIRED), Length(max=500)])


class ButtonForm(FlaskForm):
    """Withdrawal, starting a request, deleting a document: one button and the CSRF token."""


def flat_errors(form) -> list[tuple[str, str]]:
    """(element id, "字段名：错误") for every error, staff rows named by their number."""
    found = []
    for field in form:
        if field.name == "staff":
            for number, entry in enumerate(field.entries, start=1):
                for sub in entry.form:
                    found.extend((sub.id, f"第{number}名人员{sub.label.text}：{e}") for e in sub.errors)
            found.extend((field.id, f"{field.label.text}：{e}") for e in field.errors if isinstance(e, str))
        else:
            found.extend((field.id, f"{field.label.text}：{e}") for e in field.errors)
    return found
