"""Scope of the staff imports and exports: a city clerk touches the firms of their bureau's cities only.

Two city clerks of different bureaus (沈阳 210100, 大连 210200) and a provincial clerk. Cases and complaints
linked to no firm belong to no city: only provincial clerks and admins see them.
"""

from __future__ import annotations

import datetime as dt
import io
import re

from sqlalchemy import select

from app.extensions import db
from app.models import Complaint, Firm, ImportJob, PenaltyCase, WarningNotice
from reports.columns import CASE_COLUMNS
from reports.export import write_xlsx
from tests.app.filing_support import submitted_request
from tests.app.transfer_support import code, roster_file, roster_row
from tests.support import page_text, post_form

HEADERS = [c.header for c in CASE_COLUMNS]
SHENYANG, DALIAN = "210100", "210200"


def _case(number: str, party: str, credit_code: str = "", party_type: str = "单位") -> list:
    row = {"案件编号": number, "当事人": party, "当事人类型": party_type, "统一社会信用代码": credit_code,
           "违法条款": "第三十五条", "违法行为日期": dt.date(2024, 1, 5), "决定日期": dt.date(2024, 2, 1),
           "处理结果": "罚款", "罚款金额（元）": 30000, "已缴金额（元）": 30000, "加处罚款（元）": 0,
           "减轻处罚": ""}  # 辽宁 35: 对单位处3万元罚款
    return [row[h] for h in HEADERS]


def _firms(factory):
    shenyang = factory.firm("沈阳甲安防公司", credit_code=code(1, SHENYANG), city_code=SHENYANG)
    dalian = factory.firm("大连乙安防公司", credit_code=code(2, DALIAN), city_code=DALIAN)
    return shenyang, dalian


def _clerks(login_as):
    return login_as("city_clerk", authority_code=SHENYANG), login_as("city_clerk", authority_code=DALIAN)


def _import_cases(client, path, mode="valid-rows") -> ImportJob:
    with open(path, "rb") as fh:
        data = {"kind": "cases", "file": (io.BytesIO(fh.read()), "cases.xlsx")}
    response = post_form(client, "/transfer/upload", data, token_from="/transfer/", content_type="multipart/form-data")
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": mode}, token_from=f"/transfer/jobs/{job_id}")
    return db.session.get(ImportJob, job_id)


def _numbers():
    return {c.case_number: c for c in db.session.scalars(select(PenaltyCase))}


def test_each_city_clerk_imports_the_cases_of_their_own_firms_only(app, login_as, factory, tmp_path):
    _firms(factory)
    (shenyang_clerk, _), (dalian_clerk, _) = _clerks(login_as)
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [
        _case("沈罚1号", "沈阳甲安防公司", code(1, SHENYANG)),
        _case("连罚1号", "大连乙安防公司", code(2, DALIAN)),
        _case("个人1号", "赵六", party_type="个人"),
    ])
    job = _import_cases(shenyang_clerk, path)
    assert job.written == 1 and job.refused == 2
    reasons = {e["row"]: e["reason"] for e in job.preview["errors"]}
    assert "所在市不属于本机关辖区" in reasons[3] and "只能由省级机关导入" in reasons[4]
    assert set(_numbers()) == {"沈罚1号"}

    job = _import_cases(dalian_clerk, path)
    assert job.written == 1 and job.refused == 2
    assert set(_numbers()) == {"沈罚1号", "连罚1号"}


def test_a_city_clerk_cannot_take_over_another_bureaus_case_number(app, login_as, factory, tmp_path):
    _firms(factory)
    (shenyang_clerk, _), (dalian_clerk, _) = _clerks(login_as)
    mine = tmp_path / "mine.xlsx"
    write_xlsx(mine, HEADERS, [_case("沈罚1号", "沈阳甲安防公司", code(1, SHENYANG))])
    assert _import_cases(shenyang_clerk, mine).written == 1
    # Dalian's clerk sends the same case number against a Dalian firm: it is Shenyang's case, refused.
    theirs = tmp_path / "theirs.xlsx"
    write_xlsx(theirs, HEADERS, [_case("沈罚1号", "大连乙安防公司", code(2, DALIAN))])
    job = _import_cases(dalian_clerk, theirs)
    assert job.written == 0 and "其他机关辖区的案件" in job.preview["errors"][0]["reason"]
    assert _numbers()["沈罚1号"].party_name == "沈阳甲安防公司"


def test_the_provincial_clerk_imports_every_case(app, login_as, factory, tmp_path):
    _firms(factory)
    client, _ = login_as("provincial_clerk")
    path = tmp_path / "cases.xlsx"
    write_xlsx(path, HEADERS, [_case("沈罚1号", "沈阳甲安防公司", code(1, SHENYANG)),
                               _case("连罚1号", "大连乙安防公司", code(2, DALIAN)), _case("个人1号", "赵六", party_type="个人")])
    job = _import_cases(client, path, mode="all-or-nothing")
    assert job.written == 3 and job.refused == 0


