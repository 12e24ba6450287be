"""The national Administrative Penalty Law (行政处罚法, 2021) as the calculator applies it on top of the
regional packs (issue 10): art. 33 (no penalty, may waive), art. 36 (limitation), art. 59 (citations to
the item), art. 29 (overlaps), arts. 51 and 63 (summary procedure and hearing on the amount proposed).
Each test quotes the words it checks; "today" is always a parameter here, never the real clock."""

from __future__ import annotations

import datetime as dt

import pytest

from workflows.penalty import Facts, InvalidFacts, calculate
from workflows.penalty_pack import load_penalty_pack

TODAY = dt.date(2026, 6, 30)
ACT = dt.date(2025, 3, 1)
UNIT, PERSON = "unit", "individual"


def run(jurisdiction, violation, party=UNIT, **facts):
    facts.setdefault("act_date", ACT)
    facts.setdefault("today", TODAY)
    return calculate(load_penalty_pack(jurisdiction), violation, Facts(party=party, **facts))


def codes(result):
    return [measure["code"] for measure in result.measures]


def step(result, name):
    return next(step for step in result.trace if step.step == name)


# -- art. 33 ----------------------------------------------------------------------------------------------

# IM 27 fines at once (违法即罚, no deadline to obey); LN 31 orders correction first.
ART_33_CASES = [("inner-mongolia", "inner-mongolia-27"), ("liaoning", "liaoning-31"), ("liaoning", "liaoning-35")]


@pytest.mark.parametrize(("jurisdiction", "violation"), ART_33_CASES)
def test_minor_no_harm_needs_prompt_correction(jurisdiction, violation):
    """"违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚" (art. 33(1)): without 及时改正 the
    party is fined as usual; with it, no penalty, the order to correct (art. 28) stays and the bureau
    educates the party (art. 33(3) "应当对当事人进行教育")."""
    late = run(jurisdiction, violation, minor_no_harm=True, corrected_promptly=False, illegal_gains=100)
    assert late.fine_applies is True and late.no_penalty_reason is None
    assert "educate" not in codes(late)
    spared = run(jurisdiction, violation, minor_no_harm=True, corrected_promptly=True, illegal_gains=100)
    assert spared.fine_applies is False and spared.fines == []
    assert spared.no_penalty_reason == "minor_no_harm" and spared.may_waive_fine is False
    assert spared.confiscate_illegal_gains == 0
    assert spared.hearing_notice is False and spared.summary_procedure is False
    assert "order_to_correct" in codes(spared) and codes(spared)[-1] == "educate"
    educate = spared.measures[-1]
    assert educate["citation"] == "《中华人民共和国行政处罚法》第三十三条第三款"
    assert step(spared, "minor_no_harm").citation == "《中华人民共和国行政处罚法》第三十三条第一款"


@pytest.mark.parametrize(("jurisdiction", "violation"), ART_33_CASES)
def test_first_minor_keeps_the_fines_and_may_waive_them(jurisdiction, violation):
    """"初次违法且危害后果轻微并及时改正的，可以不予行政处罚" (art. 33(1)): "可以" leaves the fine to the
    bureau — the fines are calculated and may_waive_fine is true only with 及时改正."""
    plain = run(jurisdiction, violation)
    late = run(jurisdiction, violation, first_minor=True, corrected_promptly=False)
    assert late.may_waive_fine is False and late.fines == plain.fines
    waivable = run(jurisdiction, violation, first_minor=True, corrected_promptly=True)
    assert waivable.may_waive_fine is True and waivable.no_penalty_reason is None
    assert waivable.fine_applies is True and waivable.fines == plain.fines
    assert waivable.to_dict()["may_waive_fine"] is True


@pytest.mark.parametrize("corrected_promptly", [False, True])
@pytest.mark.parametrize(("jurisdiction", "violation"), ART_33_CASES)
def test_no_fault_is_never_penalised(jurisdiction, violation, corrected_promptly):
    """"当事人有证据足以证明没有主观过错的，不予行政处罚" (art. 33(2)), corrected or not."""
    result = run(jurisdiction, violation, no_fault=True, corrected_promptly=corrected_promptly)
    assert result.fine_applies is False and result.no_penalty_reason == "no_fault"
    assert step(result, "no_fault").citation == "《中华人民共和国行政处罚法》第三十三条第二款"
    assert "order_to_correct" in codes(result) and "educate" in codes(result)


