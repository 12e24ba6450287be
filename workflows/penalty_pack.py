"""Penalty rule packs: one YAML file per jurisdiction, validated once when loaded.

A pack is the legal-liability chapter of a regulation written as data, in the manner of OpenFisca
parameters: every amount sits next to the article it comes from, and every overlay from national law
(discretion tiers, hearing and summary-procedure thresholds, limitation) carries its own citation. The
calculator in :mod:`workflows.penalty` interprets packs; it holds no amounts of its own.

A pack that does not match the schema raises :class:`PenaltyPackError` naming the file and the field, so
that a broken pack stops the application at start-up instead of producing a wrong fine later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, model_validator

from workflows.rules import PackError, jurisdiction_codes, load_folder, pack_folder, search_roots
from workflows.yaml_file import read_mapping

__all__ = [
    "CONDITION_LABELS",
    "JURISDICTIONS_DIR",
    "MEASURE_LABELS",
    "PACK_FILE",
    "TARGET_LABELS",
    "Amendment",
    "Citation",
    "Fine",
    "PenaltyPack",
    "PenaltyPackError",
    "Provision",
    "all_penalty_packs",
    "load_penalty_pack",
    "load_national_law",
    "load_penalty_pack_file",
]

JURISDICTIONS_DIR = Path(__file__).parent / "jurisdictions"  # the shipped packs (workflows.rules finds all)
PACK_FILE = "penalties.yaml"
# The national law's overlays, written once (行政处罚法 2021 and the public-security procedure thresholds).
NATIONAL_FILE = Path(__file__).parent / "national" / "administrative_penalty_law.yaml"

Target = Literal["unit", "individual", "responsible_person"]
TARGET_LABELS: dict[str, str] = {
    "unit": "单位",
    "individual": "个人",
    "responsible_person": "直接负责的主管人员和其他直接责任人员",
}

MeasureCode = Literal[
    "order_to_correct",
    "order_to_stop",
    "order_to_remove",
    "forced_removal",
    "confiscate_illegal_gains",
    "public_security_punishment_referral",
    "civil_liability",
    "criminal_referral",
    "disciplinary_action",
    "educate",
]
MEASURE_LABELS: dict[str, str] = {
    "order_to_correct": "责令限期改正",
    "order_to_stop": "责令停止侵害",
    "order_to_remove": "责令拆除",
    "forced_removal": "依法强制拆除",
    "confiscate_illegal_gains": "没收违法所得",
    "public_security_punishment_referral": "依照《中华人民共和国治安管理处罚法》处罚",
    "civil_liability": "依法承担民事责任（赔偿损失）",
    "criminal_referral": "依法追究刑事责任",
    "disciplinary_action": "依法给予处分",
    "educate": "对当事人进行教育",
}

# When a measure applies. The calculator decides the first three from the facts; the others depend on
# findings it does not make and are shown with their condition.
Condition = Literal[
    "always",
    "not_corrected",
    "severe",
    "illegal_gains",
    "loss_caused",
    "crime",
    "privacy_infringed",
]
CONDITION_LABELS: dict[str, str | None] = {
    "always": None,
    "not_corrected": "逾期不改正（拒不改正）的",
    "severe": "情节严重或者造成严重后果的",
    "illegal_gains": "有违法所得的",
    "loss_caused": "造成损失（损害）的",
    "crime": "构成犯罪的",
    "privacy_infringed": "侵犯他人隐私的",
}

TierCode = Literal["lenient", "normal", "severe"]


class PenaltyPackError(ValueError):
    """A pack file is missing, unreadable or does not match the schema; the message names file and field."""


class _Model(BaseModel):
    # Unknown keys are typos until proven otherwise: a misspelt "fines" must not silently drop a fine.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _int_list(value: Any) -> Any:
    return [value] if isinstance(value, int) else value


class Citation(_Model):
    """Where a value comes from. Without ``law`` it is the pack's own regulation."""

    law: str | None = None
    article: int = Field(ge=1)
    paragraph: int | None = Field(default=None, ge=1)
    items: Annotated[list[Annotated[int, Field(ge=1)]], BeforeValidator(_int_list)] = []

    def label(self, regulation: str | None = None) -> str:
        """The citation as a bureau writes it: 《…》第三十五条第一款第（一）项."""
        return _citation_label(self.law or regulation, self.article, self.paragraph, tuple(self.items))