def _lists(factory):
    shenyang, dalian = _firms(factory)
    day = dt.date(2024, 5, 1)
    db.session.add_all([
        WarningNotice(firm_id=shenyang.id, issued_on=day, reason="沈阳警示事由"),
        WarningNotice(firm_id=dalian.id, issued_on=day, reason="大连警示事由"),
        Complaint(received_on=day, firm_id=shenyang.id, subject="沈阳投诉事项"),
        Complaint(received_on=day, firm_id=dalian.id, subject="大连投诉事项"),
        Complaint(received_on=day, firm_name="无名单位", subject="无单位投诉事项"),
        *(PenaltyCase(case_number=number, firm_id=firm_id, party_name=party, jurisdiction="liaoning",
                      provision_code="liaoning-35")
          for number, firm_id, party in (("沈罚1号", shenyang.id, "沈阳甲安防公司"),
                                         ("连罚1号", dalian.id, "大连乙安防公司"), ("个人1号", None, "赵六"))),
    ])
    db.session.commit()


def _export(client, kind: str) -> str:
    response = client.get(f"/transfer/export/{kind}.csv")
    assert response.status_code == 200
    return response.data.decode("utf-8-sig")


def test_exports_of_warnings_complaints_and_cases_follow_the_clerks_cities(app, login_as, factory):
    _lists(factory)
    (shenyang_clerk, _), (dalian_clerk, _) = _clerks(login_as)
    province, _ = login_as("provincial_clerk")
    expected = {
        "warnings": ("沈阳警示事由", "大连警示事由", None),
        "complaints": ("沈阳投诉事项", "大连投诉事项", "无单位投诉事项"),
        "cases": ("沈罚1号", "连罚1号", "个人1号"),
    }
    for kind, (shenyang, dalian, unlinked) in expected.items():
        mine, theirs, everything = _export(shenyang_clerk, kind), _export(dalian_clerk, kind), _export(province, kind)
        assert shenyang in mine and dalian not in mine, kind
        assert dalian in theirs and shenyang not in theirs, kind
        assert shenyang in everything and dalian in everything, kind
        if unlinked:  # linked to no firm: the provincial clerk's only
            assert unlinked in everything and unlinked not in mine and unlinked not in theirs, kind


def test_a_roster_export_in_small_batches_keeps_each_firms_business_types(app, factory, monkeypatch):
    """The export reads firms in keyset batches and their business types by the batch's id range; with
    another city's firms interleaved, each exported firm still gets exactly its own types."""
    from app.models import FirmBusinessType
    from app.transfer import exports as transfer_exports

    monkeypatch.setattr(transfer_exports, "BATCH", 2)
    shenyang, dalian = "210100", "210200"
    plan = [(shenyang, ["design"]), (dalian, ["install"]), (shenyang, ["install", "maintain"]),
            (dalian, ["design"]), (shenyang, []), (shenyang, ["alarm_operation"]), (dalian, ["maintain"])]
    firms = []
    for n, (city, types) in enumerate(plan):
        firm = factory.firm(f"批次测试{n}", city_code=city)
        db.session.add_all(FirmBusinessType(firm_id=firm.id, type_code=t) for t in types)
        firms.append((firm.credit_code, city, sorted(types)))
    db.session.commit()

    everything = {r["credit_code"]: r["business_types"] for r in transfer_exports.roster_records(None)}
    assert everything == {c: t for c, _, t in firms}
    only_shenyang = {r["credit_code"]: r["business_types"] for r in transfer_exports.roster_records({shenyang})}
    assert only_shenyang == {c: t for c, city, t in firms if city == shenyang}
    # The export's tuples (made straight from the rows) are what reports.export makes of the records.
    from reports.export import roster_rows

    pack = app.extensions["jifang.pack"]
    factory.firm("无市无类型", city_code=None, registered_address="", premises_address="")
    db.session.commit()
    for cities in (None, {shenyang}):
        expected = list(roster_rows(transfer_exports.roster_records(cities), {c.code: c.name for c in pack.cities},
                                    {b.code: b.name for b in pack.filing.business_types}))
        assert list(transfer_exports._roster_rows(cities)) == expected
        assert len(expected) == len(plan) + 1 if cities is None else sum(c == shenyang for c, _ in plan)


