"""Forms of the import page: the upload, and the confirmation with its mode."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import RadioField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError

from app.models.transfer import JOB_KINDS, JOB_MODES


class UploadForm(FlaskForm):
    kind = SelectField(_l("导入内容"), choices=[SelectChoice(k, _l(v)) for k, v in JOB_KINDS.items()], default="filings",
                       validate_choice=False)
    file = FileField(_l("文件（.xlsx 或 .csv）"))

    def validate_kind(self, field):
        if field.data not in JOB_KINDS:
            raise ValidationError(_("请选择导入内容"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_("请选择要上传的文件"))


class ConfirmForm(FlaskForm):
    mode = RadioField(_l("导入方式"), choices=[SelectChoice(k, _l(v)) for k, v in JOB_MODES.items()], default="all-or-nothing",
                      validate_choice=False)

    def validate_mode(self, field):
        if field.data not in JOB_MODES:
            raise ValidationError(_("请选择导入方式"))