# Written once per citation: a calculation labels some 25, the same ones for every request on a provision.
# The citations are the packs' own (and their items), so the entries stay few; the bound is a safeguard.
@lru_cache(maxsize=4096)
def _citation_label(law: str | None, article: int, paragraph: int | None, items: tuple[int, ...]) -> str:
    text = f"《{law}》" if law else ""
    text += f"第{chinese_numeral(article)}条"
    if paragraph:
        text += f"第{chinese_numeral(paragraph)}款"
    if items:
        text += _items_label(list(items))
    return text


def _items_label(items: list[int]) -> str:
    """第（一）项、第（三）项; a run of three or more as 第（二）项至第（十一）项."""
    runs: list[list[int]] = []
    for item in sorted(items):
        if runs and item == runs[-1][-1] + 1:
            runs[-1].append(item)
        else:
            runs.append([item])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"第（{chinese_numeral(run[0])}）项至第（{chinese_numeral(run[-1])}）项")
        else:
            parts.extend(f"第（{chinese_numeral(item)}）项" for item in run)
    return "、".join(parts)


@cache  # a calculation labels some 25 citations; cn2an takes ~20 µs a number
def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一: numbers as article labels write them."""
    import cn2an  # imported on first use: cn2an takes ~0.3 s to import, every command and worker paid it

    text = cn2an.an2cn(number)
    return text[1:] if text.startswith("一十") else text


def _citation_from_int(value: Any) -> Any:
    return {"article": value} if isinstance(value, int) else value


ViolatedArticle = Annotated[Citation, BeforeValidator(_citation_from_int)]


class Fine(_Model):
    """A fine in whole yuan: a range ``{min, max}`` or a fixed amount ``{fixed}``."""

    min: int | None = Field(default=None, ge=0)
    max: int | None = Field(default=None, ge=0)
    fixed: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _range_or_fixed(self) -> Fine:
        if self.fixed is not None:
            if self.min is not None or self.max is not None:
                raise ValueError("give either fixed or min and max, not both")
        elif self.min is None or self.max is None:
            raise ValueError("give fixed, or both min and max")
        elif not 0 < self.min <= self.max:
            raise ValueError(f"min ({self.min}) must be positive and not above max ({self.max})")
        return self

    @property
    def low(self) -> int:
        return self.fixed if self.fixed is not None else self.min  # type: ignore[return-value]

    @property
    def high(self) -> int:
        return self.fixed if self.fixed is not None else self.max  # type: ignore[return-value]


class Measure(_Model):
    code: MeasureCode
    when: Condition = "always"
    label: str | None = None  # the article's own words where they differ from the default label
    note: str | None = None  # how the measure is carried out, where another law says so

    @property
    def display(self) -> str:
        return self.label or MEASURE_LABELS[self.code]


class LegalReview(_Model):
    """Why a result must pass the legal review of 行政处罚法 art. 58 before a decision."""

    reference: Citation
    reading: str


class Aggravated(_Model):
    """A heavier variant (情节严重, 造成严重后果): its fines replace the base fines target by target."""

    label: str
    fines: dict[Target, Fine] = {}
    measures: list[Measure] = []
    # The variant is its own clause: it fines even when the party corrected by the deadline.
    regardless_of_correction: bool = False
    legal_review: LegalReview | None = None
    reading: str | None = None


class Overlap(_Model):
    """The same act under another provision that also answers it (行政处罚法 art. 29: one fine, the higher)."""

    provision: str
    items: list[int] = []  # this provision's items the overlap concerns; empty: the whole provision
    other_item: int | None = None  # the other provision's item the act falls under
    reading: str


class IllegalGains(_Model):
    """What the article says about illegal gains: confiscation, and a fine as a multiple of the gains."""

    confiscate: bool = False
    fine_multiple: int | None = Field(default=None, ge=1)
    # Which parties the gains-based fine falls on: the party that made the gains.
    targets: list[Literal["unit", "individual"]] = ["unit", "individual"]
    reading: str | None = None


class Amendment(_Model):
    """A dated value of a provision's fines (OpenFisca's manner: a value keyed by the date it takes effect,
    with its legal reference). An amendment adds one; it never overwrites the values before it, which still
    apply to acts before its date (行政处罚法 art. 37). ``repealed``: from this date the act is not punished."""

    in_force_from: dt.date
    reference: Citation  # the amending act (law, article) that set these values
    fines: dict[Target, Fine] = {}
    aggravated_fines: dict[Target, Fine] = {}  # the heavier variant's, where the provision has one
    repealed: bool = False
    reading: str | None = None

    @model_validator(mode="after")
    def _values_or_repeal(self) -> Amendment:
        if self.repealed and (self.fines or self.aggravated_fines):
            raise ValueError("a repeal sets no fines")
        if not self.repealed and not (self.fines or self.aggravated_fines):
            raise ValueError("give the fines in force from this date, or repealed: true")
        return self


@dataclass(frozen=True)
class FineValues:
    """The fines of a provision in force on a day: the text's own, or an amendment's."""

    since: dt.date | None  # None: since the text in force (the regulation's in_force_from)
    fines: dict[str, Fine]
    aggravated_fines: dict[str, Fine]
    reference: Citation | None  # the amendment's; None for the text's own values
    repealed: bool = False


class ProvisionItem(_Model):
    """One act an article lists (行政处罚法 art. 59: a decision names its exact basis). ``number`` is what a
    client sends as ``item``: the item of the penalty article (LN 31, SX 26), or of the article violated
    (IM 27 → 第十九条's items), or the article violated itself (QHD 23 names articles, not items)."""

    number: int = Field(ge=1)
    title: str
    violates: list[ViolatedArticle] = Field(min_length=1)


class Provision(_Model):
    code: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    reference: Citation
    violates: list[ViolatedArticle] = Field(min_length=1)
    items: list[ProvisionItem] = []
    authority: str
    # Who is fined, in the article's own words where it names them otherwise than TARGET_LABELS.
    target_labels: dict[Target, str] = {}
    overlaps: list[Overlap] = []
    order_to_correct_first: bool
    fines: dict[Target, Fine] = {}
    aggravated: Aggravated | None = None
    measures: list[Measure] = []
    illegal_gains: IllegalGains | None = None
    reading: str | None = None
    # Dated values added by amendments, oldest first; `fines` above are the text's own (from its in_force_from).
    amendments: list[Amendment] = []

    @model_validator(mode="after")
    def _items_unique(self) -> Provision:
        numbers = [item.number for item in self.items]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"item numbers must be unique: {numbers}")
        if self.reference.items and numbers != list(self.reference.items):
            raise ValueError(f"items {numbers} must be the article's items {list(self.reference.items)}")
        return self

    def target_label(self, target: str) -> str:
        return self.target_labels.get(target) or TARGET_LABELS[target]  # type: ignore[call-overload]

    def item(self, number: int) -> ProvisionItem | None:
        return next((item for item in self.items if item.number == number), None)

    def cited(self, item: ProvisionItem | None) -> Citation:
        """The citation of the provision, narrowed to the item where the item is the penalty article's own."""
        if item is not None and self.reference.items:
            return self.reference.model_copy(update={"items": [item.number]})
        return self.reference.model_copy(update={"items": []})  # without the item, the article

    def values_on(self, day: dt.date) -> FineValues:
        """The fines in force on ``day``: the text's own, as changed by each amendment in force by then.
        An amendment changes the values it names (target by target) and leaves the others as they were."""
        values = FineValues(None, dict(self.fines), dict(self.aggravated.fines) if self.aggravated else {}, None)
        for amendment in self.amendments:
            if amendment.in_force_from > day:
                break
            values = FineValues(amendment.in_force_from, {**values.fines, **amendment.fines},
                                {**values.aggravated_fines, **amendment.aggravated_fines}, amendment.reference,
                                amendment.repealed)
        return values

    @property
    def no_fine(self) -> bool:
        """A provision that names no fine for anyone (e.g. Liaoning art. 33) answers with measures only."""
        return not self.fines and not (self.aggravated and self.aggravated.fines)

    def summary(self) -> dict[str, Any]:
        """The row the violations list of the API shows."""
        return {
            "code": self.code,
            "title": self.title,
            "article": self.reference.article,
            "paragraph": self.reference.paragraph,
            "items": list(self.reference.items),
            "item_choices": [
                {
                    "number": item.number,
                    "title": item.title,
                    "citation": self.cited(item).label(),
                    "violates": [ref.label() for ref in item.violates],
                }
                for item in self.items
            ],
        }


