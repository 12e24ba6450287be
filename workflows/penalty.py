"""The penalty calculator: a pure function from a rule pack, a provision and the facts to a result.

``calculate(pack, provision_code, facts)`` applies one provision of a jurisdiction's pack
(:mod:`workflows.penalty_pack`) and the national overlays of the Administrative Penalty Law written once in
``workflows/national/administrative_penalty_law.yaml`` (discretion tiers, arts. 28, 29, 33, 36, 51, 63, 72). Every decision is written to ``trace`` with the rule and the citation it used, in the manner of
OpenFisca's traces, so that the page, the API and a case file can show why an amount was proposed.

Money is whole yuan held in ``int``; no float ever touches an amount. No Flask here: the page, the JSON
API and the case workflow call the same function.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Literal, Self, get_args

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    model_validator,
)

from workflows.penalty_pack import (
    CONDITION_LABELS,
    MEASURE_LABELS,
    TARGET_LABELS,
    Citation,
    Fine,
    Measure,
    PenaltyPack,
    Provision,
    ProvisionItem,
    all_penalty_packs,
)
from workflows.time_limits import china_today

__all__ = [
    "MAX_ILLEGAL_GAINS",
    "ActDateOutOfRange",
    "CalculationError",
    "Facts",
    "FineLine",
    "InvalidFacts",
    "Result",
    "StatedFacts",
    "TraceStep",
    "UnknownField",
    "UnknownJurisdiction",
    "UnknownViolation",
    "add_years",
    "calculate",
    "invalid_facts",
    "pack_for",
    "recommended_amount",
]

Party = Literal["unit", "individual"]
Tier = Literal["lenient", "normal", "severe"]
# Who is fined when the party is a unit or an individual: a unit's directly responsible persons are fined
# in the same decision as the unit.
TARGETS_FOR_PARTY: dict[str, tuple[str, ...]] = {
    "unit": ("unit", "responsible_person"),
    "individual": ("individual",),
}
# Measures that order the party to correct (行政处罚法 art. 28(1) is met by any of them).
ORDERS = ("order_to_correct", "order_to_remove", "order_to_stop")
# Illegal gains above this are refused as implausible input (and stay exact in JavaScript clients).
MAX_ILLEGAL_GAINS = 10**12
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Why no penalty at all is imposed (行政处罚法 arts. 33 and 36); None when one is.
NoPenaltyReason = Literal["minor_no_harm", "no_fault", "time_barred", "no_longer_punishable"]


class CalculationError(ValueError):
    """The facts cannot be calculated; ``field`` names the input at fault, the messages say why.

    The JSON API answers these with HTTP 422 and :meth:`to_dict` as the body."""

    code = "calculation_error"
    http_status = 422

    def __init__(self, field: str, message: str, message_en: str) -> None:
        super().__init__(f"{message} ({message_en})")
        self.field = field
        self.message = message
        self.message_en = message_en

    def to_dict(self) -> dict[str, str]:
        return {
            "error": self.code,
            "field": self.field,
            "message": self.message,
            "message_en": self.message_en,
        }


class InvalidFacts(CalculationError):
    """A fact is missing, of the wrong type or out of range."""

    code = "invalid_facts"


class UnknownViolation(CalculationError):
    """The provision code is not in the jurisdiction's pack."""

    code = "unknown_violation"


class UnknownJurisdiction(CalculationError):
    """No pack for the jurisdiction code."""

    code = "unknown_jurisdiction"


class UnknownField(CalculationError):
    """A key that is not a fact: refused, so that a misspelt flag is never silently defaulted."""

    code = "unknown_field"


class ActDateOutOfRange(CalculationError):
    """The act predates the text in force, or lies in the future: never answered from a text not in force."""

    code = "act_date_out_of_range"


def _iso_date(value: Any, info: ValidationInfo) -> Any:
    """A JSON date is exactly YYYY-MM-DD (no time, no other layout); a Python date passes as it is."""
    if not isinstance(value, str):
        return value  # the strict date type then refuses anything but a date (a datetime too)
    if _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    name = info.field_name or "date"
    raise InvalidFacts(name, f"{name} 须为 YYYY-MM-DD 格式的有效日期", f"{name} must be a valid YYYY-MM-DD date")


IsoDate = Annotated[
    dt.date,
    BeforeValidator(_iso_date),
    Field(json_schema_extra={"pattern": _ISO_DATE.pattern}),
]


def _omit_nulls(data: Any) -> Any:
    """A null value is an omitted one, so an optional fact takes its default and a required one is missing."""
    if isinstance(data, Mapping):
        return {key: value for key, value in data.items() if value is not None}
    return data


