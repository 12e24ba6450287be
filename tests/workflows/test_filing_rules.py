"""workflows/filing.py: which bureaus a filing goes to, what is uploaded, and what a submission lacks, from
the pack and plain facts (no app, no database)."""

from __future__ import annotations

import pytest

from workflows.filing import (
    DETAIL_FIELDS,
    FilingFacts,
    Missing,
    missing,
    route_needs_city,
    route_of,
    stage_names,
    uncovered_message,
    uncovered_types,
    upload_materials,
)
from workflows.rules import all_packs, load_pack

PACKS = all_packs()
ENABLED = sorted(code for code, pack in PACKS.items() if pack.filing.enabled)
LIAONING, QINHUANGDAO, INNER_MONGOLIA = (load_pack(c) for c in ("liaoning", "qinhuangdao", "inner-mongolia"))
ALL_TEXTS = {name: "已填写" for name in (*DETAIL_FIELDS, "reason")}


def _fields(*names: str) -> list[Missing]:
    return [Missing("field", name) for name in names]


def _materials(*codes: str) -> list[Missing]:
    return [Missing("material", code) for code in codes]


def _complete(pack, is_local: bool, individual: bool = False, **changes) -> FilingFacts:
    """Facts that lack nothing the pack asks for this firm (each person with a certificate number)."""
    facts = dict(
        is_local=is_local,
        individual=individual,
        city_code=pack.cities[0].code,
        texts=ALL_TEXTS,
        business_types=(pack.filing.business_types[0].code,),
        staff_certificates=("JF-001",),
        uploaded=frozenset(m.code for m in upload_materials(pack, is_local, individual)),
    )
    return FilingFacts(**{**facts, **changes})


# --- routes -------------------------------------------------------------------------------------------
def test_a_liaoning_firm_goes_to_its_premises_city_and_one_from_elsewhere_to_the_province():
    assert route_of(LIAONING, True, "210200") == ("local", ["210200"])
    assert route_of(LIAONING, True, None) == ("local", [None])
    assert route_of(LIAONING, True, "999999") == ("local", [None])  # a city the pack does not know
    assert route_of(LIAONING, False, "210200") == ("out_of_province", ["210000"])
    assert route_of(LIAONING, False, None) == ("out_of_province", ["210000"])
    assert route_needs_city(LIAONING, True) and not route_needs_city(LIAONING, False)


def test_a_qinhuangdao_firm_is_checked_by_the_city_then_filed_by_the_province():
    assert route_of(QINHUANGDAO, True, None) == ("local", ["130300", "130000"])
    assert route_of(QINHUANGDAO, False, "130302") == ("out_of_province", ["130000"])
    assert not route_needs_city(QINHUANGDAO, True) and not route_needs_city(QINHUANGDAO, False)


def test_inner_mongolia_files_every_firm_with_the_region():
    assert route_of(INNER_MONGOLIA, True, "150200") == ("local", ["150000"])
    assert route_of(INNER_MONGOLIA, False, None) == ("out_of_province", ["150000"])


@pytest.mark.parametrize("code", ENABLED)
def test_each_route_of_each_pack_names_a_known_bureau_at_every_stage(code):
    pack = PACKS[code]
    taken = {route_of(pack, is_local, None)[0]: is_local for is_local in (True, False)}
    assert sorted(taken) == sorted(pack.filing.routes)  # one route for the province's firms, one for others
    for name, is_local in taken.items():
        route = pack.filing.routes[name]
        assert route.firms == ("in_province" if is_local else "out_of_province")
        # the city is needed exactly where, without it, some stage has no bureau
        assert route_needs_city(pack, is_local) == (None in route_of(pack, is_local, None)[1])
        for city in pack.cities:
            got_name, stages = route_of(pack, is_local, city.code)
            assert got_name == name and len(stages) == len(route.stages)
            for stage, authority in zip(route.stages, stages, strict=True):
                expected = city.authority if stage.authority == "premises_city" else stage.authority
                assert authority == expected and pack.authority(authority) is not None
        assert stage_names(pack, name) == [stage.name for stage in route.stages]


def test_stage_names_of_a_route_the_pack_does_not_know_are_none():
    assert stage_names(LIAONING, "local") == ["市公安机关审核备案"]
    assert stage_names(QINHUANGDAO, "local") == ["市公安机关备案核查", "省公安机关备案"]
    assert stage_names(LIAONING, None) == [] and stage_names(LIAONING, "elsewhere") == []


# --- materials and business types ---------------------------------------------------------------------
def _codes(materials) -> list[str]:
    return [m.code for m in materials]


def test_only_a_qinhuangdao_firm_from_another_province_uploads_its_home_certificate():
    assert _codes(upload_materials(QINHUANGDAO, True)) == ["business_licence", "rules"]
    assert _codes(upload_materials(QINHUANGDAO, False)) == ["business_licence", "rules", "home_certificate"]
    # Inner Mongolia asks no home certificate of anyone
    assert _codes(upload_materials(INNER_MONGOLIA, False)) == ["business_licence", "rules"]


def test_an_individual_uploads_no_business_licence():
    assert _codes(upload_materials(LIAONING, False, individual=False)) == ["business_licence", "rules"]
    assert _codes(upload_materials(LIAONING, False, individual=True)) == ["rules"]


