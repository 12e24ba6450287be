"""The import/export pages: upload → preview → confirm with a mode, progress, error report, ownership, roles,
templates and audited exports. Jobs run in huey's immediate mode in tests (TESTING)."""

from __future__ import annotations

import codecs
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEntry, Firm, ImportJob
from reports.export import ROSTER_HEADERS
from tests.app.transfer_support import code, roster_file, roster_row
from tests.support import everything_in, get_page, page_text, parse, post_form


def _upload(client, path, kind="filings", name=None):
    with open(path, "rb") as fh:
        data = {"kind": kind, "file": (io.BytesIO(fh.read()), name or str(path).rsplit("/", 1)[-1])}
    return post_form(client, "/transfer/upload", data, token_from="/transfer/",
                     content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))


def _firm_count():
    return db.session.scalar(select(func.count()).select_from(Firm))


def test_upload_shows_a_preview_with_errors_and_writes_nothing(login_as, tmp_path):
    client, _ = login_as("provincial_clerk")
    path = roster_file(tmp_path / "名录.xlsx", [roster_row(1), roster_row(2, 业务类型="保安"), roster_row(3)],
                       title="2024年名录")
    job_id = _job_id(_upload(client, path))
    page = parse(client.get(f"/transfer/jobs/{job_id}"))
    assert "预览" in page_text(page) and "确认导入" in page_text(page)
    rows = [[page_text(td) for td in tr.find_all("td")] for tr in page.select("tr")]
    assert any(row[:2] == ["4", "业务类型"] and row[2].startswith("业务类型“保安”不是本地区的备案业务类型")
               for row in rows if len(row) >= 3)  # the refused row: its number, its column, the reason
    assert any("沈阳第1安防科技有限公司" in row for row in rows)  # the first valid rows
    assert _firm_count() == 0
    status = client.get(f"/transfer/jobs/{job_id}/status.json").get_json()
    assert status["finished"] and status["status"] == "done" and status["stage"] == "preview"
    assert status["total"] == 3 and status["refused"] == 1 and status["percent"] == 100


def test_all_or_nothing_writes_nothing_when_a_row_is_refused(login_as, tmp_path):
    client, user = login_as("provincial_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 所在市="北京")])
    job_id = _job_id(_upload(client, path))
    response = post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": "all-or-nothing"},
                         token_from=f"/transfer/jobs/{job_id}")
    assert response.status_code == 302
    assert _firm_count() == 0
    job = db.session.get(ImportJob, job_id)
    assert job.stage == "import" and job.status == "done" and job.written == 0 and job.refused == 1
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_filings")).one()
    assert entry.actor_id == user.id and entry.detail["result"] == "refused" and entry.detail["job"] == job_id
    assert "未写入任何数据" in page_text(client.get(f"/transfer/jobs/{job_id}"))


def test_valid_rows_writes_the_good_rows_and_the_status_says_done(login_as, tmp_path):
    client, _ = login_as("admin")
    path = roster_file(tmp_path / "r.csv", [roster_row(1), roster_row(2, 所在市="北京"), roster_row(3)])
    job_id = _job_id(_upload(client, path))
    post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": "valid-rows"}, token_from=f"/transfer/jobs/{job_id}")
    assert {f.credit_code for f in db.session.scalars(select(Firm))} == {code(1), code(3)}
    status = client.get(f"/transfer/jobs/{job_id}/status.json").get_json()
    assert status == {**status, "status": "done", "stage": "import", "written": 2, "refused": 1, "percent": 100}
    page = parse(client.get(f"/transfer/jobs/{job_id}"))  # done: no script polls its progress any more
    assert "导入完成" in page_text(page) and "transfer.js" not in everything_in(page)
    # the import stage confirms once: a second confirm changes nothing
    again = post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": "valid-rows"}, token_from="/transfer/")
    assert again.status_code == 302
    assert db.session.get(ImportJob, job_id).written == 2