class Note(_Model):
    """An article the calculator does not apply but the clerk should see: officials' liability,
    precedence of national law."""

    code: str
    title: str
    reference: Citation
    measures: list[Measure] = []
    reading: str


class Regulation(_Model):
    """Copied from the folder's jurisdiction.yaml, where the regulation's title and dates are written once."""

    title: str
    in_force_from: dt.date
    source: str | None = None


class Tier(_Model):
    code: TierCode
    label: str
    lower: int = Field(ge=0, le=100)  # per cent of the range where the tier begins
    upper: int = Field(ge=0, le=100)  # … and ends


class Tiers(_Model):
    reference: Citation
    method: str
    levels: list[Tier]

    @model_validator(mode="after")
    def _cover_the_range(self) -> Tiers:
        codes = [tier.code for tier in self.levels]
        if sorted(codes) != sorted(["lenient", "normal", "severe"]):
            raise ValueError(f"levels must be lenient, normal and severe once each, got {codes}")
        bounds = [(tier.lower, tier.upper) for tier in self.levels]
        edges = [0] + [upper for _, upper in bounds]
        if [lower for lower, _ in bounds] != edges[:-1] or edges[-1] != 100:
            raise ValueError(f"tiers must split 0–100 per cent without gaps or overlaps, got {bounds}")
        return self

    def tier(self, code: str) -> Tier:
        return next(tier for tier in self.levels if tier.code == code)