def test_prompt_correction_alone_changes_nothing_and_is_not_obeying_an_order():
    """及时改正 is not 按期改正: LN 31 ("责令限期改正；逾期不改正的…罚款") still fines a party that
    corrected promptly but is not said to have obeyed the order; an order obeyed removes the fine."""
    assert run("liaoning", "liaoning-31", corrected_promptly=True).fines == run("liaoning", "liaoning-31").fines
    obeyed = run("liaoning", "liaoning-31", corrected_by_deadline=True)
    assert obeyed.fine_applies is False and obeyed.no_penalty_reason is None


def test_a_fined_result_is_ordered_to_correct_under_art_28():
    """"行政机关实施行政处罚时，应当责令当事人改正或者限期改正违法行为" (art. 28(1)): IM 27 names no order,
    so the order comes from the national law."""
    order = run("inner-mongolia", "inner-mongolia-27").measures[0]
    assert order["code"] == "order_to_correct"
    assert order["citation"] == "《中华人民共和国行政处罚法》第二十八条第一款"


@pytest.mark.parametrize("name", ["corrected_promptly", "minor_no_harm", "first_minor", "no_fault"])
@pytest.mark.parametrize("value", ["true", 1, 0.0])
def test_art_33_facts_must_be_booleans(name, value):
    """A non-boolean fact is refused naming the field."""
    data = {"party": "unit", "act_date": "2025-01-01", name: value}
    with pytest.raises(InvalidFacts) as caught:
        Facts.from_mapping(data)
    assert caught.value.field == name


# -- art. 36 ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("discovered", "barred"), [(dt.date(2026, 3, 1), False), (dt.date(2026, 3, 2), True)]
)
def test_limitation_two_years_both_sides(discovered, barred):
    """"违法行为在二年内未被发现的，不再给予行政处罚" (art. 36(1)): act 2024-03-01, the period ends
    2026-03-01; discovered that day → punished, the next day → time barred, no fine, no confiscation."""
    result = run("inner-mongolia", "inner-mongolia-27", act_date=dt.date(2024, 3, 1), discovered_on=discovered,
                 illegal_gains=500)
    assert result.limitation_expires_on == dt.date(2026, 3, 1) and result.limitation_years == 2
    assert result.time_barred is barred
    assert result.fine_applies is not barred and result.no_penalty_reason == ("time_barred" if barred else None)
    assert (result.confiscate_illegal_gains == 0) is barred
    assert step(result, "time_barred").citation == "《中华人民共和国行政处罚法》第三十六条"
    if barred:
        assert "order_to_correct" in codes(result) and "educate" in codes(result)


@pytest.mark.parametrize(
    ("discovered", "barred"), [(dt.date(2029, 3, 1), False), (dt.date(2029, 3, 2), True)]
)
def test_limitation_five_years_for_life_health_or_finance(discovered, barred):
    """"涉及公民生命健康安全、金融安全且有危害后果的，上述期限延长至五年" (art. 36(1))."""
    result = run("inner-mongolia", "inner-mongolia-27", act_date=dt.date(2024, 3, 1), discovered_on=discovered,
                 endangers_life_health_or_finance=True, today=dt.date(2029, 6, 1))
    assert result.limitation_expires_on == dt.date(2029, 3, 1) and result.limitation_years == 5
    assert result.time_barred is barred
    assert "五年" in step(result, "limitation").description or "5年" in step(result, "limitation").description


def test_without_a_discovery_date_the_limitation_is_not_checked():
    """The period is shown; whether it has run is not decided without the day of discovery."""
    result = run("inner-mongolia", "inner-mongolia-27", act_date=dt.date(2023, 3, 1))
    assert result.time_barred is None and result.fine_applies is True
    assert "未审查" in step(result, "time_barred").description


@pytest.mark.parametrize(
    ("discovered", "refused"),
    [(ACT - dt.timedelta(days=1), True), (ACT, False), (TODAY, False), (TODAY + dt.timedelta(days=1), True)],
)
def test_discovery_between_the_act_and_today(discovered, refused):
    """Discovered before the act or after today is impossible: refused naming discovered_on."""
    if refused:
        with pytest.raises(InvalidFacts) as caught:
            run("inner-mongolia", "inner-mongolia-27", discovered_on=discovered)
        assert caught.value.field == "discovered_on"
    else:
        assert run("inner-mongolia", "inner-mongolia-27", discovered_on=discovered).time_barred is False


