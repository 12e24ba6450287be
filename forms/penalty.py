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
from workflows.rules import jurisdiction_codes, load_pack

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
        for code in packs
    ]


def item_choices() -> list[SelectChoice]:
    """The items of every provision that lists them, grouped by provision; the value names both, so that an
    item chosen under another provision is caught beside the field."""
    packs = all_penalty_packs()
    choices = [SelectChoice("", _l("不指定（依据引用到条）"))]
    for code in packs:
        for provision in packs[code].provisions:
            group = f"{provision.reference.label()}　{provision.title}"
            choices += [
                SelectChoice(
                    f"{provision.code}:{item.number}",
                    f"{provision.cited(item).label()}　{item.title}（违反{'、'.join(v.label() for v in item.violates)}）"
                    if provision.reference.items
                    else f"{item.title}（违反{'、'.join(v.label() for v in item.violates)}）",
                    optgroup=group,
                )
                for item in provision.items
            ]
    return choices


def violation_choices() -> list[SelectChoice]:
    """Every jurisdiction's provisions in option groups, so that the page works without JavaScript."""
    packs = all_penalty_packs()
    return [
        SelectChoice(
            p.code,
            f"{p.reference.label()}　{p.title}",
            optgroup=f"{load_pack(code).name} · 《{packs[code].regulation.title}》",
        )
        for code in packs
        for p in packs[code].provisions
    ]


class CalculatorForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: nothing changes, and the query string must be shareable

    jurisdiction = SelectField(_l("辖区及法规"), validate_choice=False)
    violation = SelectField(_l("违法行为（罚则条款）"), validate_choice=False)
    party = RadioField(_l("当事人"), choices=_choices(PARTIES), default="unit", validate_choice=False)
    item = SelectField(_l("违法行为所属的项"), default="", validate_choice=False)
    act_date = StringField(_l("违法行为发生日期"), widget=DateInput())
    discovered_on = StringField(_l("发现违法行为的日期"), widget=DateInput())
    decided_on = StringField(_l("作出处罚决定的日期"), widget=DateInput())
    endangers_life_health_or_finance = BooleanField(_l("涉及公民生命健康安全、金融安全且有危害后果"))
    corrected_by_deadline = BooleanField(_l("当事人已在责令改正的期限内改正"))
    severe = BooleanField(_l("情节严重或者造成严重后果"))
    corrected_promptly = BooleanField(_l("当事人主动及时改正了违法行为"))
    minor_no_harm = BooleanField(_l("违法行为轻微，没有造成危害后果"))
    first_minor = BooleanField(_l("初次违法且危害后果轻微"))
    no_fault = BooleanField(_l("当事人有证据足以证明没有主观过错"))
    proposed_amount = StringField(_l("拟对当事人罚款（元）"), widget=NumberInput(min=1, step=1))
    illegal_gains = StringField(_l("违法所得（元）"), default="0", widget=NumberInput(min=0, step=1))
    tier = SelectField(_l("裁量档次"), choices=_choices(TIERS), default="normal", validate_choice=False)

    def __init__(self, formdata=None, *, default_jurisdiction: str, **kwargs) -> None:
        super().__init__(formdata=formdata, **kwargs)
        self.jurisdiction.choices = jurisdiction_choices()
        self.violation.choices = violation_choices()
        self.item.choices = item_choices()
        if formdata is None:
            self.jurisdiction.data = default_jurisdiction
            self.violation.data = all_penalty_packs()[default_jurisdiction].provisions[0].code

    # -- field checks (Chinese messages, tested word for word) -------------------------------------------

    def validate_jurisdiction(self, field):
        if field.data not in jurisdiction_codes():
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

    def validate_item(self, field):
        if not field.data:
            return
        code, _sep, number = field.data.partition(":")
        if code != self.violation.data or not number.isdigit():
            raise ValidationError(_("所选的项不属于所选的违法行为；请选择该条中的项，或者选择“不指定”"))

    def validate_discovered_on(self, field):
        value = (field.data or "").strip()
        if value:
            self.validate_act_date(field)

    def validate_decided_on(self, field):
        if (field.data or "").strip():
            self.validate_act_date(field)

    def validate_proposed_amount(self, field):
        value = (field.data or "").strip().replace(",", "")
        if value and (not _YUAN.match(value) or int(value) == 0):
            raise ValidationError(_("拟罚款数额须为正整数（元）"))

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
            corrected_promptly=self.corrected_promptly.data,
            minor_no_harm=self.minor_no_harm.data,
            first_minor=self.first_minor.data,
            no_fault=self.no_fault.data,
            discovered_on=_date_or_none(self.discovered_on.data),
            decided_on=_date_or_none(self.decided_on.data),
            endangers_life_health_or_finance=self.endangers_life_health_or_finance.data,
            item=int(self.item.data.partition(":")[2]) if self.item.data else None,
            proposed_amount=int(amount) if (amount := (self.proposed_amount.data or "").strip().replace(",", ""))
            else None,
            today=today,
        )


def _date_or_none(value: str | None) -> dt.date | None:
    value = (value or "").strip()
    return dt.date.fromisoformat(value) if value else None


def _has(pack, code) -> bool:
    return any(provision.code == code for provision in pack.provisions)
