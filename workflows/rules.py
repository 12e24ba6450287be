"""The one loader of jurisdiction packs: discovered by folder, validated once, refused with file and field.

A pack is a folder `<code>/` under a search root (workflows/jurisdictions, then each folder named by
JIFANG_JURISDICTIONS_DIR, separated by os.pathsep): jurisdiction.yaml (authorities, cities, the regulation
in force, written once), filing.yaml (routing, stages, business types, numbering), complaints.yaml and
penalties.yaml (workflows.penalty_pack). Its files name the folder's code. No list of codes exists
anywhere else: the app, the API, the settings check, the regulation texts and the tests ask
`jurisdiction_codes()`. A broken pack stops the application with a message naming the file and the field.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workflows.yaml_file import read_mapping

PACKS_DIR = Path(__file__).parent / "jurisdictions"
# Further search roots (os.pathsep-separated): a bureau's own pack, or a test's generated one.
ROOTS_VAR = "JIFANG_JURISDICTIONS_DIR"
PACK_FILE = "jurisdiction.yaml"


class PackError(RuntimeError):
    """A rule pack that cannot be used; the message names the file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    article: int
    paragraph: int | None = None
    items: list[int] = Field(default_factory=list)

    def label(self) -> str:
        text = f"第{self.article}条"
        if self.paragraph:
            text += f"第{self.paragraph}款"
        if self.items:
            text += "第" + "、".join(str(i) for i in self.items) + "项"
        return text


class Authority(_Strict):
    code: str = Field(pattern=r"^\d{6}$")
    name: str
    level: Literal["provincial", "city", "county"]
    parent: str | None = None
    # The body that hears an administrative review of this bureau's acts, where it is not the people's government
    # named after the bureau (reports.case_documents.facts.review_body_for: a league's 行政公署).
    review_body: str | None = None


class City(_Strict):
    code: str = Field(pattern=r"^\d{6}$")
    name: str
    authority: str


class Regulation(_Strict):
    """The regulation the pack applies, written once here (the penalty pack reads it too)."""

    title: str
    in_force_from: dt.date
    first_in_force_from: dt.date | None = None
    # The text's file name in the regulation texts folder; None: the bureau holds no text for this pack
    # (its citations cannot be cross-checked, and the tests say so).
    source: str | None
    # The same text in other layouts the bureau received (checked against the pack like `source`).
    other_layouts: list[str] = Field(default_factory=list)

    @property
    def files(self) -> list[str]:
        return ([self.source] if self.source else []) + list(self.other_layouts)


class Province(_Strict):
    name: str
    division_code: str = Field(pattern=r"^\d{2}0000$")


class BusinessType(_Strict):
    code: str
    name: str
    reference: Reference
    # The article whose out-of-province filing does not cover this business (Qinhuangdao art. 17 names
    # 设计、施工、维修 only): a firm from another province is told so and may not file for it here.
    not_out_of_province: Reference | None = None


class Material(_Strict):
    code: str
    name: str
    reference: Reference
    upload: bool = False
    out_of_province_only: bool = False
    units_only: bool = False  # not asked of an individual (a person has no business licence)
    # "law": the text lists it (the reference is that list); "bureau": the text lists no materials, so the
    # bureau requests it to see the conditions met, and the form says so rather than "required by law".
    basis: Literal["law", "bureau"] = "law"


class Stage(_Strict):
    code: str
    name: str
    # an authority code, or "premises_city": the bureau of the city where the firm's premises are
    authority: str


class Route(_Strict):
    """A route is named by the pack (its key under `routes`); `firms` says whose filings take it."""

    label: str
    firms: Literal["in_province", "out_of_province"]
    reference: Reference
    stages: list[Stage] = Field(min_length=1)


class TimeLimit(_Strict):
    working_days: int = Field(gt=0)
    remind_before: int = Field(ge=0)
    reference: Reference
    statutory: bool


class Individuals(_Strict):
    """Persons (not units) who may file, where the text names them (Liaoning art. 17: 外省单位和个人):
    only from another province, identified by the documents listed, filed with the out-of-province route."""

    reference: Reference
    documents: list[Literal["resident_id", "passport"]] = Field(min_length=1)


class Refusal(_Strict):
    """Whether a review may refuse a filing on the merits (不予备案), and the articles that say so.

    Where filing is a record and not a licence (Liaoning art. 18: the bureau publishes the roster once it
    receives the materials; Inner Mongolia arts. 15–16), a review checks that the materials are complete
    and true and may only return them for correction. Qinhuangdao art. 16 (核查…合格后) allows a refusal."""

    allowed: bool
    references: list[Reference] = Field(min_length=1)

    def label(self) -> str:
        return "、".join(r.label() for r in self.references)


