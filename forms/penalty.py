"""The penalty calculator's form: a GET form (it changes nothing, so it carries no CSRF token).

Choices come from the rule packs. The choice fields check their own values, so that a tampered query
string gets a Chinese message next to the field instead of WTForms' English "Not a valid choice".
"""

from __future__ import annotations

import datetime as dt
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import DateInput, NumberInput

from workflows.penalty import MAX_ILLEGAL_GAINS, Facts
from workflows.penalty_pack import all_penalty_packs
from workflows.rules import JURISDICTION_CODES, load_pack

REQUIRED = _l("请填写此项")
PARTIES = {"unit": _l("单位"), "individual": _l("个人")}
TIERS = {"lenient": _l("从轻"), "normal": _l("一般"), "severe": _l("从重")}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YUAN = re.compile(r"^\d{1,13}$")


def _choices(options: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in options.items()]


def jurisdiction_choices() -> list[SelectChoice]:
    packs = all_penalty_packs()
    return [
        SelectChoice(code, f"{load_pack(code).name}（《{packs[code].regulation.title}》）")
        for code in JURISDICTION_CODES
    ]


def violation_choices() -> list[SelectChoice]:
    """Every jurisdiction's provisions in option groups, so that the page works without JavaScript."""
    packs = all_penalty_packs()
    return [
        SelectChoice(
            p.code,
            f"{p.reference.label()}　{p.title}",
            optgroup=f"{load_pack(code).name} · 《{packs[code].regulation.title}》",
        )
        for code in JURISDICTION_CODES
        for p in packs[code].provisions
    ]


class CalculatorForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: nothing changes, and the query string must be shareable

    jurisdiction = SelectField(_l("辖区及法规"), validate_choice=False)
    violation = SelectField(_l("违法行为（罚则条款）"), validate_choice=False)
    party = RadioField(_l("当事人"), choices=_choices(PARTIES), default="unit", validate_choice=False)
    act_date = StringField(_l("违法行为发生日期"), widget=DateInput())
    corrected_by_deadline = BooleanField(_l("当事人已在责令改正的期限内改正"))
    severe = BooleanField(_l("情节严重或者造成严重后果"))
    first_minor = BooleanField(_l("初次违法、危害后果轻微并及时改正"))
    illegal_gains = StringField(_l("违法所得（元）"), default="0", widget=NumberInput(min=0, step=1))
    tier = SelectField(_l("裁量档次"), choices=_choices(TIERS), default="normal", validate_choice=False)

    def __init__(self, formdata=None, *, default_jurisdiction: str, **kwargs) -> None:
        super().__init__(formdata=formdata, **kwargs)
        self.jurisdiction.choices = jurisdiction_choices()
        self.violation.choices = violation_choices()
        if formdata is None:
            self.jurisdiction.data = default_jurisdiction
            self.violation.data = all_penalty_packs()[default_jurisdiction].provisions[0].code

    # -- field checks (Chinese messages, tested word for word) -------------------------------------------

    def validate_jurisdiction(self, field):
        if field.data not in JURISDICTION_CODES:
            raise ValidationError(_("请选择辖区"))

    def validate_violation(self, field):
        packs = all_penalty_packs()
        owner = next((code for code, pack in packs.items() if _has(pack, field.data)), None)
        if owner is None:
            raise ValidationError(_("请选择违法行为"))
        if self.jurisdiction.data in packs and owner != self.jurisdiction.data:
            raise ValidationError(
                _(
                    "所选条款属于《%(owner)s》，与所选辖区不一致；请选择《%(chosen)s》中的条款，或者改选辖区",
                    owner=packs[owner].regulation.title,
                    chosen=packs[self.jurisdiction.data].regulation.title,
                )
            )

    def validate_party(self, field):
        if field.data not in PARTIES:
            raise ValidationError(_("请选择单位或者个人"))

    def validate_act_date(self, field):
        value = (field.data or "").strip()
        if not value:
            raise ValidationError(str(REQUIRED))
        if not _ISO_DATE.match(value):
            raise ValidationError(_("请按“年-月-日”填写有效日期，例如 2024-06-01"))
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationError(_("请按“年-月-日”填写有效日期，例如 2024-06-01")) from None

    def validate_illegal_gains(self, field):
        value = (field.data or "").strip().replace(",", "") or "0"
        if not _YUAN.match(value):
            raise ValidationError(_("违法所得须为不小于0的整数（元）"))
        if int(value) > MAX_ILLEGAL_GAINS:
            raise ValidationError(_("违法所得不能超过%(limit)s元", limit=f"{MAX_ILLEGAL_GAINS:,}"))

    def validate_tier(self, field):
        if field.data not in TIERS:
            raise ValidationError(_("请选择裁量档次"))

    def facts(self, today: dt.date) -> Facts:
        """The validated form as the calculator's facts."""
        return Facts(
            party=self.party.data,
            act_date=dt.date.fromisoformat(self.act_date.data.strip()),
            corrected_by_deadline=self.corrected_by_deadline.data,
            severe=self.severe.data,
            illegal_gains=int((self.illegal_gains.data or "").strip().replace(",", "") or "0"),
            tier=self.tier.data,
            first_minor=self.first_minor.data,
            today=today,
        )


def _has(pack, code) -> bool:
    return any(provision.code == code for provision in pack.provisions)
