"""`flask accounts ...`: housekeeping of firm accounts."""

import click
from flask.cli import AppGroup

accounts_cli = AppGroup("accounts", help="单位账号")


@accounts_cli.command("expire")
def expire_command():
    """Deactivate pending sign-ups older than 30 days that never submitted a filing (run daily)."""
    from app.accounts.claims import PENDING_LIFETIME, expire_pending

    count = expire_pending()
    click.echo(f"已停用 {count} 个超过 {PENDING_LIFETIME.days} 天未提交备案的待核实账号")