# --- the roster import (issue 9, defect 2): scope by the firm as stored; reviewed numbers are kept -------
def _import_roster(client, path, mode="valid-rows") -> tuple[ImportJob, str]:
    """Upload, read the preview page, confirm; returns the job and the preview page's text."""
    with open(path, "rb") as fh:
        data = {"kind": "filings", "file": (io.BytesIO(fh.read()), "roster.xlsx")}
    response = post_form(client, "/transfer/upload", data, token_from="/transfer/", content_type="multipart/form-data")
    job_id = int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))
    preview = page_text(client.get(f"/transfer/jobs/{job_id}"))
    post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": mode}, token_from=f"/transfer/jobs/{job_id}")
    return db.session.get(ImportJob, job_id), preview


def _snapshot(firm_id: int) -> tuple:
    db.session.expire_all()
    firm = db.session.get(Firm, firm_id)
    return (firm.name, firm.legal_rep, firm.city_code, firm.filing_number, firm.filed_on, firm.filing_authority_code)


def test_a_city_clerk_cannot_rewrite_another_citys_firm_by_naming_their_own_city(app, login_as, factory, tmp_path):
    """The attack: a Shenyang clerk sends a Dalian firm's credit code with 所在市=沈阳市."""
    dalian = factory.firm("大连乙安防公司", credit_code=code(2, DALIAN), city_code=DALIAN, filing_number="辽公技备20240002",
                          filed_on=dt.date(2024, 3, 1), filing_authority_code=DALIAN, filing_status="in_force")
    before = _snapshot(dalian.id)
    (shenyang_clerk, _), _ = _clerks(login_as)
    path = roster_file(tmp_path / "roster.xlsx", [
        roster_row(1),  # a Shenyang firm of their own: imported
        roster_row(2, name="被改写的名称", 统一社会信用代码=code(2, DALIAN), 法定代表人="冒名者", 所在市="沈阳市",
                   备案编号="辽公技备20249999"),
    ])
    job, preview = _import_roster(shenyang_clerk, path)
    assert "已登记在其他机关辖区，无权修改" in preview  # said before anything is written
    assert (job.written, job.refused) == (1, 1), (job.status, job.message)
    assert "已登记在其他机关辖区" in job.preview["errors"][0]["reason"]
    assert _snapshot(dalian.id) == before
    assert db.session.scalar(select(Firm.id).where(Firm.credit_code == code(1))) is not None


def _reviewed_firm(app, factory):
    """A firm whose filing number Shenyang's bureau assigned by approving its request."""
    from app.filings import service as filings

    request, _user = submitted_request(app, factory, city_code=SHENYANG)
    filings.decide(request, "approve", factory.user("city_clerk", authority_code=SHENYANG), None)
    db.session.expire_all()
    return db.session.get(Firm, request.firm_id)


def _roster_of(firm, tmp_path, **over):
    fields = {"统一社会信用代码": firm.credit_code, "所在市": "沈阳市", "备案编号": firm.filing_number,
              "备案日期": firm.filed_on} | over
    row = roster_row(1, name=firm.name, **fields)
    return roster_file(tmp_path / "roster.xlsx", [row])


def test_no_import_changes_a_number_a_bureaus_review_assigned_unless_the_importer_holds_it(
        app, login_as, factory, tmp_path, runner):
    firm = _reviewed_firm(app, factory)
    before = _snapshot(firm.id)
    assert before[3] and before[5] == SHENYANG
    path = _roster_of(firm, tmp_path, 备案编号="辽公技备20240777")

    # The command line and an admin hold no bureau's authority.
    result = runner.invoke(args=["import", "filings", path, "--mode", "valid-rows"])
    assert result.exit_code == 1 and "审核备案时核发的，导入不能更改" in result.stderr
    admin, _ = login_as("admin")
    job, _preview = _import_roster(admin, path)
    assert job.written == 0 and "导入不能更改" in job.preview["errors"][0]["reason"]
    # A clerk of another bureau may not either (here: the row is out of their scope anyway).
    (_, _), (dalian_clerk, _) = _clerks(login_as)
    assert _import_roster(dalian_clerk, path)[0].written == 0
    assert _snapshot(firm.id) == before

    # The bureau that assigned it may correct it.
    shenyang_clerk, _ = login_as("city_clerk", authority_code=SHENYANG)
    job, _preview = _import_roster(shenyang_clerk, path)
    assert job.written == 1 and job.refused == 0
    assert _snapshot(firm.id)[3] == "辽公技备20240777"


def test_an_import_may_update_a_reviewed_firms_other_details_and_repeat_its_number(app, factory, tmp_path, runner):
    firm = _reviewed_firm(app, factory)
    number, authority = firm.filing_number, firm.filing_authority_code
    path = _roster_of(firm, tmp_path, 联系电话="024-88888888")
    result = runner.invoke(args=["import", "filings", path])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    stored = db.session.get(Firm, firm.id)
    assert stored.contact_phone == "024-88888888"
    assert (stored.filing_number, stored.filing_authority_code) == (number, authority)
