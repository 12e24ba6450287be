"""A small demo data set: one account per role and a few firms in several filing states.

Idempotent: running it twice changes nothing. Only for demonstrations; never run it on a live database.
"""

from __future__ import annotations

import datetime as dt

from flask import current_app
from sqlalchemy import select
from stdnum.cn import uscc

from app import audit
from app.extensions import db
from app.models import Firm, FirmBusinessType, User
from app.passwords import hash_password

DEMO_PASSWORD = "jifang-demo-2026"


def credit_code(division: str, body: str) -> str:
    """A well-formed code for demo and test data: 91 (enterprise) + division + 9-char body + check."""
    stem = "91" + division + body
    return stem + uscc.calc_check_digit(stem)


def _user(username, role, display_name, authority_code=None, firm=None):
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        user = User(
            username=username,
            password_hash=hash_password(DEMO_PASSWORD),
            role=role,
            display_name=display_name,
            authority_code=authority_code,
            firm_id=firm.id if firm else None,
        )
        db.session.add(user)
        db.session.flush()
        audit.record("create_user", user, actor="demo", detail={"role": role})
    return user


def _firm(name, code, city_code, types, local=True):
    """A firm that has never filed; its filing history is made through the workflow (filing_demo)."""
    firm = db.session.scalar(select(Firm).where(Firm.credit_code == code))
    if firm is None:
        firm = Firm(
            name=name,
            credit_code=code,
            legal_rep="张三",
            registered_address=f"{name}注册地址",
            premises_address=f"{name}经营场所",
            city_code=city_code,
            contact_name="李四",
            contact_phone="13800000000",
            is_local=local,
        )
        firm.business_types = [FirmBusinessType(type_code=t) for t in types]
        db.session.add(firm)
        db.session.flush()
        audit.record("demo_firm", firm, actor="demo")
    return firm


def _city_clerk_authority(pack, city) -> str:
    """The bureau of the first review stage of a local filing (Qinhuangdao: the city bureau's verification),
    or the city's own bureau where every filing goes to the province (Inner Mongolia)."""
    if pack.filing.enabled:
        code = pack.stage_authority(pack.route_for(True).stages[0], city.code)
        authority = pack.authority(code)
        if authority and authority.level != "provincial":
            return code
    return city.authority


def load() -> list[str]:
    from app.filings import demo as filing_demo

    pack = current_app.extensions["jifang.pack"]
    province = pack.province.division_code
    city = pack.cities[0]
    city_code_authority = _city_clerk_authority(pack, city)
    city_authority = pack.authority(city_code_authority)
    types = [b.code for b in pack.filing.business_types] or ["design"]

    # (name, credit code body, local, the state the demo brings it to)
    plan = [
        ("示范安防科技有限公司", "MA0JF0001", True, "draft"),
        ("示范智能系统工程有限公司", "MA0JF0002", True, "filed"),
        ("示范报警运营服务有限公司", "MA0JF0003", True, "cancelled"),
        ("外省示范安防工程有限公司", "MA0JF0004", False, "under_review"),
        ("示范监控工程有限公司", "MA0JF0005", True, "returned"),
        ("示范门禁系统有限公司", "MA0JF0006", True, "under_review"),
    ]
    firms = [
        (_firm(name, credit_code(city.code if local else "110105", body), city.code, types[:2], local), target)
        for name, body, local, target in plan
    ]
    unfiled = firms[0][0]

    _user("admin", "admin", "系统管理员")
    clerks = [
        _user("province", "provincial_clerk", f"{pack.provincial_authority.name}工作人员", province),
        _user("city", "city_clerk", f"{city_authority.name}工作人员", city_code_authority),
    ]
    for code in sorted(filing_demo.clerk_authorities(pack) - {c.authority_code for c in clerks}):
        authority = pack.authority(code)
        role = "provincial_clerk" if authority.level == "provincial" else "city_clerk"
        clerks.append(_user(f"clerk{code}", role, f"{authority.name}工作人员", code))
    accounts = [_user("firm", "firm", unfiled.name, firm=unfiled)]
    accounts += [_user(f"firm{i}", "firm", firm.name, firm=firm) for i, (firm, _t) in enumerate(firms[1:], start=2)]
    db.session.commit()
    for (firm, target), account in zip(firms, accounts, strict=True):
        filing_demo.bring(pack, filing_demo.DemoFirm(firm, account, target), clerks)
    _cases(pack, [firm for firm, _target in firms])
    legal = _user("legal", "legal_reviewer", f"{city_authority.name}法制审核人员", city_code_authority)
    head = _user("head", "bureau_head", f"{city_authority.name}负责人", city_code_authority)
    _procedure_cases(firms[1][0], clerks[1], legal, head)
    lines = _load_regulation_text(pack)
    return lines + [
        f"演示数据已载入（{pack.name}）。演示账号（密码均为 {DEMO_PASSWORD}）：",
        "  admin    系统管理员",
        f"  province 省级工作人员（{pack.provincial_authority.name}）",
        f"  city     市级工作人员（{city_authority.name}）",
        f"  firm     从业单位（{unfiled.name}，备案草稿）",
        "  firm2…firm6  其他从业单位（已备案、已注销、审核中、退回补正）",
        f"  legal    法制审核人员（{city_authority.name}）",
        f"  head     行政机关负责人（{city_authority.name}）",
    ]