class StatedFacts(BaseModel):
    """The facts a caller states, and the one description of them: the JSON API's request model extends
    this class (app/api/models.py), and its JSON Schema is the API's contract. Strict: a boolean is
    ``true``/``false`` (not 1 or "true"), an amount a whole number (not 1.5 or "100")."""

    model_config = ConfigDict(strict=True, frozen=True, extra="forbid")
    # The error a refused choice raises, where it is not InvalidFacts (see invalid_facts).
    error_types: ClassVar[dict[str, type[CalculationError]]] = {}

    party: Party = Field(description="unit (单位) or individual (个人)")
    act_date: IsoDate = Field(description="date of the act; not before in_force_from, not after today")
    corrected_by_deadline: bool = Field(False, description="corrected within the deadline the bureau ordered")
    severe: bool = Field(
        False, description="情节严重 or 造成严重后果 (the aggravated variant, where the article has one)"
    )
    illegal_gains: int = Field(0, ge=0, le=MAX_ILLEGAL_GAINS, description="whole yuan (元)")
    tier: Tier = Field(
        "normal",
        description="discretion tier; the recommended amount is the midpoint of the tier's share of the range "
        "(0–30 %, 30–70 %, 70–100 %)",
    )
    # 行政处罚法 art. 33: 及时改正 is the party's own prompt correction, not obedience to an order (that is
    # corrected_by_deadline); minor_no_harm and first_minor count only when corrected_promptly is true.
    corrected_promptly: bool = Field(
        False,
        description="及时改正: the party corrected the act promptly of its own accord (行政处罚法 art. 33(1)); "
        "not the same as obeying an order to correct (corrected_by_deadline)",
    )
    minor_no_harm: bool = Field(
        False, description="违法行为轻微…没有造成危害后果 (art. 33(1)): with corrected_promptly, no penalty"
    )
    first_minor: bool = Field(
        False,
        description="初次违法且危害后果轻微 (art. 33(1)): with corrected_promptly the fines are still calculated "
        "and may_waive_fine is true (可以不予行政处罚)",
    )
    no_fault: bool = Field(
        False, description="当事人有证据足以证明没有主观过错 (art. 33(2)): no penalty"
    )
    # 行政处罚法 art. 36: when the act was discovered, and whether the five-year period applies.
    discovered_on: IsoDate | None = Field(
        None,
        description="the day the act was discovered (行政处罚法 art. 36); not before act_date, not after today. "
        "Omitted: time_barred is null and the limitation is not checked",
    )
    endangers_life_health_or_finance: bool = Field(
        False, description="涉及公民生命健康安全、金融安全且有危害后果: the period is five years, not two"
    )
    # 行政处罚法 art. 37: the values in force on the decision date apply where they are lighter.
    decided_on: IsoDate | None = Field(
        None,
        description="the day the decision is (to be) made (行政处罚法 art. 37); not before act_date. Omitted: "
        "today. The values in force on the act date apply, or those in force on this day where they are "
        "lighter (a lower maximum fine for the party, then a lower minimum) or the act is no longer punished",
    )
    # The item of the article (or of the article violated) the act falls under (行政处罚法 art. 59).
    item: int | None = Field(
        None,
        ge=1,
        description="the item the act falls under (one of the violation's item_choices); omitted, the citation "
        "stops at the article (行政处罚法 art. 59)",
    )
    # The fine (whole yuan) the clerk proposes for the party, checked against the range; the hearing and
    # summary-procedure tests then run on it (行政处罚法 arts. 51, 63).
    proposed_amount: int | None = Field(
        None,
        gt=0,
        le=MAX_ILLEGAL_GAINS,
        description="the fine the bureau proposes for the party (whole yuan); must lie within the article's "
        "range (422 otherwise, or where no fine on the party applies). The hearing (art. 63) and "
        "summary-procedure (art. 51) tests then run on this amount",
    )

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**_omit_nulls(data))
        except ValidationError as exc:
            raise invalid_facts(exc, type(self)) from None

    @model_validator(mode="after")
    def _discovered_after_the_act(self) -> Self:
        if self.discovered_on is not None and self.discovered_on < self.act_date:
            raise InvalidFacts(
                "discovered_on",
                f"发现日期 {self.discovered_on.isoformat()} 早于行为日期 {self.act_date.isoformat()}",
                "discovered_on must not be before act_date",
            )
        if self.decided_on is not None and self.decided_on < self.act_date:
            raise InvalidFacts(
                "decided_on",
                f"决定日期 {self.decided_on.isoformat()} 早于行为日期 {self.act_date.isoformat()}",
                "decided_on must not be before act_date",
            )
        return self


class Facts(StatedFacts):
    """What the clerk tells the calculator about the case, and ``today`` from the caller's clock."""

    today: IsoDate | None = None

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], today: dt.date | None = None) -> Facts:
        """Facts from a JSON-like mapping (ISO date strings); keys that are not facts are ignored. Raises
        :class:`InvalidFacts` naming the first field at fault.

        ``today`` is the caller's clock, never read from the mapping: a client must not be able to move
        "today" forward and have an act in the future calculated."""
        if not isinstance(data, Mapping):
            raise InvalidFacts("body", "请求须为JSON对象", "the request body must be a JSON object")
        stated = {name: data[name] for name in StatedFacts.model_fields if name in data}
        return cls(**stated, today=today)


# pydantic's error types, as the Chinese and English messages a caller reads.
_ERROR_TEXTS: dict[str, tuple[str, str]] = {
    "missing": ("缺少必填项 {field}", "{field} is required"),
    "bool_type": ("{field} 须为 true 或者 false", "{field} must be true or false"),
    "int_type": ("{field} 须为整数", "{field} must be a whole number"),
    "string_type": ("{field} 须为字符串", "{field} must be a string"),
    "date_type": ("{field} 须为日期", "{field} must be a date"),
    "greater_than": ("{field} 须大于 {gt}", "{field} must be greater than {gt}"),
    "greater_than_equal": ("{field} 不得小于 {ge}", "{field} must be at least {ge}"),
    "less_than_equal": ("{field} 不得大于 {le}", "{field} must be at most {le}"),
    "literal_error": ("{field} 须为以下之一：{expected}", "{field} must be one of: {expected}"),
}


def invalid_facts(exc: ValidationError, model: type[StatedFacts]) -> CalculationError:
    """The first error of a validation, as the :class:`CalculationError` that names its field: an unknown
    key first (a misspelt flag must never be silently defaulted), then what picks the rules (jurisdiction,
    violation), then the facts in the model's order."""
    errors = exc.errors()
    fields = list(model.model_fields)
    def order(error: Any) -> tuple[bool, bool, int]:
        name = error["loc"][0] if error["loc"] else None
        return (error["type"] != "extra_forbidden", name not in model.error_types,
                fields.index(name) if name in fields else 0)

    error = min(errors, key=order)
    original = (error.get("ctx") or {}).get("error")
    if isinstance(original, CalculationError):
        return original  # raised by a validator of ours, with its own field and messages
    name = str(error["loc"][0])[:64] if error["loc"] else "body"
    if error["type"] == "extra_forbidden":
        return UnknownField(
            name,
            f"未知的字段 {name!r}；可用字段：{'、'.join(fields)}",
            f"unknown field {name!r}; known fields: {', '.join(fields)}",
        )
    zh, en = _ERROR_TEXTS.get(error["type"], ("{field} 的值无效", "{field} is invalid"))
    context = {"field": name, **(error.get("ctx") or {})}
    context_en = dict(context)
    if error["type"] == "literal_error" and name in fields:
        choices = [str(choice) for choice in get_args(model.model_fields[name].annotation)]
        context["expected"], context_en["expected"] = "、".join(choices), ", ".join(choices)
    kind = model.error_types.get(name, InvalidFacts) if error["type"] == "literal_error" else InvalidFacts
    return kind(name, zh.format(**context), en.format(**context_en))