@pytest.mark.parametrize("value", ["2026/03/01", 20260301, "2026-02-30", True])
def test_discovered_on_must_be_a_date(value):
    with pytest.raises(InvalidFacts) as caught:
        Facts.from_mapping({"party": "unit", "act_date": "2024-03-01", "discovered_on": value})
    assert caught.value.field == "discovered_on"


# -- citations to the item (art. 59) ----------------------------------------------------------------------

ITEM_CASES = [
    # LN 31 "有下列情形之一的…（三）妨碍社会公共区域技防系统正常运行的"
    ("liaoning", "liaoning-31", 3, "《辽宁省公共安全技术防范条例》第三十一条第（三）项",
     ["《辽宁省公共安全技术防范条例》第九条第一款"]),
    # SX 26 "有下列行为之一的…（六）买卖、传播、隐匿技防系统信息资料的"
    ("shanxi", "shanxi-26", 6, "《山西省安全技术防范条例》第二十六条第（六）项", ["《山西省安全技术防范条例》第二十二条"]),
    # IM 27 "违反本条例第十九条规定的": the act is one of art. 19's items, "（三）泄露技防系统的秘密"
    ("inner-mongolia", "inner-mongolia-27", 3, "《内蒙古自治区公共安全技术防范管理条例》第二十七条",
     ["《内蒙古自治区公共安全技术防范管理条例》第十九条第（三）项"]),
    # QHD 23 "违反本办法第九条、第十条、第十三条、第十六条、第十七条规定的": the article violated
    ("qinhuangdao", "qinhuangdao-23", 16, "《秦皇岛市公共安全技术防范管理办法》第二十三条",
     ["《秦皇岛市公共安全技术防范管理办法》第十六条"]),
]


@pytest.mark.parametrize(("jurisdiction", "violation", "item", "label", "violates"), ITEM_CASES)
def test_an_item_narrows_the_citation(jurisdiction, violation, item, label, violates):
    """行政处罚法 art. 59 "行政处罚决定书应当载明…（三）行政处罚的种类和依据": the basis to the item."""
    result = run(jurisdiction, violation, item=item)
    assert result.citation["item"] == item and result.citation["label"] == label
    assert result.citation["violates"] == violates
    assert step(result, "provision").citation == label
    assert all(line_step.citation == label for line_step in result.trace if line_step.step.startswith("fine_"))
    # Omitted: the citation stops at the article, as before; the provision code does not change.
    whole = run(jurisdiction, violation)
    assert whole.citation["item"] is None and whole.fines == result.fines


@pytest.mark.parametrize(
    ("jurisdiction", "violation", "item"),
    [("liaoning", "liaoning-31", 5), ("liaoning", "liaoning-31", 0), ("shanxi", "shanxi-26", 7),
     ("inner-mongolia", "inner-mongolia-27", 7), ("qinhuangdao", "qinhuangdao-23", 11),
     ("liaoning", "liaoning-32", 1), ("liaoning", "liaoning-31", "3"), ("liaoning", "liaoning-31", True)],
)
def test_an_unknown_item_is_refused_naming_it(jurisdiction, violation, item):
    with pytest.raises(InvalidFacts) as caught:
        run(jurisdiction, violation, item=item)
    assert caught.value.field == "item"


def test_liaoning_31_does_not_cite_art_12_paragraph_1():
    """LN 31's items are 未依法安装 (art. 10), 擅自安装/妨碍 (art. 9(1)) and 设计方案未经论证 (art. 12(2));
    art. 12(1) (同步设计、同步施工、同步验收) is none of them."""
    provision = load_penalty_pack("liaoning").provision("liaoning-31")
    cited = [(ref.article, ref.paragraph) for ref in provision.violates]
    assert (12, 1) not in cited and (12, 2) in cited
    assert [item.number for item in provision.items] == [1, 2, 3, 4]


# -- targets in the article's own words -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "violation", "label"),
    [
        # LN 31 "对单位处3万元罚款，对单位负责人及相关责任人处5000元罚款"
        ("liaoning", "liaoning-31", "单位负责人及相关责任人"),
        # LN 34 "对单位处1万元罚款，对直接责任人处5000元罚款"
        ("liaoning", "liaoning-34", "直接责任人"),
        # SX 24(2) "并对直接负责的主管人员和其他责任人员处以一千元以上三千元以下罚款"
        ("shanxi", "shanxi-24-2", "直接负责的主管人员和其他责任人员"),
        # QHD 23 "对直接负责的主管人员和其他有关责任人员处以二百元以上一千元以下罚款"
        ("qinhuangdao", "qinhuangdao-23", "直接负责的主管人员和其他有关责任人员"),
    ],
)
def test_persons_fined_are_named_in_the_articles_words(jurisdiction, violation, label):
    result = run(jurisdiction, violation)
    lines = {line.target: line for line in result.fines}
    assert lines["unit"].label == "单位" and lines["responsible_person"].label == label
    assert f"对{label}处" in step(result, "fine_responsible_person").description
    assert "直接负责的主管人员和其他直接责任人员" not in " ".join(s.description for s in result.trace)