def _load_regulation_text(pack) -> list[str]:
    """Load the deployment's regulation text when the bureau's copy sits beside the project."""
    from app.models import RegulationText
    from app.penalties.regulations import RegulationImportError, import_regulation
    from imports.regulation_text import regulations_dir

    if not pack.regulation.source:  # a pack without a text (regulation.source null): nothing to load
        return []
    path = regulations_dir() / pack.regulation.source
    if not path.is_file() or db.session.scalar(select(RegulationText.id).where(RegulationText.jurisdiction == pack.code)):
        return []
    try:
        regulation = import_regulation(path, pack.code, actor="demo")
    except RegulationImportError as exc:
        return [f"法规文本未导入：{exc}"]
    return [f"已导入法规文本《{regulation.title}》（{len(regulation.articles)} 条）"]


def _complaints(pack, filed, year: int, today: dt.date) -> None:
    """Complaints in the states a clerk meets, each with the bureau that takes it (the firm's filing bureau,
    else the bureau of the city where it happened: app.complaints.service.authority_for), so they show in
    that bureau's queue; a verified one lists the firm only where the pack provides the list (Liaoning
    art. 28). Demo rows carry no complainant."""
    from app.complaints import service as complaints
    from app.complaints import warnings
    from app.models import Complaint, ComplaintStep, WarningNotice

    city = filed.city_code or pack.cities[0].code
    bureau = complaints.authority_for(filed, city, pack)
    other_city = pack.cities[-1].code

    def complaint(state, received, subject, outcome="pending", closed=None, firm=filed, city_code=city, **kw):
        found = Complaint(received_on=received, firm_id=firm.id if firm else None,
                          firm_name=firm.name if firm else "某物业公司",
                          firm_credit_code=firm.credit_code if firm else "", subject=subject, city_code=city_code,
                          service_user=True, authority_code=complaints.authority_for(firm, city_code, pack),
                          state=state, outcome=outcome, closed_on=closed, sent_actions=[],
                          state_entered_at=dt.datetime.combine(closed or received, dt.time(1)), **kw)
        found.steps.append(ComplaintStep(at=dt.datetime.combine(received, dt.time(1)), transition="submit",
                                         to_state="received", authority_code=found.authority_code))
        if state != "received":
            found.steps.append(ComplaintStep(at=found.state_entered_at, transition=state, to_state=state,
                                             authority_code=found.authority_code))
        return found

    verified = complaint("verified", dt.date(year, 3, 2), "监控摄像机未设置提示标识", "substantiated",
                         dt.date(year, 3, 20), firm_summary="用户反映贵单位安装的监控摄像机未设置提示标识。")
    rows = [
        verified,
        complaint("unfounded", dt.date(year, 4, 11), "报警响应不及时", "unsubstantiated", dt.date(year, 5, 6),
                  firm_summary="用户反映报警响应不及时。"),
        # still open, in the filing bureau's queue: one waiting to be assigned, one under verification
        complaint("received", today - dt.timedelta(days=2), "维修后门禁系统仍无法刷卡开门"),
        complaint("verifying", today - dt.timedelta(days=9), "报警主机频繁误报，报修后无人上门",
                  assigned_at=dt.datetime.combine(today - dt.timedelta(days=7), dt.time(1)), firm_summary="用户反映报警主机频繁误报且报修后无人上门。"),
        # a firm not in the register: the bureau of the city where it happened takes it
        complaint("received", today - dt.timedelta(days=1), "小区门禁系统信息泄露", firm=None, city_code=other_city),
    ]
    for row in rows:
        if row.state == "received":
            row.state_entered_at = dt.datetime.combine(row.received_on, dt.time(1))
        if row.state == "verifying":
            row.state_entered_at = row.assigned_at
    db.session.add_all(rows)
    db.session.flush()
    rules = warnings.rules(pack)
    if rules is not None:  # art. 28: the verified complaint by a user of the firm's service listed it
        db.session.add(WarningNotice(
            firm_id=filed.id, complaint_id=verified.id, category="service_complaint", authority_code=bureau,
            issued_on=dt.date(year, 3, 20), reason="经查证属实，予以警示", reference=rules.reference.label(),
            notice_text=f"{filed.name}因服务受到用户投诉，经查证属实，列入警示名单。",
            lifted_on=dt.date(year, 6, 30), lift_reason="rectified", state="warning_lifted"))