def test_reimport_through_the_web_changes_nothing(login_as, tmp_path):
    client, _ = login_as("provincial_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(n) for n in range(1, 4)])
    for _ in range(2):
        job_id = _job_id(_upload(client, path))
        post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": "all-or-nothing"},
                  token_from=f"/transfer/jobs/{job_id}")
    job = db.session.get(ImportJob, job_id)
    assert job.preview["unchanged"] == 3 and job.written == 0
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "import_filings")).all()
    assert [e.detail["written"] for e in entries] == [3, 0]
    assert all(len(e.detail["sha256"]) == 64 and e.detail["file"] == "r.xlsx" for e in entries)


def test_error_report_is_downloadable_and_marks_the_refused_cells(login_as, tmp_path):
    client, _ = login_as("city_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 法定代表人="")])
    job_id = _job_id(_upload(client, path))
    with client.get(f"/transfer/jobs/{job_id}/errors.xlsx") as response:
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "原行号" and sheet["A2"].value == 3
    cell = sheet.cell(row=2, column=2 + ROSTER_HEADERS.index("法定代表人"))
    assert cell.fill.fgColor.rgb.endswith("FFC7CE") and "法定代表人不能为空" in cell.comment.text


def test_an_unusable_file_fails_the_job_with_its_reason(login_as, tmp_path):
    client, _ = login_as("city_clerk")
    path = tmp_path / "fake.xlsx"
    path.write_bytes(b"this is not a workbook")
    job_id = _job_id(_upload(client, path))
    page = page_text(client.get(f"/transfer/jobs/{job_id}"))
    assert "无法导入" in page and "不是 .xlsx 工作簿" in page
    assert client.get(f"/transfer/jobs/{job_id}/status.json").get_json()["status"] == "failed"


def test_a_city_clerk_imports_only_the_firms_of_their_city(login_as, tmp_path):
    client, _ = login_as("city_clerk")  # 沈阳市公安局
    path = roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 所在市="大连市")])
    job_id = _job_id(_upload(client, path))
    assert "所在市不属于本机关辖区" in page_text(client.get(f"/transfer/jobs/{job_id}"))