@dataclass(frozen=True)
class FineLine:
    target: str
    min: int
    max: int
    recommended: int
    basis: str | None = None  # "illegal_gains" for a fine computed as a multiple of the gains
    label: str = ""  # who is fined, in the article's own words
    proposed_amount: int | None = None  # the amount the clerk proposes instead of the recommendation

    @property
    def proposed(self) -> int:
        """The amount the procedure tests run on: the one proposed, else the recommendation."""
        return self.recommended if self.proposed_amount is None else self.proposed_amount

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "target": self.target,
            "label": self.label,
            "min": self.min,
            "max": self.max,
            "recommended": self.recommended,
        }
        if self.basis:
            data["basis"] = self.basis
        return data


@dataclass(frozen=True)
class TraceStep:
    step: str
    description: str
    citation: str | None
    value: Any
    description_en: str = ""  # the same step in English (the page's other language; the API keeps Chinese)

    def to_dict(self) -> dict[str, Any]:
        value = self.value.isoformat() if isinstance(self.value, dt.date) else self.value
        return {"step": self.step, "description": self.description, "citation": self.citation, "value": value}


@dataclass
class Result:
    citation: dict[str, Any]
    order_to_correct_first: bool
    fine_applies: bool
    no_fine_provision: bool
    fines: list[FineLine]
    confiscate_illegal_gains: int
    measures: list[dict[str, Any]]
    hearing_notice: bool
    summary_procedure: bool
    limitation_expires_on: dt.date
    no_penalty_reason: NoPenaltyReason | None = None
    may_waive_fine: bool = False
    time_barred: bool | None = None
    limitation_years: int = 2
    proposed_amount: int | None = None
    legal_review_required: bool = False
    overlaps: list[dict[str, Any]] = field(default_factory=list)
    trace: list[TraceStep] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, amounts as whole-yuan integers."""
        return {
            "citation": dict(self.citation),
            "order_to_correct_first": self.order_to_correct_first,
            "fine_applies": self.fine_applies,
            "no_fine_provision": self.no_fine_provision,
            "fines": [line.to_dict() for line in self.fines],
            "confiscate_illegal_gains": self.confiscate_illegal_gains,
            "measures": [dict(measure) for measure in self.measures],
            "hearing_notice": self.hearing_notice,
            "summary_procedure": self.summary_procedure,
            "limitation_expires_on": self.limitation_expires_on.isoformat(),
            "no_penalty_reason": self.no_penalty_reason,
            "may_waive_fine": self.may_waive_fine,
            "time_barred": self.time_barred,
            "limitation_years": self.limitation_years,
            "proposed_amount": self.proposed_amount,
            "legal_review_required": self.legal_review_required,
            "overlaps": [dict(overlap) for overlap in self.overlaps],
            "trace": [step.to_dict() for step in self.trace],
        }


def _date_zh(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
              "November", "December")


def date_en(day: dt.date) -> str:
    """1 June 2026."""
    return f"{day.day} {_MONTHS_EN[day.month - 1]} {day.year}"


def yuan_en(amount: int) -> str:
    return f"{int(amount):,} yuan"


# The English of the trace: who is fined, the measures and when they apply, the discretion tiers.
TARGETS_EN = {"unit": "the unit", "individual": "the individual",
              "responsible_person": "the persons directly in charge and others directly responsible"}
MEASURES_EN = {
    "order_to_correct": "Order to correct within a time limit",
    "order_to_stop": "Order to stop the infringement",
    "order_to_remove": "Order to remove",
    "forced_removal": "Forced removal according to law",
    "confiscate_illegal_gains": "Confiscation of illegal gains",
    "public_security_punishment_referral": "Punishment under the Public Security Administration Punishments Law",
    "civil_liability": "Civil liability (compensation for losses)",
    "criminal_referral": "Criminal liability according to law",
    "disciplinary_action": "Disciplinary action according to law",
    "educate": "Education of the party",
}
CONDITIONS_EN = {
    "always": None,
    "not_corrected": "If not corrected in time (refusal to correct)",
    "severe": "If the circumstances or consequences are serious",
    "illegal_gains": "If there are illegal gains",
    "loss_caused": "If losses (damage) were caused",
    "crime": "If it constitutes a crime",
    "privacy_infringed": "If another person's privacy was infringed",
}
TIERS_EN = {"lenient": "lenient", "normal": "normal", "severe": "heavy"}


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def condition_en(condition: str | None) -> str:
    """A measure's condition (CONDITION_LABELS' Chinese, as results carry it) in English."""
    codes = {label: code for code, label in CONDITION_LABELS.items() if label}
    return CONDITIONS_EN.get(codes.get(condition or "", ""), "") or ""


def _since(values) -> dt.date | None:
    return values.since


def _since_zh(values) -> str:
    return f"{_date_zh(values.since)}起" if values.since else "现行文本"


def add_years(day: dt.date, years: int) -> dt.date:
    """The corresponding day ``years`` later; 29 February falls on 28 February in a common year (the last
    day of the month, 民法典 art. 202)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def recommended_amount(fine: Fine, lower: int, upper: int) -> int:
    """The midpoint of the tier's share ``lower``–``upper`` per cent of the range, rounded half up to the
    yuan, in integer arithmetic: min + (max − min) × (lower + upper) / 200. A fixed fine is itself."""
    if fine.fixed is not None:
        return fine.fixed
    span = fine.high - fine.low
    return fine.low + (span * (lower + upper) + 100) // 200


