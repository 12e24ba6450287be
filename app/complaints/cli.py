"""`flask warnings expire`: take off the list every listing whose period ended; `flask complaints remind`: record
the reminders and escalations of complaint time limits. Both safe to run from cron daily, any number of times."""

from __future__ import annotations

import click
from flask.cli import AppGroup

warnings_cli = AppGroup("warnings", help="警示名单：期满移出")


@warnings_cli.command("expire")
def expire():
    """Apply due expiries; running it twice, or from two machines, changes nothing the second time."""
    from app.complaints import warnings

    done = warnings.expire_due()
    click.echo(f"期满移出警示名单：{len(done)} 条")


complaints_cli = AppGroup("complaints", help="投诉：办理时限提醒")


@complaints_cli.command("remind")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), help="按此日期计算（默认北京时间今天）")
@click.option("--dry-run", is_flag=True, help="只列出，不记录")
def remind(today, dry_run: bool):
    """Record each reminder/escalation of a complaint's or removal application's time limit once (cron-safe)."""
    from app.complaints import reminders as complaint_reminders
    from workflows.time_limits import china_today

    day = today.date() if today else china_today()
    actions = complaint_reminders.due_actions(day)
    for action in actions:
        record = action.record
        name = getattr(record, "reference", None) or f"警示公告 #{record.id}"
        click.echo(f"{complaint_reminders.KIND_LABELS[action.kind]}：{name}，{record.authority_code}，"
                   f"期限 {action.deadline.isoformat()}，通知 {'、'.join(action.roles)}")
    if not actions:
        click.echo(f"{day.isoformat()}：没有到期的提醒。")
    elif not dry_run:
        click.echo(f"已记录 {complaint_reminders.record_due_actions(actions)} 条提醒。")
