"""`flask warnings expire`: take off the list every listing whose period ended (safe to run from cron daily)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

warnings_cli = AppGroup("warnings", help="警示名单：期满移出")


@warnings_cli.command("expire")
def expire():
    """Apply due expiries; running it twice, or from two machines, changes nothing the second time."""
    from app.services import warnings

    done = warnings.expire_due()
    click.echo(f"期满移出警示名单：{len(done)} 条")