class _Calculation:
    """One run of the calculator; collects the trace while it decides."""

    def __init__(
        self, pack: PenaltyPack, provision: Provision, facts: Facts, item: ProvisionItem | None = None
    ) -> None:
        self.pack = pack
        self.provision = provision
        self.item = item
        # What the decision cites: the article, its paragraph and, where the article lists them, the item.
        self.reference = provision.cited(item)
        self.facts = facts
        self.thresholds = pack.thresholds
        self.trace: list[TraceStep] = []
        self.may_waive_fine = False
        self.proposed_used = False
        self.legal_review: Citation | None = None
        self.values = provision.values_on(facts.act_date)  # settled by values_in_force (art. 37)

    def note(self, step: str, description: str, citation: Citation | None, value: Any, en: str = "") -> None:
        label = citation.label(self.pack.regulation.title) if citation else None
        self.trace.append(TraceStep(step, description, label, value, en))

    # -- the steps, in the order a bureau lawyer takes them -------------------------------------------

    def check_act_date(self, today: dt.date) -> None:
        regulation = self.pack.regulation
        act_date = self.facts.act_date
        if act_date < regulation.in_force_from:
            raise ActDateOutOfRange(
                "act_date",
                f"行为日期 {act_date.isoformat()} 早于《{regulation.title}》现行文本的施行日期 "
                f"{regulation.in_force_from.isoformat()}，不能依现行文本计算",
                f"the act ({act_date.isoformat()}) predates the text in force from "
                f"{regulation.in_force_from.isoformat()}",
            )
        if act_date > today:
            raise ActDateOutOfRange(
                "act_date",
                f"行为日期 {act_date.isoformat()} 晚于今天 {today.isoformat()}",
                f"the act date {act_date.isoformat()} is in the future (today is {today.isoformat()})",
            )
        self.note(
            "text_in_force",
            f"违法行为发生于{_date_zh(act_date)}，适用行为时施行的《{regulation.title}》"
            f"（现行文本自{_date_zh(regulation.in_force_from)}起施行）",
            self.thresholds.applicable_law.reference,
            regulation.in_force_from,
            f"The act took place on {date_en(act_date)}: the regulation in force at the time applies (the current "
            f"text has been in force since {date_en(regulation.in_force_from)})",
        )

    def limitation(self, today: dt.date) -> tuple[dt.date, bool | None]:
        """行政处罚法 art. 36: the day the period ends, and whether the act was discovered after it."""
        rule, facts = self.thresholds.limitation, self.facts
        years = rule.extended_years if facts.endangers_life_health_or_finance else rule.years
        expires = add_years(facts.act_date, years)
        self.limitation_years = years
        if facts.endangers_life_health_or_finance:
            description = (
                f"违法行为涉及公民生命健康安全、金融安全且有危害后果，追责期限延长至{years}年，"
                f"至{_date_zh(expires)}届满"
            )
            english = (f"The act endangered life, health or financial security with harmful consequences: the "
                       f"period for penalising it is extended to {years} years and ends on {date_en(expires)}")
        else:
            description = f"违法行为在{years}年内未被发现的，不再给予行政处罚；期限至{_date_zh(expires)}届满"
            english = (f"An act not discovered within {years} years is no longer penalised: the period ends on "
                       f"{date_en(expires)}")
        self.note("limitation", description, rule.reference, expires, english)
        discovered = facts.discovered_on
        if discovered is None:
            self.note(
                "time_barred",
                "未填写发现违法行为的日期，未审查是否超过追责期限"
                + ("（期限已过；违法行为有连续或者继续状态的，应以行为终了之日为行为日期）" if expires < today else ""),
                rule.reference,
                None,
                "The date of discovery was not given, so whether the period has run out was not examined"
                + (" (the period has ended; for a continuing act, give the day it ended as the date of the act)"
                   if expires < today else ""),
            )
            return expires, None
        if discovered > today:
            raise InvalidFacts(
                "discovered_on",
                f"发现日期 {discovered.isoformat()} 晚于今天 {today.isoformat()}",
                f"discovered_on {discovered.isoformat()} is in the future (today is {today.isoformat()})",
            )
        barred = discovered > expires
        self.note(
            "time_barred",
            f"违法行为于{_date_zh(discovered)}被发现，"
            + ("已超过追责期限，不再给予行政处罚" if barred else "在追责期限内"),
            rule.reference,
            barred,
            f"The act was discovered on {date_en(discovered)}, "
            + ("after the period ended: no penalty is given" if barred else "within the period"),
        )
        return expires, barred

    def exemption(self) -> NoPenaltyReason | None:
        """行政处罚法 art. 33: no penalty, or a penalty the bureau may waive (``self.may_waive_fine``)."""
        facts, thresholds = self.facts, self.thresholds
        first_paragraph = thresholds.no_penalty_first_minor.reference
        if facts.no_fault:
            self.note(
                "no_fault",
                "当事人有证据足以证明没有主观过错，不予行政处罚",
                thresholds.no_penalty_no_fault.reference,
                True,
                "The party has evidence sufficient to show no subjective fault: no administrative penalty",
            )
            return "no_fault"
        if facts.minor_no_harm:
            if facts.corrected_promptly:
                self.note(
                    "minor_no_harm", "违法行为轻微并及时改正，没有造成危害后果，不予行政处罚", first_paragraph, True,
                    "The act was minor, corrected in time and caused no harm: no administrative penalty",
                )
                return "minor_no_harm"
            self.note(
                "minor_no_harm",
                "违法行为轻微、没有造成危害后果，但当事人没有及时改正，仍应依法处罚",
                first_paragraph,
                False,
                "The act was minor and caused no harm, but the party did not correct it in time: it is still "
                "penalised according to law",
            )
        if facts.first_minor:
            if facts.corrected_promptly:
                self.may_waive_fine = True
                self.note(
                    "first_minor",
                    "初次违法且危害后果轻微并及时改正，可以不予行政处罚；是否不予处罚由本机关裁量，下列罚款供决定处罚时适用",
                    first_paragraph,
                    True,
                    "A first violation with slight harm, corrected in time, may go unpenalised: the bureau decides; "
                    "the fines below apply if it does penalise",
                )
            else:
                self.note(
                    "first_minor",
                    "初次违法且危害后果轻微，但当事人没有及时改正，不适用可以不予行政处罚的规定",
                    first_paragraph,
                    False,
                    "A first violation with slight harm, but not corrected in time: the rule allowing no penalty "
                    "does not apply",
                )
        return None

    def order_bar(self) -> str | None:
        """Why the provision itself imposes no fine on these facts, or None when the fine applies."""
        provision, facts = self.provision, self.facts
        if provision.no_fine:
            self.note("no_fine_provision", "本条没有规定罚款，只适用本条规定的措施", self.reference, True,
                      "This article provides no fine, only the measures it lists")
            return "no_fine_provision"
        if provision.order_to_correct_first:
            corrected = facts.corrected_by_deadline
            self.note(
                "order_to_correct_first",
                "本条先责令限期改正，逾期不改正的方予罚款；当事人已按期改正，不予罚款"
                if corrected
                else "本条先责令限期改正，逾期不改正的方予罚款；当事人没有按期改正，予以罚款",
                self.reference,
                not corrected,
                "This article first orders correction within a time limit and fines only a failure to correct: "
                + ("the party corrected in time, so no fine" if corrected
                   else "the party did not correct in time, so a fine is imposed"),
            )
            aggravated = provision.aggravated
            if corrected and facts.severe and aggravated and aggravated.regardless_of_correction:
                self.note(
                    "aggravated_regardless",
                    f"本条“{aggravated.label}的”一句读作独立的罚则：{aggravated.label}的，虽已按期改正，仍予罚款",
                    self.reference,
                    True,
                    "This article's clause on serious cases is read as a penalty of its own: the fine applies "
                    "although the party corrected in time",
                )
                return None
            if corrected:
                return "corrected"
        else:
            self.note("order_to_correct_first", "本条规定的罚款不以逾期不改正为前提，违法即予罚款", self.reference, True,
                      "The fine under this article does not wait for a failure to correct: the violation itself "
                      "is fined")
        return None

    def values_in_force(self, decided_on: dt.date) -> bool:
        """行政处罚法 art. 37 (从旧兼从轻): the values in force on the act date, or those in force on the decision
        date where they are lighter or the act is no longer punished. Reading of "lighter" (较轻): for this
        party (its own fine and, for a unit, its responsible persons'), a lower maximum, then, at an equal
        maximum, a lower minimum. Sets ``self.values``; True when the act is no longer punished."""
        rule, act_date = self.thresholds.applicable_law, self.facts.act_date
        old, new = self.provision.values_on(act_date), self.provision.values_on(decided_on)
        self.values = old
        if new == old:
            if self.provision.amendments:
                self.note("values_in_force", f"行为时与决定时（{_date_zh(decided_on)}）施行的本条罚款数额相同，"
                          f"适用{_since_zh(old)}施行的数额", old.reference or self.reference, _since(old))
            return old.repealed
        if new.repealed:
            self.note("values_in_force", f"本条自{_date_zh(new.since)}起不再处罚该行为；作出决定时"
                      f"（{_date_zh(decided_on)}）已不认为是违法，依照从旧兼从轻原则，不予行政处罚",
                      rule.reference, _since(new))
            self.values = new
            return True
        lighter = self._weight(new) < self._weight(old)
        self.values = new if lighter else old
        old_text, new_text = self._range_zh(old), self._range_zh(new)
        self.note(
            "values_in_force",
            f"行为时（{_date_zh(act_date)}）适用{_since_zh(old)}施行的数额（{old_text}），作出决定时"
            f"（{_date_zh(decided_on)}）适用{_since_zh(new)}施行的数额（{new_text}）；"
            + ("新的规定处罚较轻（最高罚款较低，相同时最低罚款较低），依照从旧兼从轻原则适用新的规定" if lighter
               else "新的规定处罚不轻于行为时的规定，适用行为时的规定"),
            rule.reference,
            _since(self.values),
        )
        return False

    def _chosen(self, values) -> dict[str, Fine]:
        fines = dict(values.fines)
        if self.facts.severe and self.provision.aggravated:
            fines.update(values.aggravated_fines)
        return {target: fines[target] for target in TARGETS_FOR_PARTY[self.facts.party] if target in fines}

    def _weight(self, values) -> tuple[int, int]:
        chosen = self._chosen(values).values()
        return sum(fine.high for fine in chosen), sum(fine.low for fine in chosen)

    def _range_zh(self, values) -> str:
        chosen = self._chosen(values)
        if not chosen:
            return f"不对{TARGET_LABELS[self.facts.party]}罚款"
        return "；".join(f"对{self.provision.target_label(t)}" + (f"{f.fixed}元" if f.fixed is not None
                         else f"{f.low}元至{f.high}元") for t, f in chosen.items())

    def applicable_fines(self) -> dict[str, Fine]:
        provision, facts = self.provision, self.facts
        fines = dict(self.values.fines)
        aggravated = provision.aggravated
        if facts.severe and aggravated:
            fines.update(self.values.aggravated_fines)
            self.note("aggravated", f"本案属于“{aggravated.label}”，适用本条对{aggravated.label}规定的罚款", self.reference, True,
                      "The case falls under this article's clause on serious cases: the fines it sets apply")
            if aggravated.legal_review:
                self.legal_review = aggravated.legal_review.reference
                self.note(
                    "legal_review",
                    f"本条“{aggravated.label}的”读法有争议，作出处罚决定前应当进行法制审核",
                    aggravated.legal_review.reference,
                    True,
                    "The reading of this article's clause on serious cases is disputed: a legal review is required "
                    "before the decision",
                )
        elif facts.severe:
            self.note(
                "aggravated",
                "本条未规定情节严重或者造成严重后果时的加重罚款，按本条的罚款计算，可以选择从重档",
                self.reference,
                False,
                "This article sets no heavier fine for serious circumstances or consequences: its fines apply, "
                "and the heavy tier may be chosen",
            )
        chosen = {target: fines[target] for target in TARGETS_FOR_PARTY[facts.party] if target in fines}
        return chosen

    def fine_lines(self, fines: dict[str, Fine]) -> list[FineLine]:
        tier = self.thresholds.tiers.tier(self.facts.tier)
        lines = []
        for target, fine in fines.items():
            recommended = recommended_amount(fine, tier.lower, tier.upper)
            label = self.provision.target_label(target)
            who = TARGETS_EN.get(target, target)
            if fine.fixed is not None:
                description = f"对{label}处{fine.fixed}元罚款（固定数额，不分档）"
                english = f"A fine of {yuan_en(fine.fixed)} on {who} (a fixed amount, no tiers)"
            else:
                description = (
                    f"对{label}处{fine.low}元以上{fine.high}元以下罚款；"
                    f"{tier.label}档（幅度的{tier.lower}%至{tier.upper}%）取中点，建议{recommended}元"
                )
                english = (f"A fine of {yuan_en(fine.low)} to {yuan_en(fine.high)} on {who}: the midpoint of the "
                           f"{TIERS_EN.get(self.facts.tier, self.facts.tier)} tier ({tier.lower}% to {tier.upper}% "
                           f"of the range), {yuan_en(recommended)} recommended")
            proposed = self._proposed_amount(target, fine, label)
            if proposed is not None:
                description += f"；拟处{proposed}元"
                english += f"; {yuan_en(proposed)} proposed"
            self.note(f"fine_{target}", description, self.reference, recommended, english)
            lines.append(FineLine(target, fine.low, fine.high, recommended, label=label, proposed_amount=proposed))
        return lines

    def _proposed_amount(self, target: str, fine: Fine, label: str) -> int | None:
        """The party's proposed fine, within the article's range (below it only by a collective 减轻
        decision under 行政处罚法 art. 32, which the calculator does not make)."""
        amount = self.facts.proposed_amount
        if amount is None or target != self.facts.party:
            return None
        if not fine.low <= amount <= fine.high:
            statutory = f"{fine.fixed}元" if fine.fixed is not None else f"{fine.low}元以上{fine.high}元以下"
            raise InvalidFacts(
                "proposed_amount",
                f"拟罚款数额{amount}元不在本条对{label}规定的罚款（{statutory}）之内",
                f"proposed_amount {amount} is outside the article's range {fine.low}–{fine.high} yuan",
            )
        self.proposed_used = True
        return amount

    def gains_fine(self) -> FineLine | None:
        rule, facts = self.provision.illegal_gains, self.facts
        if not rule or not rule.fine_multiple or facts.illegal_gains <= 0 or facts.party not in rule.targets:
            return None
        amount = facts.illegal_gains * rule.fine_multiple
        self.note(
            "fine_illegal_gains",
            f"有违法所得的，处违法所得{rule.fine_multiple}倍罚款：{facts.illegal_gains}元×{rule.fine_multiple}"
            f"＝{amount}元",
            self.reference,
            amount,
            f"With illegal gains, a fine of {rule.fine_multiple} times the illegal gains: "
            f"{yuan_en(facts.illegal_gains)} × {rule.fine_multiple} = {yuan_en(amount)}",
        )
        label = self.provision.target_label(facts.party)
        return FineLine(facts.party, amount, amount, amount, basis="illegal_gains", label=label)

    def confiscation(self, fine_applies: bool) -> tuple[int, Citation | None]:
        gains = self.facts.illegal_gains
        if gains <= 0:
            return 0, None
        rule = self.provision.illegal_gains
        overlay = self.thresholds.confiscation
        if not fine_applies:
            self.note(
                "confiscation", "本案不予罚款，没收违法所得随处罚决定作出，故不没收", overlay.reference, 0,
                "No fine is imposed here, and confiscation goes with a penalty decision: nothing is confiscated",
            )
            return 0, None
        if rule and rule.confiscate:
            citation = self.reference
        elif overlay.in_force_from is None or self.facts.act_date >= overlay.in_force_from:
            citation = overlay.reference
        else:
            self.note(
                "confiscation",
                "本条没有规定没收违法所得，行为时《行政处罚法》第二十八条第二款尚未施行，故不没收",
                self.thresholds.applicable_law.reference,
                0,
                "This article provides no confiscation, and art. 28(2) of the Administrative Penalty Law was not "
                "yet in force at the time of the act: nothing is confiscated",
            )
            return 0, None
        self.note("confiscation", f"当事人有违法所得{gains}元，予以没收", citation, gains,
                  f"The party's illegal gains of {yuan_en(gains)} are confiscated")
        return gains, citation

    def measures(
        self, confiscation_citation: Citation | None, no_penalty: NoPenaltyReason | None = None
    ) -> list[dict[str, Any]]:
        provision, facts = self.provision, self.facts
        if no_penalty == "no_longer_punishable":  # art. 37: not illegal any more, so nothing to order or teach
            self.note("measures", "作出决定时该行为已不认为是违法，不适用本条规定的措施",
                      self.thresholds.applicable_law.reference, [])
            return []
        chosen: list[tuple[Measure, Citation]] = [
            (measure, self.reference) for measure in provision.measures
        ]
        if facts.severe and provision.aggravated:
            chosen += [(measure, self.reference) for measure in provision.aggravated.measures]
        result: list[dict[str, Any]] = []
        for measure, citation in chosen:
            if measure.when == "not_corrected" and facts.corrected_by_deadline:
                continue
            if measure.when == "severe" and not facts.severe:
                continue
            if measure.code == "confiscate_illegal_gains" or measure.when == "illegal_gains":
                continue  # decided by confiscation() from the facts, added below
            result.append(self._measure(measure.code, measure.display, measure.when, citation, measure.note))
        if not any(item["code"] in ORDERS for item in result):
            # 行政处罚法 art. 28(1): the party is ordered to correct, whether or not it is penalised.
            rule = self.thresholds.order_to_correct
            result.insert(0, self._measure("order_to_correct", MEASURE_LABELS["order_to_correct"], "always",
                                           rule.reference))
        if confiscation_citation is not None:
            result.append(
                self._measure("confiscate_illegal_gains", "没收违法所得", "always", confiscation_citation)
            )
        if no_penalty is not None:
            rule = self.thresholds.education
            result.append(self._measure("educate", MEASURE_LABELS["educate"], "always", rule.reference))
            self.note("education", "依法不予行政处罚的，应当对当事人进行教育", rule.reference, True,
                      "Where no administrative penalty is given, the party is educated according to law")
        listed = "、".join(
            (f"{item['condition']}，" if item["condition"] and "的，" not in item["label"] else "") + item["label"]
            for item in result
        )
        listed_en = "; ".join(
            (f"{_lower_first(condition_en(item['condition']))}: " if item["condition"] else "")
            + _lower_first(MEASURES_EN.get(item["code"], item["code"])) for item in result)
        self.note("measures", f"同时适用：{listed}", self.reference, [item["code"] for item in result],
                  f"Also applied: {listed_en}")
        return result

    def _measure(
        self, code: str, label: str, when: str, citation: Citation, note: str | None = None
    ) -> dict[str, Any]:
        return {
            "code": code,
            "label": label,
            "condition": CONDITION_LABELS[when],
            "citation": citation.label(self.pack.regulation.title),
            "note": note,
        }

    @staticmethod
    def _proposed(lines: list[FineLine]) -> tuple[int, list[tuple[str, int]]]:
        """The unit's fines together, and each person's fine: what arts. 51 and 63 compare."""
        unit_total = sum(line.proposed for line in lines if line.target == "unit")
        persons = [(line.label, line.proposed) for line in lines if line.target != "unit"]
        return unit_total, persons

    def _amounts_text(self, lines: list[FineLine], confiscated: int) -> str:
        unit_total, persons = self._proposed(lines)
        parts = [f"对单位罚款合计{unit_total}元"] if any(line.target == "unit" for line in lines) else []
        parts += [f"对{label}罚款{amount}元" for label, amount in persons]
        if confiscated:
            parts.append(f"没收违法所得{confiscated}元")
        return "、".join(parts)

    def _amounts_en(self, lines: list[FineLine], confiscated: int) -> str:
        unit_total, persons = self._proposed(lines)
        parts = [f"a fine of {yuan_en(unit_total)} in all on the unit"] if any(
            line.target == "unit" for line in lines) else []
        parts += [f"a fine of {yuan_en(amount)} on {TARGETS_EN.get(line.target, 'the person')}"
                  for line, (_label, amount) in zip([x for x in lines if x.target != "unit"], persons, strict=True)]
        if confiscated:
            parts.append(f"confiscation of {yuan_en(confiscated)} of illegal gains")
        return ", ".join(parts)

    def hearing(self, lines: list[FineLine], confiscated: int) -> bool:
        """行政处罚法 art. 63 with the public-security thresholds: a unit's fines against the unit's
        threshold, each person's fine against the individual's, confiscation against the party's own."""
        rule = self.thresholds.hearing
        unit_total, persons = self._proposed(lines)
        limit = rule.unit if self.facts.party == "unit" else rule.individual
        notice = (
            unit_total >= rule.unit
            or any(amount >= rule.individual for _, amount in persons)
            or (confiscated > 0 and confiscated >= limit)
        )
        amounts = self._amounts_text(lines, confiscated)
        self.note(
            "hearing",
            f"拟{amounts}，"
            + (
                f"达到较大数额（对单位{rule.unit}元以上、对个人{rule.individual}元以上），应当告知当事人有要求听证的权利"
                if notice
                else f"未达到较大数额（对单位{rule.unit}元、对个人{rule.individual}元），无需告知听证权利"
            ),
            rule.reference,
            notice,
            f"Proposed: {self._amounts_en(lines, confiscated)}. "
            + (f"This reaches the large amount ({yuan_en(rule.unit)} or more for a unit, {yuan_en(rule.individual)} "
               "or more for an individual): the party must be told of the right to request a hearing"
               if notice else
               f"This is below the large amount ({yuan_en(rule.unit)} for a unit, {yuan_en(rule.individual)} for "
               "an individual): no hearing notice is needed"),
        )
        return notice

    def summary(self, lines: list[FineLine], confiscated: int) -> bool:
        """行政处罚法 art. 51: every fine within its limit (本数 included) and nothing confiscated."""
        rule = self.thresholds.summary
        unit_total, persons = self._proposed(lines)
        allowed = (
            bool(lines)
            and confiscated == 0
            and unit_total <= rule.unit
            and all(amount <= rule.individual for _, amount in persons)
        )
        amounts = self._amounts_text(lines, confiscated)
        if allowed:
            description = (
                f"拟{amounts}，在当场处罚限额（对单位{rule.unit}元以下、对个人{rule.individual}元以下）内，"
                "违法事实确凿并有法定依据的，可以适用简易程序当场作出处罚决定"
            )
        elif confiscated:
            description = f"拟{amounts}，没收违法所得须按普通程序作出决定"
        else:
            description = (
                f"拟{amounts}，超过当场处罚限额（对单位{rule.unit}元以下、对个人{rule.individual}元以下），按普通程序办理"
            )
        limits = f"{yuan_en(rule.unit)} or less for a unit, {yuan_en(rule.individual)} or less for an individual"
        if allowed:
            english = (f"Within the on-the-spot limits ({limits}): where the facts are certain and have a legal "
                       "basis, the summary procedure may be used and the decision made on the spot")
        elif confiscated:
            english = "Confiscating illegal gains requires the ordinary procedure"
        else:
            english = f"Above the on-the-spot limits ({limits}): the ordinary procedure applies"
        self.note("summary_procedure", description, rule.reference, allowed,
                  f"Proposed: {self._amounts_en(lines, confiscated)}. {english}")
        return allowed