class Fee(_Strict):
    amount: int = Field(ge=0)
    reference: Reference | None = None  # None: the text says nothing of fees (none may then be charged)


class FilingRules(_Strict):
    enabled: bool
    reference: Reference
    notice: str | None = None
    business_types: list[BusinessType]
    materials: list[Material]
    routes: dict[str, Route]
    home_certificate_required: bool
    # Where the text asks for trained staff (Liaoning art. 16(2)), each listed person's training certificate
    # number is required before submission; None: the number is optional.
    staff_training_certificate: Reference | None = None
    individuals: Individuals | None = None  # None: only units may file
    refusal: Refusal | None = None  # required where filing is enabled
    time_limit: TimeLimit | None = None
    number_format: str
    fee: Fee

    @model_validator(mode="after")
    def _enabled_needs_routes(self):
        if self.enabled:
            firms = sorted(route.firms for route in self.routes.values())
            if firms != ["in_province", "out_of_province"] or not self.number_format:
                raise ValueError("an enabled filing pack needs one route for firms in_province, one for "
                                 "out_of_province, and number_format")
        if self.enabled and self.time_limit is None:
            raise ValueError("an enabled filing pack needs time_limit")
        if self.enabled and self.refusal is None:
            raise ValueError("an enabled filing pack needs refusal (may a review refuse, and under which article)")
        return self


class WarningNotices(_Strict):
    """Whether the regulation has the bureau publish warning announcements about firms, and where."""

    published: bool
    reference: Reference


