"""A statistician's year in a real browser: upload a legacy roster, read the preview and the error report,
import the good rows with the progress page polling the background job, find a firm on the public roster,
then look at the statistics dashboard."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.app.transfer_support import roster_file, roster_row
from tests.support import PASSWORD


@pytest.fixture
def app_config(tmp_path):
    # The real embedded job consumer (not huey's immediate mode), so the progress page polls a running job.
    return {"JIFANG_JOBS_IMMEDIATE": False, "JIFANG_JOBS_DB": str(tmp_path / "jobs.sqlite")}


def test_clerk_imports_a_roster_and_sees_it_on_the_roster_and_dashboard(page, factory, tmp_path):
    factory.user("provincial_clerk", "browser_statistician")
    rows = [roster_row(n) for n in range(1, 400)]
    rows.insert(5, roster_row(999, 所在市="北京市"))  # sheet row 8 (title row, header, then data)
    path = roster_file(tmp_path / "2023年备案名录.xlsx", rows, title="2023年技防从业单位备案名录")

    page.goto("/auth/login")
    page.get_by_label("用户名").fill("browser_statistician")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/transfer/")
    page.get_by_label("导入内容").select_option(label="备案单位名录")
    page.get_by_label("文件").set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()

    # The check runs in the background; the page polls until the preview is ready.
    page.get_by_role("heading", name="预览").wait_for()
    facts = page.locator("dl.facts").inner_text()
    assert "400" in facts and "399" in facts
    errors = page.locator("table.transfer-errors").inner_text()
    assert "8" in errors and "“北京市”不是本地区的市" in errors
    assert "沈阳第1安防科技有限公司" in page.locator("table.transfer-sample").inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="下载错误报告").first.click()
    assert download.value.suggested_filename.endswith(".xlsx")
    download.value.save_as(tmp_path / "errors.xlsx")
    report = load_workbook(tmp_path / "errors.xlsx")
    cells = [str(c.value) for row in report.active.iter_rows() for c in row if c.value is not None]
    assert any("不是本地区的市" in text for text in cells)

    page.get_by_label("只导入无误的行").check()
    page.get_by_role("button", name="开始导入").click()
    page.get_by_role("heading", name="导入完成").wait_for()
    done = page.locator("dl.facts").inner_text()
    assert "399" in done and "只导入无误的行" in done

    page.goto("/roster?name=沈阳第17安防")
    assert "沈阳第17安防科技有限公司" in page.locator("main").inner_text()

    page.goto("/dashboard/?year=2024")
    assert page.locator("main svg").count() >= 4
    assert "2024" in page.locator("main h1").inner_text()


def test_an_all_or_nothing_import_with_refused_rows_is_rerun_as_valid_rows_without_uploading_again(
    page, factory, tmp_path,
):
    """Issue 14 point 8: nothing written is said plainly, with the reason, and the same checked file is
    imported in valid-rows mode from the result page."""
    factory.user("provincial_clerk", "browser_rerun")
    rows = [roster_row(n) for n in range(1, 6)]
    rows.insert(2, roster_row(99, 所在市="北京市"))
    path = roster_file(tmp_path / "名录.xlsx", rows)

    page.goto("/auth/login")
    page.get_by_label("用户名").fill("browser_rerun")
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto("/transfer/")
    page.get_by_label("导入内容").select_option(label="备案单位名录")
    page.get_by_label("文件").set_input_files(path)
    page.get_by_role("button", name="上传并检查").click()
    page.get_by_role("heading", name="预览").wait_for()

    page.get_by_label("全部导入或全部不导入").check()
    page.get_by_role("button", name="开始导入").click()
    page.get_by_role("heading", name="未写入任何数据").wait_for()
    alert = page.locator("#nothing-written").inner_text()
    assert "有 1 行被拒绝" in alert and "没有新增或更新任何记录" in alert
    assert page.get_by_role("heading", name="导入完成").count() == 0

    page.get_by_role("button", name="只导入无误的行").click()
    page.get_by_role("heading", name="导入完成").wait_for()
    done = page.locator("dl.facts").inner_text()
    assert "只导入无误的行" in done and "5" in done
    page.goto("/roster?name=沈阳第3安防")
    assert "沈阳第3安防科技有限公司" in page.locator("main").inner_text()