class PartyAmounts(_Model):
    """An amount in yuan for a unit and for an individual, with its citation."""

    unit: int = Field(ge=0)
    individual: int = Field(ge=0)
    reference: Citation
    reading: str | None = None


class Limitation(_Model):
    years: int = Field(ge=1)
    # 涉及公民生命健康安全、金融安全且有危害后果的，上述期限延长至五年
    extended_years: int = Field(ge=1)
    reference: Citation
    reading: str


class LegalRule(_Model):
    reference: Citation
    reading: str
    in_force_from: dt.date | None = None


class LatePayment(_Model):
    percent_per_day: int = Field(ge=1, le=100)
    reference: Citation
    reading: str


class Thresholds(_Model):
    tiers: Tiers
    hearing: PartyAmounts
    summary: PartyAmounts
    limitation: Limitation
    no_penalty_first_minor: LegalRule
    no_penalty_no_fault: LegalRule
    education: LegalRule
    order_to_correct: LegalRule
    applicable_law: LegalRule
    late_payment: LatePayment
    mitigation: LegalRule
    confiscation: LegalRule
    single_fine: LegalRule
    no_fine_without_basis: LegalRule


class CaseNumbering(_Model):
    """Document numbers (文书字号) of the cases and orders to correct a bureau issues, sequential per bureau and
    year. Fields: {authority_short} (the bureau's short name), {year}, {seq} (format spec allowed, e.g.
    {seq:04d}). The short name is `authority_short`'s entry for the bureau, else the first character of its
    name, unless another bureau of the jurisdiction would have the same one: then the name without 公安厅,
    公安局 or 分局 (呼和浩特, 呼伦贝尔), so two bureaus never issue the same number."""

    case: str = "{authority_short}公（技）罚决字〔{year}〕{seq:04d}号"
    order: str = "{authority_short}公（技）责改字〔{year}〕{seq:04d}号"
    authority_short: dict[str, str] = {}

    def short(self, code: str, name: str, others: Iterable[tuple[str, str]] = ()) -> str:
        """`others`: (code, name) of every bureau of the jurisdiction."""
        if code in self.authority_short:
            return self.authority_short[code]
        first = name[:1]
        taken = set(self.authority_short.values()) | {
            n[:1] for c, n in others if c != code and c not in self.authority_short}
        if first not in taken:
            return first
        stem = name
        for word in ("公安厅", "公安局", "分局"):
            stem = stem.replace(word, "")
        return stem.rstrip("省市") or name

    def number(self, series: str, *, code: str, name: str, year: int, seq: int,
               others: Iterable[tuple[str, str]] = ()) -> str:
        template = self.case if series == "case" else self.order
        return template.format(authority_short=self.short(code, name, others), year=year, seq=seq)