def _procedure_cases(firm, clerk, legal, head) -> None:
    """Penalty cases run in the system by the city bureau: one under investigation, one the legal reviewer
    passed that waits for the head's decision, and an order to correct still running."""
    from app.cases import service as cases
    from app.models import OrderToCorrect, PenaltyCase
    from workflows.engine import TransitionNotAllowed
    from workflows.penalty import CalculationError, calculate
    from workflows.time_limits import china_today

    if db.session.scalar(select(PenaltyCase.id).where(PenaltyCase.authority_code.is_not(None)).limit(1)):
        return
    penalties = cases.penalty_pack()
    today = china_today()
    act, found = today - dt.timedelta(days=30), today - dt.timedelta(days=20)
    party = cases.Party(name=firm.name, id_type="credit_code", id_number=firm.credit_code or "",
                        address="演示地址", firm_id=firm.id)
    at_once = next((p for p in penalties.provisions if not p.order_to_correct_first and "unit" in p.fines), None)
    try:
        if at_once is not None:
            item = at_once.items[0].number if at_once.items else None
            facts = "演示：当事人擅自向他人提供社会公共区域技防系统的视频图像信息。"
            first = cases.open_case(cases.Opening(party, at_once.code, item, act, found, facts), clerk)
            cases.fire(first, "investigate", clerk)
            second = cases.open_case(cases.Opening(party, at_once.code, item, act, found, facts), clerk)
            cases.fire(second, "investigate", clerk)
            result = calculate(penalties, at_once.code, {"party": "unit", "act_date": act.isoformat(), "item": item})
            amount = next(line.recommended for line in result.fines if line.target == "unit")
            cases.propose(second, clerk, tier="normal", amount_yuan=amount, severe=False, illegal_gains=0,
                          mitigated=False, outside_tier_reason="", serious=False)
            cases.fire(second, "propose", clerk)
            cases.fire(second, "notify", clerk, data={"notified_on": today})
            cases.fire(second, "submit_review", clerk, data={"statement": "当事人书面放弃陈述、申辩和听证",
                                                             "waived": True})
            cases.fire(second, "pass_review", legal, "事实清楚，证据确凿，适用依据正确，程序合法，同意")
        ordered = next((p for p in penalties.provisions if p.order_to_correct_first and "unit" in p.fines), None)
        if ordered is not None and db.session.scalar(select(OrderToCorrect.id).limit(1)) is None:
            item = ordered.items[0].number if ordered.items else None
            cases.issue_order(cases.Opening(party, ordered.code, item, act, found, "演示：检查中发现的违法行为。"),
                              clerk, issued_on=today, deadline=today + dt.timedelta(days=15))
    except (cases.CaseError, CalculationError, TransitionNotAllowed, StopIteration):  # a pack the demo cannot use
        db.session.rollback()
        return
    db.session.commit()


def _cases(pack, firms) -> None:
    """A few complaints, warnings and penalty cases, so the dashboard and exports have figures to show.

    Each fine is what the calculator recommends (normal tier) under a provision of the deployment's own
    penalty pack, so the demo figures follow the law as encoded."""
    from app.models import PenaltyCase
    from workflows.penalty import CalculationError, calculate, pack_for
    from workflows.time_limits import china_today

    if db.session.scalar(select(PenaltyCase.id).limit(1)) is not None:
        return
    today = china_today()
    year = today.year if today.month >= 7 else today.year - 1  # every demo date lies in the past
    filed = firms[1]
    _complaints(pack, filed, year, today)
    penalties = pack_for(pack.code)
    number = 0
    for provision in penalties.provisions:
        act = dt.date(year, 3 + number, 10)
        try:
            result = calculate(penalties, provision.code, {"party": "unit", "act_date": act.isoformat()})
        except CalculationError:  # a provision that cannot apply to this date or party
            continue
        fine = sum(line.recommended for line in result.fines if line.target == "unit")
        if not fine:  # provisions without a fine for a unit make poor demo cases
            continue
        number += 1
        db.session.add(PenaltyCase(
            case_number=f"{pack.provincial_authority.code}-{year}-{number:03d}", firm_id=filed.id,
            party_name=filed.name, party_type="unit", credit_code=filed.credit_code, jurisdiction=pack.code,
            provision_code=provision.code, act_date=act, decided_on=act + dt.timedelta(days=40),
            outcome="fined", fine_decided_fen=fine * 100, fine_collected_fen=fine * 100 if number % 2 else 0,
            state="closed" if number % 2 else "decided",
        ))
        if number == 4:
            break
    db.session.commit()
