"""`flask import filings|cases`, `flask export roster|warnings|complaints|cases`, `flask report annual`,
`flask jobs cleanup`.

Exit codes of the imports: 0 every row imported, 1 some row refused (the report names them), 2 the file
itself is unusable (one line of Chinese on stderr, never a traceback).
"""

from __future__ import annotations

import os

import click
from flask.cli import AppGroup

from imports.workbook import UnusableWorkbook

export_cli = AppGroup("export", help="导出名录、警示名单、投诉、处罚案件")
report_cli = AppGroup("report", help="统计报表")
MAX_ERRORS_SHOWN = 20


def register(app) -> None:
    from app.cli import import_cli
    from app.jobs import jobs_cli

    import_cli.add_command(import_filings)
    import_cli.add_command(import_cases)
    jobs_cli.add_command(cleanup_import_files)
    app.cli.add_command(export_cli)
    app.cli.add_command(report_cli)


@click.command("cleanup")
def cleanup_import_files():
    """Remove uploads and error reports older than the retention period (the job rows and counts stay)."""
    from app.transfer.import_jobs import RETENTION, cleanup_files

    removed = cleanup_files(actor="cli")
    click.echo(f"已删除超过 {RETENTION.days} 天的上传文件和错误报告 {removed.files} 个"
               f"（涉及导入记录 {len(removed.jobs)} 条）")


def _unusable(reason: str) -> None:
    click.echo(f"无法导入：{reason}", err=True)
    raise SystemExit(2)


def _check_file(file: str) -> None:
    if not os.path.isfile(file):
        _unusable(f"文件不存在：{file}")


def _report_outcome(outcome, report: str | None, write_report) -> None:
    click.echo(f"{outcome.filename}：共 {outcome.total} 行，无误 {outcome.valid} 行，拒绝 {outcome.refused} 行；"
               f"新增 {outcome.inserted}，更新 {outcome.updated}，未变 {outcome.unchanged}")
    if outcome.refused and outcome.mode == "all-or-nothing":
        click.echo("有行被拒绝，按“全部导入或全部不导入”方式未写入任何数据", err=True)
    for error in outcome.errors[:MAX_ERRORS_SHOWN]:
        click.echo(f"第 {error.row} 行 {error.column}：{error.reason}", err=True)
    if len(outcome.errors) > MAX_ERRORS_SHOWN:
        click.echo(f"……另有 {len(outcome.errors) - MAX_ERRORS_SHOWN} 处错误", err=True)
    if report and outcome.errors:
        write_report(report)
        click.echo(f"错误报告：{report}", err=True)
    if outcome.refused:
        raise SystemExit(1)


_MODE = click.option("--mode", type=click.Choice(("all-or-nothing", "valid-rows")), default="all-or-nothing",
                     show_default=True, help="all-or-nothing：有错则全部不导入；valid-rows：只导入无误的行")
_REPORT = click.option("--report", type=click.Path(dir_okay=False), help="有行被拒绝时，把错误报告写到此 .xlsx 文件")


def _run_import(file: str, mode: str, report: str | None, run, write_report) -> None:
    """The shared shape of `import filings` and `import cases`: exit 0 all in, 1 rows refused, 2 unusable."""
    _check_file(file)
    name = os.path.basename(file)
    from sqlalchemy.exc import IntegrityError

    from app.transfer.roster_import import ImportConflict

    try:
        outcome = run(file, name, mode=mode, actor="cli")
    except UnusableWorkbook as exc:
        _unusable(exc.reason)
    except (ImportConflict, IntegrityError):  # rows collided with another writer's: nothing was written
        click.echo(ImportConflict.reason, err=True)
        raise SystemExit(1) from None
    _report_outcome(outcome, report, lambda target: write_report(target, file, name, outcome.errors))


@click.command("filings")
@click.argument("file")
@_MODE
@_REPORT
def import_filings(file: str, mode: str, report: str | None):
    """Import filed firms from a legacy roster (.xlsx or .csv), upserting by credit code."""
    from app.transfer import roster_import as transfer

    _run_import(file, mode, report, transfer.run_filing_import, transfer.write_filing_report)


@click.command("cases")
@click.argument("file")
@_MODE
@_REPORT
def import_cases(file: str, mode: str, report: str | None):
    """Import historical penalty cases (.xlsx or .csv), upserting by case number."""
    from app.transfer import case_import as transfer_cases

    _run_import(file, mode, report, transfer_cases.run_case_import, transfer_cases.write_report)


@export_cli.command("roster")
@click.argument("file")
def export_roster(file: str):
    """The full roster with contacts, in the import template's columns (.xlsx or .csv by extension)."""
    _export("roster", file)


@export_cli.command("warnings")
@click.argument("file")
def export_warnings(file: str):
    """The warning list (.xlsx or .csv by extension)."""
    _export("warnings", file)


@export_cli.command("complaints")
@click.argument("file")
def export_complaints(file: str):
    """The complaints (.xlsx or .csv by extension)."""
    _export("complaints", file)


@export_cli.command("cases")
@click.argument("file")
def export_cases(file: str):
    """The penalty cases (.xlsx or .csv by extension)."""
    _export("cases", file)


def _export(kind: str, file: str) -> None:
    from app.transfer.exports import FORMATS, export

    fmt = file.lower().rsplit(".", 1)[-1]
    if fmt not in FORMATS:
        raise click.UsageError("导出文件的扩展名应为 .xlsx 或 .csv")
    count = export(kind, file, fmt, actor="cli")
    click.echo(f"已导出 {count} 行：{file}")


@report_cli.command("annual")
@click.option("--year", type=click.IntRange(1990, 2100), required=True, help="统计年度")
@click.argument("file")
def report_annual(year: int, file: str):
    """The annual statistics workbook (.xlsx) with native Excel charts."""
    from app.transfer.exports import write_annual_report

    if not file.lower().endswith(".xlsx"):
        raise click.UsageError("年度统计表的扩展名应为 .xlsx")
    figures = write_annual_report(file, year)
    click.echo(f"已生成 {year} 年度统计表：{file}（在册 {figures.totals['年末在册备案单位']} 家，"
               f"处罚案件 {figures.totals['本年处罚案件']} 件）")
