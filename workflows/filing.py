"""A filing's route and what its submission still lacks, as pure functions of the pack and plain facts.

No Flask, no database, no form: app/filings/service.py reads a request into :class:`FilingFacts` and names
each :class:`Missing` item by its form field and Chinese label. Results are keyed by what the pack and the
request call things (a detail field's name, a listed person's position, a material's code in the pack).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from workflows.rules import BusinessType, JurisdictionPack, Material

__all__ = [
    "DETAIL_FIELDS",
    "FilingFacts",
    "Missing",
    "missing",
    "route_needs_city",
    "route_of",
    "stage_names",
    "uncovered_message",
    "uncovered_types",
    "upload_materials",
]

# Every detail must be filled before submission (Liaoning art. 16 and the other packs' lists).
DETAIL_FIELDS = (
    "name",
    "legal_rep",
    "registered_address",
    "premises_address",
    "contact_name",
    "contact_phone",
    "equipment",
    "management_rules",
)


# --- routing ------------------------------------------------------------------------------------------
def route_of(pack: JurisdictionPack, is_local: bool, city_code: str | None) -> tuple[str, list[str | None]]:
    """The route name and the authority of each stage (None where the premises city is unknown)."""
    name = pack.route_name(is_local)
    route = pack.filing.routes[name]
    return name, [pack.stage_authority(stage, city_code) for stage in route.stages]


def route_needs_city(pack: JurisdictionPack, is_local: bool) -> bool:
    """Whether some stage of the firm's route is the bureau of the premises city."""
    return any(stage.authority == "premises_city" for stage in pack.route_for(is_local).stages)


def stage_names(pack: JurisdictionPack, route_name: str | None) -> list[str]:
    """The names of the stages of a route the pack knows (none for an unknown or unset route)."""
    route = pack.filing.routes.get(route_name or "")
    return [s.name for s in route.stages] if route else []


# --- materials and business types ---------------------------------------------------------------------
def upload_materials(pack: JurisdictionPack, is_local: bool, individual: bool = False) -> list[Material]:
    """The materials to upload: the out-of-province ones only for firms from another province; a unit's
    own (the business licence) never from an individual (Liaoning art. 17)."""
    return [
        m
        for m in pack.filing.materials
        if m.upload
        and (not m.out_of_province_only or (not is_local and pack.filing.home_certificate_required))
        and not (individual and m.units_only)
    ]


def uncovered_types(pack: JurisdictionPack, is_local: bool, codes: Iterable[str]) -> list[BusinessType]:
    """The chosen business types this firm's filing cannot cover: for a firm from another province, those
    the out-of-province article leaves out (Qinhuangdao art. 17: 设计、施工、维修 only)."""
    if is_local:
        return []
    chosen = set(codes)
    return [b for b in pack.filing.business_types if b.code in chosen and b.not_out_of_province]


def uncovered_message(pack: JurisdictionPack, uncovered: list[BusinessType]) -> str:
    """Chinese: why these types are refused and whom to ask (the article is cited)."""
    articles = "、".join(dict.fromkeys(b.not_out_of_province.label() for b in uncovered))
    return (
        f"依照《{pack.regulation.title}》{articles}，省外单位在此备案的业务不包括"
        + "、".join(b.name for b in uncovered)
        + f"；从事该业务的，请向{pack.provincial_authority.name}咨询"
    )


# --- what a submission lacks --------------------------------------------------------------------------
@dataclass(frozen=True)
class FilingFacts:
    """What a filing request holds, as far as its submission is concerned.

    ``texts`` maps the detail fields (DETAIL_FIELDS) and ``reason`` to what the firm typed (None or blank:
    not given); ``staff_certificates`` has one entry per listed person, his or her training certificate
    number; ``uploaded`` holds the pack's codes of the materials with a current file.
    """

    kind: Literal["initial", "change", "cancellation"] = "initial"
    is_local: bool = True
    individual: bool = False
    city_code: str | None = None
    texts: Mapping[str, str | None] = field(default_factory=dict)
    business_types: tuple[str, ...] = ()
    staff_certificates: tuple[str | None, ...] = ()
    uploaded: frozenset[str] = frozenset()

    def given(self, name: str) -> bool:
        return bool((self.texts.get(name) or "").strip())


@dataclass(frozen=True)
class Missing:
    """One thing a submission lacks: a field ("field": a detail of DETAIL_FIELDS, ``city_code``,
    ``business_types``, ``staff`` or ``reason``), a listed person's training certificate ("certificate":
    the person's position, from 0) or a material ("material": its code in the pack)."""

    kind: Literal["field", "certificate", "material"]
    key: str | int


def missing(pack: JurisdictionPack, facts: FilingFacts) -> list[Missing]:
    """Everything the submission still lacks, in the order the form asks for it."""
    if facts.kind == "cancellation":
        return [] if facts.given("reason") else [Missing("field", "reason")]
    found = [Missing("field", name) for name in DETAIL_FIELDS if not facts.given(name)]
    if route_needs_city(pack, facts.is_local) and not facts.city_code:
        found.append(Missing("field", "city_code"))
    if not facts.business_types:
        found.append(Missing("field", "business_types"))
    if not facts.staff_certificates:
        found.append(Missing("field", "staff"))
    if pack.filing.staff_training_certificate is not None:
        # Liaoning art. 16(2): trained staff, so each listed person's certificate number is asked for.
        found.extend(
            Missing("certificate", i)
            for i, number in enumerate(facts.staff_certificates)
            if not (number or "").strip()
        )
    found.extend(
        Missing("material", m.code)
        for m in upload_materials(pack, facts.is_local, facts.individual)
        if m.code not in facts.uploaded
    )
    if facts.kind == "change" and not facts.given("reason"):
        found.append(Missing("field", "reason"))
    return found