def pack_for(jurisdiction: Any) -> PenaltyPack:
    """The pack of a jurisdiction named in a request; an unknown name is a :class:`UnknownJurisdiction`."""
    packs = all_penalty_packs()
    if not isinstance(jurisdiction, str) or jurisdiction not in packs:
        raise UnknownJurisdiction(
            "jurisdiction",
            f"没有辖区 {jurisdiction!r} 的罚则；可选：{'、'.join(packs)}",
            f"no penalty rules for jurisdiction {jurisdiction!r}; known: {', '.join(packs)}",
        )
    return packs[jurisdiction]


def _ceiling(lines: list[FineLine]) -> int:
    """The most the provision lets the bureau fine on these facts (all fines of one decision together)."""
    return sum(line.max for line in lines)


def _overlaps(
    pack: PenaltyPack, provision: Provision, item: ProvisionItem | None, facts: Facts, lines: list[FineLine]
) -> list[dict[str, Any]]:
    """行政处罚法 art. 29: the other provisions the same act falls under, and which fines higher."""
    title = pack.regulation.title
    found = []
    for overlap in provision.overlaps:
        if overlap.items and item is not None and item.number not in overlap.items:
            continue
        other = pack.provision(overlap.provision)
        other_facts = facts.model_copy(update={"item": overlap.other_item, "proposed_amount": None})
        other_result = calculate(pack, other.code, other_facts, with_overlaps=False)
        other_citation = other_result.citation["label"]
        own_citation = provision.cited(item).label(title)
        higher_is_other = _ceiling(other_result.fines) > _ceiling(lines)
        found.append(
            {
                "provision": other.code,
                "citation": other_citation,
                "fine_max": _ceiling(other_result.fines),
                "higher_fine": other.code if higher_is_other else provision.code,
                "higher_fine_citation": other_citation if higher_is_other else own_citation,
                "reading": overlap.reading,
            }
        )
    return found