class Period(_Strict):
    """A period the complaint and warning rules run on. `statutory: false` marks the bureau's policy: no text
    of the jurisdiction sets it, so the bureau may change it here (as the filing review period)."""

    working_days: int | None = Field(default=None, gt=0)
    days: int | None = Field(default=None, gt=0)
    months: int | None = Field(default=None, gt=0)
    remind_before: int = Field(default=0, ge=0)
    statutory: bool
    source: str = ""  # the law and article that set a statutory period

    @model_validator(mode="after")
    def _one_amount(self):
        given = [k for k in ("working_days", "days", "months") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of working_days, days, months (got {given or 'none'})")
        if self.statutory and not self.source:
            raise ValueError("a statutory period names its source")
        return self


class WarningRules(_Strict):
    """The warning list (警示名单) where the regulation provides for it (Liaoning art. 28)."""

    reference: Reference
    statement_period: Period  # the firm states its case before publication
    duration: Period  # a listing expires after this unless removed earlier
    removal_review: Period  # a clerk decides a firm's application for removal within this
    review_period: Period  # administrative review against the listing (行政复议法)
    litigation_period: Period  # litigation against the listing (行政诉讼法)


class ComplaintRules(_Strict):
    """Complaints about a firm's service: taken in every jurisdiction (a bureau takes complaints everywhere)."""

    acceptance: Period  # received → assigned to a clerk
    verification: Period  # assigned → verified or unfounded
    warnings: WarningRules | None = None


class FinePaymentPlace(_Strict):
    """Where a fine is paid: the designated bank and account, or an electronic payment system."""

    bank: str = Field(min_length=1)
    account_name: str = ""
    account_number: str = ""
    electronic: str = ""


class FinePayment(FinePaymentPlace):
    """罚缴分离 (行政处罚法 art. 67): fines go to the designated bank, never to the bureau. The decision and the
    reminder print this place. `placeholder: true` marks a pack whose bureau has not set its bank yet (the
    bank's text then says so); `by_authority` names a place per bureau code."""

    placeholder: bool = False
    by_authority: dict[str, FinePaymentPlace] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _placeholder_says_so(self):
        if self.placeholder and "待设置" not in self.bank:
            raise ValueError("a placeholder bank says 待设置 in its name, so that no document passes it off as real")
        return self


class JurisdictionPack(_Strict):
    code: str
    name: str
    name_en: str
    province: Province
    regulation: Regulation
    authorities: list[Authority]
    cities: list[City]
    filing: FilingRules
    warning_notices: WarningNotices | None = None
    complaints: ComplaintRules | None = None
    fine_payment: FinePayment | None = None

    @model_validator(mode="after")
    def _references_resolve(self):
        codes = {a.code for a in self.authorities}
        for city in self.cities:
            if city.authority not in codes:
                raise ValueError(f"city {city.code} names unknown authority {city.authority}")
        for code in self.fine_payment.by_authority if self.fine_payment else ():
            if code not in codes:
                raise ValueError(f"fine_payment.by_authority names unknown authority {code}")
        for route in self.filing.routes.values():
            for stage in route.stages:
                if stage.authority != "premises_city" and stage.authority not in codes:
                    raise ValueError(f"stage {stage.code} names unknown authority {stage.authority}")
        return self

    # --- lookups the application uses -------------------------------------------------------------
    def authority(self, code: str | None) -> Authority | None:
        return next((a for a in self.authorities if a.code == code), None)

    def fine_payment_place(self, authority_code: str | None) -> FinePaymentPlace | None:
        """Where fines decided by that bureau are paid (art. 67); None when the pack names no place."""
        if self.fine_payment is None:
            return None
        return self.fine_payment.by_authority.get(authority_code or "", self.fine_payment)

    def city(self, code: str | None) -> City | None:
        return next((c for c in self.cities if c.code == code), None)

    def city_by_name(self, name: str) -> City | None:
        name = name.strip()
        return next((c for c in self.cities if name in (c.name, c.name.rstrip("市"))), None)

    def business_type(self, code: str) -> BusinessType | None:
        return next((b for b in self.filing.business_types if b.code == code), None)

    @property
    def provincial_authority(self) -> Authority:
        return next(a for a in self.authorities if a.level == "provincial")

    def is_in_province(self, division_code: str) -> bool:
        return division_code[:2] == self.province.division_code[:2]

    def route_name(self, is_local: bool) -> str:
        """The pack's name of the route a firm from the province (or from elsewhere) takes."""
        wanted = "in_province" if is_local else "out_of_province"
        return next(name for name, route in self.filing.routes.items() if route.firms == wanted)

    def route_for(self, is_local: bool) -> Route:
        return self.filing.routes[self.route_name(is_local)]

    def stage_authority(self, stage: Stage, premises_city_code: str | None) -> str | None:
        if stage.authority != "premises_city":
            return stage.authority
        city = self.city(premises_city_code)
        return city.authority if city else None

    def format_filing_number(self, authority_code: str, year: int, seq: int) -> str:
        return self.filing.number_format.format(authority=authority_code, year=year, seq=seq)


def _read_yaml(path: Path) -> dict:
    return read_mapping(path, PackError)


def search_roots() -> tuple[Path, ...]:
    """The shipped packs' folder, then the extra roots JIFANG_JURISDICTIONS_DIR names (read on every call, so
    a test or deployment that changes the variable is followed; the paths are built once per value: the API
    asks three times a calculation, and building and hashing Paths was ~4% of one)."""
    return _roots(os.environ.get(ROOTS_VAR, ""))


@cache
def _roots(value: str) -> tuple[Path, ...]:
    return (PACKS_DIR, *(Path(part) for part in value.split(os.pathsep) if part.strip()))


@cache
def _discover(roots: tuple[Path, ...]) -> dict[str, Path]:
    found: dict[str, Path] = {}
    for root in roots:
        if not root.is_dir():
            raise PackError(f"{root}: {ROOTS_VAR} names no folder")
        for folder in sorted(p for p in root.iterdir() if (p / PACK_FILE).is_file()):
            if folder.name in found:
                raise PackError(f"{folder}: jurisdiction {folder.name!r} is already in {found[folder.name]}")
            found[folder.name] = folder
    return found


def jurisdiction_codes() -> tuple[str, ...]:
    """Every jurisdiction found: a folder holding jurisdiction.yaml under a search root, sorted."""
    return tuple(sorted(_discover(search_roots())))


def pack_folder(code: str) -> Path:
    """The folder of a jurisdiction; PackError naming the choices when there is none."""
    folders = _discover(search_roots())
    if not isinstance(code, str) or code not in folders:
        raise PackError(f"unknown jurisdiction {code!r}; choose one of {', '.join(sorted(folders))}")
    return folders[code]


def load_pack(code: str) -> JurisdictionPack:
    return load_folder(pack_folder(code))


def all_packs() -> dict[str, JurisdictionPack]:
    """Every jurisdiction's pack, validated (the app calls it at start-up, so any broken pack stops it)."""
    return {code: load_pack(code) for code in jurisdiction_codes()}


@cache
def load_folder(folder: Path) -> JurisdictionPack:
    """The pack in one folder (its code must be the folder's name); PackError names file and field."""
    data = _read_yaml(folder / PACK_FILE)
    data["filing"] = _read_yaml(folder / "filing.yaml")
    if (folder / "complaints.yaml").exists():
        data["complaints"] = _read_yaml(folder / "complaints.yaml")
    try:
        pack = JurisdictionPack.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        file = next((f"{part}.yaml" for part in ("filing", "complaints") if where.startswith(part)), PACK_FILE)
        raise PackError(f"{folder / file}: field {where}: {err['msg']}") from exc
    if pack.code != folder.name:
        raise PackError(f"{folder / PACK_FILE}: field code: {pack.code!r} does not name its folder {folder.name!r}")
    return pack