def test_another_users_job_is_not_found(login_as, tmp_path):
    owner, _ = login_as("city_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 法定代表人="")])
    job_id = _job_id(_upload(owner, path))
    other, _ = login_as("city_clerk")
    for url in (f"/transfer/jobs/{job_id}", f"/transfer/jobs/{job_id}/status.json",
                f"/transfer/jobs/{job_id}/errors.xlsx"):
        with other.get(url) as response:
            assert response.status_code == 404, url
    response = post_form(other, f"/transfer/jobs/{job_id}/confirm", {"mode": "valid-rows"}, token_from="/transfer/")
    assert response.status_code == 404
    assert db.session.get(ImportJob, job_id).stage == "preview"


def test_firms_are_refused(login_as):
    client, _ = login_as("firm")
    for url in ("/transfer/", "/transfer/template/filings.xlsx", "/transfer/export/roster.csv",
                "/transfer/jobs/1", "/transfer/jobs/1/status.json"):
        assert client.get(url).status_code == 403, url


def test_templates_have_the_canonical_headers_and_one_example_row(login_as):
    client, _ = login_as("city_clerk")
    sheet = load_workbook(io.BytesIO(client.get("/transfer/template/filings.xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == list(ROSTER_HEADERS) and len(rows) == 2
    cases = load_workbook(io.BytesIO(client.get("/transfer/template/cases.xlsx").data)).active
    header = [c.value for c in cases[1]]
    assert header[:3] == ["案件编号", "当事人", "当事人类型"] and "加处罚款（元）" in header
    assert client.get("/transfer/template/other.xlsx").status_code == 404


def test_roster_export_is_audited_and_csv_has_a_bom(login_as, factory):
    factory.firm("=HYPERLINK(\"x\")安防", contact_phone="13900000000")
    client, user = login_as("provincial_clerk")
    response = client.get("/transfer/export/roster.csv")
    assert response.status_code == 200 and response.data.startswith(codecs.BOM_UTF8)
    text = response.data.decode("utf-8-sig")
    assert text.splitlines()[0] == ",".join(ROSTER_HEADERS)
    assert "'=HYPERLINK" in text and "13900000000" in text
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export_roster")).one()
    assert entry.actor_id == user.id and entry.detail["personal_data"] and entry.detail["rows"] == 1
    xlsx = client.get("/transfer/export/roster.xlsx")
    assert load_workbook(io.BytesIO(xlsx.data)).active["A2"].value == "'=HYPERLINK(\"x\")安防"
    for kind in ("warnings", "complaints", "cases"):
        assert client.get(f"/transfer/export/{kind}.xlsx").status_code == 200, kind
    assert client.get("/transfer/export/roster.pdf").status_code == 404


def test_a_city_clerk_exports_only_their_city(login_as, factory):
    factory.firm("沈阳甲公司", city_code="210100")
    factory.firm("大连乙公司", city_code="210200", division="210200")
    client, _ = login_as("city_clerk")
    text = client.get("/transfer/export/roster.csv").data.decode("utf-8-sig")
    assert "沈阳甲公司" in text and "大连乙公司" not in text


def test_index_lists_my_jobs_and_the_exports(login_as, tmp_path):
    client, _ = login_as("city_clerk")
    _upload(client, roster_file(tmp_path / "mine.xlsx", [roster_row(1)]))
    page = parse(client.get("/transfer/"))
    links = {a["href"] for a in page.select("a[href]")}
    assert "mine.xlsx" in page_text(page)
    assert {"/transfer/export/roster.xlsx", "/transfer/template/cases.xlsx"} <= links


def test_a_case_ledger_preview_reads_in_chinese_with_money_in_yuan(login_as, tmp_path):
    from reports.columns import CASE_COLUMNS
    from reports.export import write_xlsx

    client, _ = login_as("provincial_clerk")
    path = tmp_path / "台账.xlsx"
    write_xlsx(path, [c.header for c in CASE_COLUMNS], [
        ["沈公技罚〔2024〕1号", "沈阳甲安防有限公司", "单位", code(1), "第三十五条", "2024-01-05", "2024-02-01", "罚款",
         "30,000.50", 0, 0, ""],  # 辽宁 35: 3万元 and a multiple of the illegal gains
    ])
    job_id = _job_id(_upload(client, path, kind="cases"))
    page = get_page(client, "transfer.job", job_id=job_id)
    sample = page.select_one("table.transfer-sample")
    heads = [page_text(th) for th in sample.select("thead th")]
    (row,) = [dict(zip(heads, (page_text(td) for td in tr.select("td")), strict=True)) for tr in sample.select("tbody tr")]
    assert row["当事人"] == "沈阳甲安防有限公司" and row["案件编号"] == "沈公技罚〔2024〕1号"
    assert row["违法条款"] == "第三十五条" and row["处理结果"] == "罚款"
    assert row["罚款金额（元）"] == "30,000.50" and row["决定日期"] == "2024-02-01"  # yuan from integer fen


def test_an_import_job_that_keeps_colliding_fails_with_its_reason(login_as, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from app.transfer import roster_import as transfer

    def always_colliding(connection, plan, progress=None):
        raise IntegrityError("INSERT", {}, Exception("duplicate key"))

    client, _ = login_as("provincial_clerk")
    job_id = _job_id(_upload(client, roster_file(tmp_path / "r.xlsx", [roster_row(1)])))
    monkeypatch.setattr(transfer, "apply_plan", always_colliding)
    post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": "all-or-nothing"},
              token_from=f"/transfer/jobs/{job_id}")
    job = db.session.get(ImportJob, job_id)
    assert job.status == "failed" and job.message == transfer.ImportConflict.reason
    assert _firm_count() == 0
    assert "其他操作同时写入了相同的记录" in page_text(client.get(f"/transfer/jobs/{job_id}"))