# -- a trace a lawyer would write -------------------------------------------------------------------------


def test_every_step_is_a_sentence_with_its_citation():
    """Each step says what was decided and on which article; no bare 是/否 and no double negatives
    ("不适用简易程序：否"), whatever the provision and facts."""
    from workflows.penalty_pack import all_penalty_packs

    for code, pack in all_penalty_packs().items():
        for provision in pack.provisions:
            for facts in ({}, {"corrected_by_deadline": True}, {"severe": True, "illegal_gains": 100},
                          {"minor_no_harm": True, "corrected_promptly": True}):
                for party in (UNIT, PERSON):
                    result = run(code, provision.code, party, **facts)
                    for line in result.trace:
                        assert line.citation, (provision.code, line)
                        assert not line.description.endswith(("：是", "：否", "是", "否")), line.description
                        assert "不适用简易程序：" not in line.description
                        assert "：应当告知" not in line.description and "：无需告知" not in line.description


def test_hearing_and_summary_steps_state_the_amounts():
    result = run("liaoning", "liaoning-35", illegal_gains=5000)
    assert step(result, "hearing").description.startswith("拟对单位罚款合计45000元、没收违法所得5000元，达到较大数额")
    assert "没收违法所得须按普通程序" in step(result, "summary_procedure").description


# -- overlaps and readings (art. 29, IM 23, forced removal, QHD's cap) ------------------------------------


@pytest.mark.parametrize(
    ("violation", "facts", "higher"),
    [
        ("liaoning-31", {"item": 3}, "liaoning-31"),  # 3万+5000 against 1万+5000
        ("liaoning-34", {}, "liaoning-31"),
        ("liaoning-34", {"severe": True}, "liaoning-34"),  # 情节严重: 3万+1万 against 3万+5000
        ("liaoning-34", {"corrected_by_deadline": True}, "liaoning-34"),  # LN 31 no longer fines
    ],
)
def test_liaoning_31_3_and_34_one_fine_the_higher(violation, facts, higher):
    """"同一个违法行为违反多个法律规范应当给予罚款处罚的，按照罚款数额高的规定处罚" (art. 29(2)):
    妨碍社会公共区域技防系统正常运行 is LN 31(3) and, through art. 21, LN 34."""
    result = run("liaoning", violation, **facts)
    [overlap] = result.overlaps
    assert overlap["provision"] == ({"liaoning-31", "liaoning-34"} - {violation}).pop()
    assert overlap["higher_fine"] == higher
    assert step(result, "overlap").citation == "《中华人民共和国行政处罚法》第二十九条"


def test_liaoning_31_other_items_do_not_overlap():
    """Only item (三) is the act LN 34 also answers; 未依法安装 (item 一) is not."""
    assert run("liaoning", "liaoning-31", item=1).overlaps == []


@pytest.mark.parametrize("violation", ["qinhuangdao-24", "qinhuangdao-26"])
def test_qinhuangdao_24_and_26_name_each_other(violation):
    """QHD 11(1) "不得妨碍社会公共区域技防系统的正常运行" and 19(4) "妨碍或者擅自中断技防系统的正常使用":
    QHD 24 only orders removal, so QHD 26's fine is the higher."""
    [overlap] = run("qinhuangdao", violation).overlaps
    assert overlap["higher_fine"] == "qinhuangdao-26"


@pytest.mark.parametrize("corrected", [False, True])
def test_inner_mongolia_23_serious_consequences_is_its_own_clause(corrected):
    """IM 23 "逾期不改正的，对单位处5000元以上l万元以下罚款；造成严重后果的，对单位处1万元以上3万元以下罚款":
    read as its own clause, the higher fine whether or not the party corrected, with legal review."""
    result = run("inner-mongolia", "inner-mongolia-23", severe=True, corrected_by_deadline=corrected)
    assert [(line.min, line.max) for line in result.fines] == [(10000, 30000)]
    assert result.legal_review_required is True
    assert step(result, "legal_review").citation == "《中华人民共和国行政处罚法》第五十八条第一款第（三）项"
    plain = run("inner-mongolia", "inner-mongolia-23", corrected_by_deadline=corrected)
    assert plain.legal_review_required is False and bool(plain.fines) is not corrected