class PenaltyPack(_Model):
    code: str
    regulation: Regulation
    provisions: list[Provision] = Field(min_length=1)
    notes: list[Note] = []
    thresholds: Thresholds
    # Questions the texts leave open, written down instead of answered with an invented figure.
    open_questions: list[str] = []
    numbering: CaseNumbering = CaseNumbering()
    # The national values this bureau sets differently: name → the reason, as the pack file states it.
    overrides: dict[str, str] = {}

    @model_validator(mode="after")
    def _unique_codes(self) -> PenaltyPack:
        codes = [provision.code for provision in self.provisions]
        duplicates = sorted({code for code in codes if codes.count(code) > 1})
        if duplicates:
            raise ValueError(f"provision codes must be unique: {duplicates}")
        for provision in self.provisions:
            dates = [a.in_force_from for a in provision.amendments]
            if dates != sorted(set(dates)) or (dates and dates[0] <= self.regulation.in_force_from):
                raise ValueError(f"{provision.code}: amendments must be dated after the text's in_force_from "
                                 f"({self.regulation.in_force_from}), oldest first, one per date")
            for overlap in provision.overlaps:
                if overlap.provision not in codes:
                    raise ValueError(f"{provision.code}: overlap with unknown provision {overlap.provision!r}")
        return self

    def provision(self, code: str) -> Provision:
        for provision in self.provisions:
            if provision.code == code:
                return provision
        raise KeyError(code)

    def violations(self) -> list[dict[str, Any]]:
        return [provision.summary() for provision in self.provisions]


class LawVersion(_Model):
    title: str
    revision: str
    adopted_on: dt.date | None = None
    in_force_from: dt.date


class CasePeriod(_Model):
    """One period of a penalty case: exactly one of working days, calendar days or months, counted from the
    day after the event in ``counted_from``; ``working_days_basis`` is the article that makes it working days
    (行政处罚法 art. 85, 行政强制法 art. 69)."""

    working_days: int | None = Field(default=None, ge=1)
    days: int | None = Field(default=None, ge=1)
    months: int | None = Field(default=None, ge=1)
    counted_from: str
    reference: Citation
    working_days_basis: Citation | None = None
    reading: str

    @model_validator(mode="after")
    def _one_length(self) -> CasePeriod:
        lengths = [value for value in (self.working_days, self.days, self.months) if value is not None]
        if len(lengths) != 1:
            raise ValueError("a case period has exactly one of working_days, days, months")
        if (self.working_days is None) != (self.working_days_basis is None):
            raise ValueError("working_days and working_days_basis go together (which article makes them working days)")
        return self


class CasePeriods(_Model):
    hearing_request: CasePeriod
    service: CasePeriod
    payment: CasePeriod
    decision: CasePeriod
    review: CasePeriod
    litigation: CasePeriod
    enforcement_reminder: CasePeriod
    court_application: CasePeriod


class Money(_Model):
    surcharge_cap: LegalRule
    surcharge_paused: LegalRule
    partial_payment: LegalRule


class NationalLaw(_Model):
    """workflows/national/administrative_penalty_law.yaml: dated, every value with its reference."""

    law: LawVersion
    procedure: LawVersion
    checked_on: dt.date
    open_questions: list[str] = []
    thresholds: Thresholds
    case_periods: CasePeriods
    money: Money


@cache
def load_national_law(path: str | Path = NATIONAL_FILE) -> NationalLaw:
    path = Path(path)
    data = read_mapping(path, PenaltyPackError, "national penalty law")
    try:
        return NationalLaw.model_validate(data)
    except ValidationError as exc:
        raise PenaltyPackError(f"{path}: {_describe(exc)}") from exc


