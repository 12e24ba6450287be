"""`flask filings remind`: the daily job that sends review reminders and escalations, each once."""

from __future__ import annotations

import datetime as dt

import click
from flask.cli import AppGroup

from app.filings import service as filings
from workflows.time_limits import china_today

filings_cli = AppGroup("filings", help="备案")
KIND_LABELS = {"remind": "临近办理时限", "overdue": "已超过办理时限", "escalate": "超期，升级至上级机关"}


@filings_cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="按此日期计算（默认北京时间今天）")
@click.option("--dry-run", is_flag=True, help="只列出，不记录")
def remind(today: dt.datetime | None, dry_run: bool):
    """List the reminders and escalations due (working days), record each in the audit trail once."""
    pack = filings.current_pack()
    if not pack.filing.enabled:
        click.echo(pack.filing.notice)
        return
    day = today.date() if today else china_today()
    actions = filings.due_actions(day, pack)
    for action in actions:
        request = action.record.request
        authority = pack.authority(request.authority_code)
        click.echo(
            f"{KIND_LABELS[action.kind]}：{request.name}（{request.kind_label} #{request.id}），"
            f"{authority.name if authority else request.authority_code}，期限 {action.deadline.isoformat()}，"
            f"通知 {'、'.join(action.roles)}"
        )
    if not actions:
        click.echo(f"{day.isoformat()}：没有到期的提醒。")
    elif not dry_run:
        click.echo(f"已记录 {filings.record_due_actions(actions)} 条提醒。")
    if not dry_run:  # a daily job: a daily anchor of the audit chain outside the database (app/audit.py)
        from app import audit

        fields = audit.write_checkpoint()
        click.echo(f"审计检查点：共 {fields['count']} 条，链头第 {fields['head_id']} 号（{audit.checkpoint_path()}）")