@pytest.mark.parametrize(("jurisdiction", "violation"), [("liaoning", "liaoning-33"), ("qinhuangdao", "qinhuangdao-24")])
def test_forced_removal_is_by_application_to_the_court(jurisdiction, violation):
    """"拒不拆除的，依法予以强制拆除": 行政强制法 arts. 13 and 53, the people's court enforces."""
    forced = next(m for m in run(jurisdiction, violation).measures if m["code"] == "forced_removal")
    assert "申请人民法院强制执行" in forced["note"] and "第十三条、第五十三条" in forced["note"]


def test_qinhuangdaos_fine_cap_is_an_open_question_not_a_figure():
    """行政处罚法 art. 14(2) "罚款的限额由省、自治区、直辖市人民代表大会常务委员会规定"."""
    [question] = load_penalty_pack("qinhuangdao").open_questions
    assert "第十四条第二款" in question and "河北省人民代表大会常务委员会" in question


# -- the amount proposed: hearing (art. 63) and summary procedure (art. 51) at exactly their values --------


def _pack_with_ranges():
    """A pack with one provision whose ranges reach every threshold: unit 1000–20000, individual 100–5000."""
    from workflows.penalty_pack import Provision

    pack = load_penalty_pack("inner-mongolia")
    provision = Provision.model_validate({
        "code": "test-ranges", "title": "测试用罚则", "reference": {"article": 27}, "violates": [19],
        "authority": "公安机关", "order_to_correct_first": False,
        "fines": {"unit": {"min": 1000, "max": 20000}, "individual": {"min": 100, "max": 5000}},
    })
    return pack.model_copy(update={"provisions": [*pack.provisions, provision]})


def proposed(party, amount, gains=0):
    facts = Facts(party=party, act_date=ACT, today=TODAY, proposed_amount=amount, illegal_gains=gains)
    return calculate(_pack_with_ranges(), "test-ranges", facts)


@pytest.mark.parametrize(
    ("party", "amount", "hearing"),
    [(UNIT, 9999, False), (UNIT, 10000, True), (PERSON, 1999, False), (PERSON, 2000, True),
     (UNIT, 2000, False), (UNIT, 5000, False)],  # a unit is never held to the individual's threshold
)
def test_hearing_threshold_on_the_amount_proposed(party, amount, hearing):
    """"较大数额罚款…是指对个人处以二千元以上罚款，对单位处以一万元以上罚款" (公安机关办理行政案件程序规定
    art. 123; 行政处罚法 art. 63(1)(一) "较大数额罚款"): 以上 includes the figure itself."""
    result = proposed(party, amount)
    assert result.hearing_notice is hearing and result.proposed_amount == amount
    assert result.fines[0].proposed == amount


@pytest.mark.parametrize(
    ("party", "amount", "summary"),
    [(UNIT, 3000, True), (UNIT, 3001, False), (PERSON, 200, True), (PERSON, 201, False), (UNIT, 1000, True)],
)
def test_summary_threshold_on_the_amount_proposed(party, amount, summary):
    """"对公民处以二百元以下、对法人或者其他组织处以三千元以下罚款…可以当场作出行政处罚决定" (art. 51):
    以下 includes the figure itself."""
    assert proposed(party, amount).summary_procedure is summary


@pytest.mark.parametrize(
    ("party", "amount", "gains", "hearing"),
    [(UNIT, 5000, 9999, False), (UNIT, 5000, 10000, True), (PERSON, 1000, 1999, False), (PERSON, 1000, 2000, True),
     (UNIT, 5000, 2000, False)],
)
def test_hearing_with_confiscated_gains(party, amount, gains, hearing):
    """"没收较大数额违法所得" (art. 63(1)(二)): the same figures as for fines, the party's own threshold."""
    result = proposed(party, amount, gains)
    assert result.confiscate_illegal_gains == gains and result.hearing_notice is hearing


@pytest.mark.parametrize(("party", "amount"), [(UNIT, 3000), (PERSON, 200)])
def test_no_summary_procedure_with_confiscated_gains(party, amount):
    """Art. 51 allows on the spot only "罚款或者警告": confiscation takes the ordinary procedure."""
    assert proposed(party, amount).summary_procedure is True
    assert proposed(party, amount, gains=1).summary_procedure is False