def _item(pack: PenaltyPack, provision: Provision, number: int | None) -> ProvisionItem | None:
    """The item chosen, or None (the citation then stops at the article); an unknown item is refused."""
    if number is None:
        return None
    item = provision.item(number)
    if item is None:
        known = "、".join(str(choice.number) for choice in provision.items)
        raise InvalidFacts(
            "item",
            f"{provision.reference.label(pack.regulation.title)}没有第{number}项"
            + (f"；可选：{known}" if known else "；本条不分项"),
            f"no item {number} under {provision.code}" + (f"; known: {known}" if known else "; it lists no items"),
        )
    return item


def calculate(
    pack: PenaltyPack, provision_code: str, facts: Facts | Mapping[str, Any], *, with_overlaps: bool = True
) -> Result:
    """Apply one provision of ``pack`` to ``facts``.

    Raises :class:`UnknownViolation`, :class:`InvalidFacts` or :class:`ActDateOutOfRange` (all
    :class:`CalculationError`, which the API answers with 422 naming the field)."""
    if not isinstance(facts, Facts):
        facts = Facts.from_mapping(facts)
    try:
        provision = pack.provision(provision_code) if isinstance(provision_code, str) else None
    except KeyError:
        provision = None
    if provision is None:
        raise UnknownViolation(
            "violation",
            f"《{pack.regulation.title}》的罚则中没有违法行为 {provision_code!r}",
            f"no violation {provision_code!r} in the {pack.code} penalty rules",
        )
    item = _item(pack, provision, facts.item)
    today = facts.today or china_today()  # the bureau's date, not the server's zone
    run = _Calculation(pack, provision, facts, item)
    violates = item.violates if item else provision.violates
    run.note(
        "provision",
        f"当事人{item.title if item else provision.title}，违反"
        + "、".join(ref.label() for ref in violates)
        + f"的规定，依照本条由{provision.authority}处理",
        run.reference,
        provision.code,
        "The party's act falls under this article: it violates the provisions the article cites, and the "
        "authority the article names deals with it",
    )
    run.check_act_date(today)
    expires, time_barred = run.limitation(today)
    no_longer = run.values_in_force(facts.decided_on or today)

    no_penalty: NoPenaltyReason | None = (
        "time_barred" if time_barred else "no_longer_punishable" if no_longer else run.exemption()
    )
    bar = no_penalty or run.order_bar()
    lines: list[FineLine] = []
    if bar is None:
        fines = run.applicable_fines()
        lines = run.fine_lines(fines)
        gains_line = run.gains_fine()
        if gains_line:
            lines.append(gains_line)
        if not lines:
            run.note(
                "no_fine_for_party",
                f"本条未规定对{TARGET_LABELS[facts.party]}的罚款，不予罚款，只适用所列措施",
                pack.thresholds.no_fine_without_basis.reference,
                False,
                f"This article sets no fine on {TARGETS_EN.get(facts.party, facts.party)}: no fine, only the "
                "measures listed",
            )
    fine_applies = bool(lines)
    if facts.proposed_amount is not None and not run.proposed_used:
        raise InvalidFacts(
            "proposed_amount",
            f"本案依上述规定不对{TARGET_LABELS[facts.party]}罚款，不能拟定罚款数额",
            f"no fine on the {facts.party} applies here, so no amount can be proposed",
        )
    confiscated, confiscation_citation = run.confiscation(fine_applies)
    measures = run.measures(confiscation_citation, no_penalty)
    hearing = run.hearing(lines, confiscated) if fine_applies else False
    summary = run.summary(lines, confiscated) if fine_applies else False

    if fine_applies:
        late = pack.thresholds.late_payment
        run.note(
            "late_payment",
            f"当事人到期不缴纳罚款的，每日按罚款数额的{late.percent_per_day}%加处罚款，加处罚款的数额不得超出罚款的数额",
            late.reference,
            late.percent_per_day,
            f"If the party does not pay the fine when due, a surcharge of {late.percent_per_day}% of the fine is "
            "added each day, up to the amount of the fine",
        )
    overlaps = _overlaps(pack, provision, item, facts, lines) if with_overlaps else []
    for overlap in overlaps:
        run.note(
            "overlap",
            f"同一行为也可能违反{overlap['citation']}；对同一个违法行为只罚款一次，按照罚款数额高的规定处罚，"
            f"即适用{overlap['higher_fine_citation']}",
            pack.thresholds.single_fine.reference,
            overlap["higher_fine"],
            "The same act may also violate another article (listed with the result): one act is fined once, "
            "under the provision with the higher fine",
        )

    return Result(
        citation={
            "regulation": pack.regulation.title,
            "article": provision.reference.article,
            "paragraph": provision.reference.paragraph,
            "item": item.number if item else None,
            "label": run.reference.label(pack.regulation.title),
            "violates": [ref.label(pack.regulation.title) for ref in violates],
        },
        order_to_correct_first=provision.order_to_correct_first,
        fine_applies=fine_applies,
        no_fine_provision=provision.no_fine,
        fines=lines,
        confiscate_illegal_gains=confiscated,
        measures=measures,
        hearing_notice=hearing,
        summary_procedure=summary,
        limitation_expires_on=expires,
        no_penalty_reason=no_penalty,
        may_waive_fine=run.may_waive_fine and fine_applies,
        time_barred=time_barred,
        limitation_years=run.limitation_years,
        proposed_amount=facts.proposed_amount if run.proposed_used else None,
        legal_review_required=run.legal_review is not None,
        overlaps=overlaps,
        trace=run.trace,
    )
