"""The import's choice of mode (issue 14 point 8): an all-or-nothing import with refused rows says that
nothing was written and why, and the same checked file runs again in valid-rows mode without a new upload;
headers are recognised by one table of synonyms (所属城市 among them)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import xlsxwriter
from sqlalchemy import func, select

from app.extensions import db
from app.models import Firm, ImportJob
from imports.headers import FILING_SYNONYMS, HeaderMatcher
from reports.columns import FILING_COLUMNS
from reports.export import ROSTER_HEADERS
from tests.app.transfer_support import code, roster_file, roster_row
from tests.support import everything_in, page_text, post_form


def _upload(client, path):
    with open(path, "rb") as fh:
        data = {"kind": "filings", "file": (io.BytesIO(fh.read()), Path(path).name)}
    response = post_form(client, "/transfer/upload", data, token_from="/transfer/", content_type="multipart/form-data")
    assert response.status_code == 302
    return int(re.search(r"/jobs/(\d+)", response.headers["Location"]).group(1))


def _confirm(client, job_id, mode):
    return post_form(client, f"/transfer/jobs/{job_id}/confirm", {"mode": mode}, token_from=f"/transfer/jobs/{job_id}")


def test_all_or_nothing_with_refused_rows_says_nothing_was_written_and_reruns_as_valid_rows(login_as, tmp_path):
    client, _ = login_as("provincial_clerk")
    path = roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 所在市="北京"), roster_row(3)])
    job_id = _upload(client, path)
    assert _confirm(client, job_id, "all-or-nothing").status_code == 302
    page = client.get(f"/transfer/jobs/{job_id}")
    assert "导入完成" not in everything_in(page)  # it did not complete anything
    page = page_text(page)
    assert "未写入任何数据" in page and "有 1 行被拒绝" in page and "没有新增或更新任何记录" in page
    assert "无需重新上传" in page and "写入无误的 2 行" in page
    assert db.session.scalar(select(func.count()).select_from(Firm)) == 0

    # The same job: the checked file is still there; all-or-nothing again is refused, valid rows runs.
    assert _confirm(client, job_id, "all-or-nothing").status_code == 302
    assert db.session.get(ImportJob, job_id).mode == "all-or-nothing"
    assert _confirm(client, job_id, "valid-rows").status_code == 302
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert (job.mode, job.written, job.refused) == ("valid-rows", 2, 1)
    assert {f.credit_code for f in db.session.scalars(select(Firm))} == {code(1), code(3)}
    assert not Path(job.stored_path).exists()  # written now: the upload is gone
    page = client.get(f"/transfer/jobs/{job_id}")
    assert "导入完成" in page_text(page) and "无需重新上传" not in everything_in(page)
    # and only once
    assert _confirm(client, job_id, "valid-rows").status_code == 302
    assert db.session.get(ImportJob, job_id).written == 2


def test_another_users_job_cannot_be_rerun(login_as, tmp_path):
    client, _ = login_as("provincial_clerk")
    job_id = _upload(client, roster_file(tmp_path / "r.xlsx", [roster_row(1), roster_row(2, 所在市="北京")]))
    _confirm(client, job_id, "all-or-nothing")
    other, _ = login_as("provincial_clerk")
    response = post_form(other, f"/transfer/jobs/{job_id}/confirm", {"mode": "valid-rows"}, token_from="/transfer/")
    assert response.status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Firm)) == 0


@pytest.mark.parametrize("header", ["所属城市", "所在城市", "城市", "所属地市"])
def test_a_sheet_with_a_common_synonym_of_the_city_header_imports(login_as, tmp_path, header):
    client, _ = login_as("provincial_clerk")
    path = tmp_path / "synonym.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [header if h == "所在市" else h for h in ROSTER_HEADERS])
    for r, row in enumerate([roster_row(1, number=False)], start=1):
        sheet.write_row(r, 0, [str(v) if v not in (None, "") else "" for v in row])
    book.close()
    job_id = _upload(client, path)
    _confirm(client, job_id, "all-or-nothing")
    assert db.session.scalar(select(Firm.city_code)) == "210100"


def test_the_synonyms_are_one_table_and_no_synonym_names_two_columns():
    matcher = HeaderMatcher()
    assert "所属城市" in FILING_SYNONYMS["city"]
    seen: dict[str, str] = {}
    for key, words in FILING_SYNONYMS.items():
        assert key in {c.key for c in FILING_COLUMNS}
        for word in words:
            assert seen.setdefault(word, key) == key, f"{word} names {seen[word]} and {key}"
            assert matcher.match(word)[0] == key