@pytest.mark.parametrize(
    ("party", "amount", "refused"),
    [(UNIT, 999, True), (UNIT, 1000, False), (UNIT, 20000, False), (UNIT, 20001, True),
     (PERSON, 99, True), (PERSON, 100, False), (PERSON, 5000, False), (PERSON, 5001, True)],
)
def test_proposed_amount_within_the_range(party, amount, refused):
    """"处…元以上…元以下罚款": both ends belong to the range; outside it is refused naming the field."""
    if refused:
        with pytest.raises(InvalidFacts) as caught:
            proposed(party, amount)
        assert caught.value.field == "proposed_amount"
    else:
        assert proposed(party, amount).proposed_amount == amount


@pytest.mark.parametrize("value", [0, -1, 1.5, "3000", True])
def test_proposed_amount_is_whole_positive_yuan(value):
    with pytest.raises(InvalidFacts) as caught:
        Facts.from_mapping({"party": "unit", "act_date": "2025-01-01", "proposed_amount": value})
    assert caught.value.field == "proposed_amount"


def test_no_amount_can_be_proposed_where_no_fine_applies():
    with pytest.raises(InvalidFacts) as caught:
        run("liaoning", "liaoning-33", proposed_amount=1000)
    assert caught.value.field == "proposed_amount"


# -- the national law once -------------------------------------------------------------------------------


def test_the_national_law_is_one_dated_file_with_references():
    """The overlays of 行政处罚法 (2021, 自2021年7月15日起施行) and 公安机关办理行政案件程序规定 art. 123
    ("对个人处以二千元以上罚款，对单位处以一万元以上罚款") are written once, dated, each with its article."""
    from workflows.penalty_pack import all_penalty_packs, load_national_law
    from workflows.rules import pack_folder

    national = load_national_law()
    assert national.law.in_force_from == dt.date(2021, 7, 15) and national.checked_on
    assert national.procedure.title == "公安机关办理行政案件程序规定"
    thresholds = national.thresholds
    assert (thresholds.hearing.unit, thresholds.hearing.individual) == (10000, 2000)
    assert (thresholds.summary.unit, thresholds.summary.individual) == (3000, 200)
    assert (thresholds.limitation.years, thresholds.limitation.extended_years) == (2, 5)
    assert thresholds.late_payment.percent_per_day == 3
    assert thresholds.late_payment.reference.label() == "《中华人民共和国行政处罚法》第七十二条第一款第（一）项"
    for pack in all_penalty_packs().values():
        assert pack.thresholds == thresholds and pack.overrides == {}
        text = (pack_folder(pack.code) / "penalties.yaml").read_text("utf-8")
        assert "\nthresholds:" not in text and "hearing:" not in text


def test_a_pack_overrides_only_what_its_bureau_sets_differently(tmp_path):
    """"对依据地方性法规或者地方政府规章作出的罚款处罚，适用听证的罚款数额按照地方规定执行" (art. 123):
    an override replaces the value it names, with its reason beside it; the rest stays national."""
    import shutil

    import yaml

    from workflows.penalty_pack import JURISDICTIONS_DIR, load_national_law, load_penalty_pack_file

    data = yaml.safe_load((JURISDICTIONS_DIR / "liaoning" / "penalties.yaml").read_text(encoding="utf-8"))
    data["overrides"] = {"hearing": {"unit": 5000, "reason": "本省规定对单位罚款五千元以上的告知听证（示例）"}}
    path = tmp_path / "liaoning" / "penalties.yaml"
    path.parent.mkdir()
    shutil.copy(JURISDICTIONS_DIR / "liaoning" / "jurisdiction.yaml", path.parent)  # the regulation, written once
    shutil.copy(JURISDICTIONS_DIR / "liaoning" / "filing.yaml", path.parent)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    pack = load_penalty_pack_file(path)
    national = load_national_law().thresholds
    assert (pack.thresholds.hearing.unit, pack.thresholds.hearing.individual) == (5000, national.hearing.individual)
    assert pack.thresholds.hearing.reading.startswith("本省规定") and "hearing" in pack.overrides
    assert pack.thresholds.summary == national.summary
    result = calculate(pack, "liaoning-32", Facts(party="unit", act_date=ACT, today=TODAY))  # 5000元
    assert result.hearing_notice is True


def test_late_payment_surcharge_is_noted_where_a_fine_applies():
    """"到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额" (art. 72)."""
    assert step(run("liaoning", "liaoning-35"), "late_payment").value == 3
    assert all(s.step != "late_payment" for s in run("liaoning", "liaoning-33").trace)