@pytest.mark.parametrize("code", ENABLED)
def test_materials_the_firm_only_shows_are_never_uploaded(code):
    pack = PACKS[code]
    for is_local in (True, False):
        for individual in (True, False):
            assert all(m.upload for m in upload_materials(pack, is_local, individual))


def test_a_firm_from_another_province_may_not_file_qinhuangdao_alarm_operation():
    chosen = ["design", "alarm_operation"]
    assert uncovered_types(QINHUANGDAO, True, chosen) == []
    assert [b.code for b in uncovered_types(QINHUANGDAO, False, chosen)] == ["alarm_operation"]
    assert uncovered_types(QINHUANGDAO, False, iter(["design"])) == []
    assert uncovered_types(LIAONING, False, [b.code for b in LIAONING.filing.business_types]) == []
    assert uncovered_message(QINHUANGDAO, uncovered_types(QINHUANGDAO, False, chosen)) == (
        "依照《秦皇岛市公共安全技术防范管理办法》第17条，省外单位在此备案的业务不包括报警运营服务；"
        "从事该业务的，请向河北省公安厅咨询"
    )


# --- what a submission lacks --------------------------------------------------------------------------
def test_an_empty_liaoning_draft_lacks_every_detail_the_city_the_staff_and_the_uploads():
    assert missing(LIAONING, FilingFacts(is_local=True)) == [
        *_fields(*DETAIL_FIELDS, "city_code", "business_types", "staff"),
        *_materials("business_licence", "rules"),
    ]


def test_a_firm_from_another_province_needs_no_city_where_the_province_files_it():
    assert Missing("field", "city_code") not in missing(LIAONING, FilingFacts(is_local=False))
    assert Missing("field", "city_code") not in missing(QINHUANGDAO, FilingFacts(is_local=True))
    assert missing(LIAONING, _complete(LIAONING, True, city_code="210100")) == []
    assert missing(LIAONING, _complete(LIAONING, True, city_code=None)) == _fields("city_code")


def test_a_blank_or_whitespace_detail_is_missing():
    texts = {**ALL_TEXTS, "legal_rep": "   ", "contact_phone": None, "equipment": ""}
    del texts["name"]
    assert missing(INNER_MONGOLIA, _complete(INNER_MONGOLIA, True, texts=texts)) == _fields(
        "name", "legal_rep", "contact_phone", "equipment"
    )


def test_each_upload_is_named_by_its_material_code():
    # "staff" is a material the firm lists on the form, not one it uploads: it stands for no upload
    facts = _complete(QINHUANGDAO, False, uploaded=frozenset({"rules", "staff"}))
    assert missing(QINHUANGDAO, facts) == _materials("business_licence", "home_certificate")
    assert missing(QINHUANGDAO, _complete(QINHUANGDAO, True, uploaded=frozenset({"rules"}))) == _materials(
        "business_licence"
    )


def test_an_individual_lacks_no_business_licence():
    facts = _complete(LIAONING, False, individual=True, uploaded=frozenset())
    assert missing(LIAONING, facts) == _materials("rules")
    unit = _complete(LIAONING, False, individual=False, uploaded=frozenset({"rules"}))
    assert missing(LIAONING, unit) == _materials("business_licence")


def test_liaoning_asks_each_listed_person_for_a_training_certificate_number():
    certificates = ("JF-001", None, "  ", "JF-004")
    assert missing(LIAONING, _complete(LIAONING, True, staff_certificates=certificates)) == [
        Missing("certificate", 1),
        Missing("certificate", 2),
    ]
    # Qinhuangdao's text asks for no training, so the number is optional there
    assert missing(QINHUANGDAO, _complete(QINHUANGDAO, True, staff_certificates=certificates)) == []
    assert missing(LIAONING, _complete(LIAONING, True, staff_certificates=())) == _fields("staff")


def test_a_change_needs_its_reason_and_a_first_filing_does_not():
    no_reason = {**ALL_TEXTS, "reason": " "}
    assert missing(LIAONING, _complete(LIAONING, True, kind="initial", texts=no_reason)) == []
    assert missing(LIAONING, _complete(LIAONING, True, kind="change", texts=no_reason)) == _fields("reason")
    assert missing(LIAONING, _complete(LIAONING, True, kind="change")) == []
    # the reason comes last, after the uploads
    bare = _complete(LIAONING, True, kind="change", texts=no_reason, uploaded=frozenset())
    assert missing(LIAONING, bare) == [*_materials("business_licence", "rules"), *_fields("reason")]


def test_a_cancellation_needs_only_its_reason():
    assert missing(LIAONING, FilingFacts(kind="cancellation", is_local=True)) == _fields("reason")
    assert missing(LIAONING, FilingFacts(kind="cancellation", texts={"reason": "停业"})) == []


@pytest.mark.parametrize("code", ENABLED)
@pytest.mark.parametrize("is_local", [True, False], ids=["in_province", "out_of_province"])
@pytest.mark.parametrize("individual", [False, True], ids=["unit", "individual"])
def test_a_complete_request_of_any_pack_lacks_nothing_and_each_upload_taken_away_is_named(
    code, is_local, individual
):
    pack = PACKS[code]
    facts = _complete(pack, is_local, individual)
    assert missing(pack, facts) == []
    for material in upload_materials(pack, is_local, individual):
        fewer = _complete(pack, is_local, individual, uploaded=facts.uploaded - {material.code})
        assert missing(pack, fewer) == _materials(material.code)