def _with_national_law(data: dict[str, Any], national: NationalLaw) -> dict[str, Any]:
    """The pack's data with the national thresholds, each ``overrides`` entry replacing only the values it
    names; every override must say why (``reason``), and the reason becomes the value's reading."""
    if "regulation" in data:
        raise ValueError("regulation: the regulation's title and dates are written once, in jurisdiction.yaml")
    if "thresholds" in data:
        raise ValueError(f"thresholds: the national overlays live in {NATIONAL_FILE.name}; use overrides")
    overrides = data.get("overrides") or {}
    if not isinstance(overrides, dict):
        raise ValueError("overrides: must be a mapping of threshold name to new values with a reason")
    thresholds = national.thresholds.model_dump(mode="json", exclude_none=True)
    reasons: dict[str, str] = {}
    for name, values in overrides.items():
        if name not in thresholds:
            raise ValueError(f"overrides.{name}: no such national value")
        if not isinstance(values, dict) or not isinstance(values.get("reason"), str) or not values["reason"]:
            raise ValueError(f"overrides.{name}.reason: say why this bureau sets the value differently")
        changed = {key: value for key, value in values.items() if key != "reason"}
        thresholds[name] = {**thresholds[name], **changed, "reading": values["reason"]}
        reasons[name] = values["reason"]
    return {**data, "thresholds": thresholds, "overrides": reasons}


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "(top level)"
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where}: {first['msg']}{more}"


def load_penalty_pack_file(path: str | Path) -> PenaltyPack:
    """Read and validate one pack file; any defect raises :class:`PenaltyPackError` naming the file."""
    path = Path(path)
    data = read_mapping(path, PenaltyPackError, "penalty pack")
    try:
        regulation = load_folder(path.parent).regulation
    except PackError as exc:
        raise PenaltyPackError(str(exc)) from exc
    try:
        data = _with_national_law(data, load_national_law())
        data["regulation"] = regulation.model_dump(include={"title", "in_force_from", "source"})
        pack = PenaltyPack.model_validate(data)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError too
        detail = _describe(exc) if isinstance(exc, ValidationError) else str(exc)
        raise PenaltyPackError(f"{path}: {detail}") from exc
    if pack.code != path.parent.name:
        raise PenaltyPackError(f"{path}: code: {pack.code!r} does not match its folder {path.parent.name!r}")
    return pack


def load_penalty_pack(code: str) -> PenaltyPack:
    """The pack of one jurisdiction (a folder the loader of workflows.rules found), loaded once."""
    try:
        folder = pack_folder(code)
    except PackError as exc:
        raise PenaltyPackError(f"no penalty pack: {exc}") from None
    path = folder / PACK_FILE
    if not path.is_file():
        raise PenaltyPackError(f"{path}: no penalty pack for jurisdiction {code!r}")
    return _load_cached(path)


@cache
def _load_cached(path: Path) -> PenaltyPack:
    return load_penalty_pack_file(path)


def all_penalty_packs() -> Mapping[str, PenaltyPack]:
    """Every jurisdiction's pack, keyed by jurisdiction code; validates them all (call at start-up).

    Found once per set of search roots, as the loader finds the folders (workflows.rules._discover): each
    API calculation asked three times, each time looking for every pack's file on disk."""
    return _all_penalty_packs(search_roots())


@cache
def _all_penalty_packs(roots: tuple[Path, ...]) -> Mapping[str, PenaltyPack]:
    return MappingProxyType(
        {code: load_penalty_pack(code) for code in jurisdiction_codes() if (pack_folder(code) / PACK_FILE).is_file()}
    )


def all_violation_codes() -> tuple[str, ...]:
    """Every provision code of every pack (all_penalty_packs), in the packs' order; listed once per set of
    search roots, as the packs are found (the API checks each request's violation against it)."""
    return _all_violation_codes(search_roots())


@cache
def _all_violation_codes(roots: tuple[Path, ...]) -> tuple[str, ...]:
    return tuple(p.code for pack in _all_penalty_packs(roots).values() for p in pack.provisions)
