"""Command-line tools: schema, accounts, audit check, demo data. Other areas add their own groups."""

from __future__ import annotations

import atexit
import gc
import weakref

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models import User
from app.models.user import Role
from app.passwords import hash_password, password_problem
from workflows.rules import jurisdiction_codes

audit_cli = AppGroup("audit", help="审计记录")
# `flask import ...`: regulation texts here; filings and cases are added by the transfer area.
import_cli = AppGroup("import", help="导入法规文本、备案单位、处罚案件")
roster_cli = AppGroup("roster", help="公开名录")


def register(app):
    _skip_collection_at_exit(app)
    app.cli.add_command(init_db)
    app.cli.add_command(create_user)
    app.cli.add_command(audit_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(load_demo)
    app.cli.add_command(roster_cli)
    from app import backup

    backup.register(app)


_apps_to_close: weakref.WeakSet = weakref.WeakSet()
_exit_function_added = False


def _skip_collection_at_exit(app) -> None:
    """Every command ends with the interpreter's shutdown, which runs the cycle collector over every object
    still alive: 0.3 s for this application's modules alone, 0.5 s after a 100,000-row import (benchmarks/
    bench_import_export.py, (i)). Nothing needs that collection once the database connections are closed:
    work is committed, files are closed and the operating system takes the memory back. So the last exit
    function closes every engine's connections (SQLite checkpoints its WAL into the database file and
    removes it when its last connection closes) and then moves every object out of the collector's reach
    (gc.freeze). The other exit functions (logging's flush among them) run before it."""
    global _exit_function_added
    if not _exit_function_added:
        _exit_function_added = True
        atexit.register(_close_and_freeze)  # registered with the first app: called after later ones
    _apps_to_close.add(app)


def _close_and_freeze() -> None:
    for app in list(_apps_to_close):
        with app.app_context():
            for engine in db.engines.values():
                engine.dispose()
    gc.freeze()


@click.command("init-db")
@with_appcontext
def init_db():
    """Create the schema or upgrade it to the newest migration (never drops data)."""
    from flask_migrate import upgrade

    upgrade()
    click.echo(f"数据库已就绪：{_safe_url()}")


def _safe_url() -> str:
    return db.engine.url.render_as_string(hide_password=True)


@click.command("create-user")
@with_appcontext
@click.option("--username", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role if r != Role.FIRM]))
@click.option("--authority", "authority_code", help="所属公安机关的行政区划代码（工作人员必填）")
@click.option("--name", "display_name", default="")
@click.password_option("--password", help="至少10个字符，须同时包含字母和数字")
def create_user(username, role, authority_code, display_name, password):
    """Create a clerk or admin account (firms register themselves on the web)."""
    pack = current_app.extensions["jifang.pack"]
    if role != "admin":  # clerks, legal reviewers and bureau heads belong to one bureau of the jurisdiction
        authority = pack.authority(authority_code)
        if authority is None:
            raise click.UsageError(f"--authority 须为本辖区的公安机关代码：{', '.join(a.code for a in pack.authorities)}")
        if role == "provincial_clerk" and authority.level != "provincial":
            raise click.UsageError("省级工作人员须属于省级公安机关")
        if role == "city_clerk" and authority.level == "provincial":
            raise click.UsageError("市级工作人员须属于市、县级公安机关")
    problem = password_problem(password, user_inputs=(username, display_name))
    if problem:
        raise click.UsageError(problem)
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.UsageError(f"用户名 {username} 已存在")
    user = User(
        username=username,
        password_hash=hash_password(password),
        role=role,
        display_name=display_name or username,
        authority_code=authority_code if role != "admin" else None,
        # With a second factor required (JIFANG_REQUIRE_TOTP), an account without one may log in only with a
        # password it must change at once, and then enrols: the operator's password is such a password.
        must_change_password=bool(current_app.config.get("REQUIRE_TOTP")),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("create_user", user, actor="cli", detail={"role": role, "authority": authority_code})
    db.session.commit()
    click.echo(f"已创建用户 {username}（{role}）")


@audit_cli.command("verify")
@click.option("--no-checkpoint", is_flag=True, help="校验通过后不追加检查点")
def audit_verify(no_checkpoint):
    """Check the hash chain and every checkpoint; exit 1 naming what does not hold. A clean check
    appends a new checkpoint (so the next truncation or rewrite has a recent anchor)."""
    report = audit.verify()
    if report.chain_ok:
        click.echo(f"审计链完整：已校验 {report.checked} 条记录")
    else:
        click.echo(f"审计链在第 {report.broken_at} 号记录处断开：{report.reason}（此前 {report.checked} 条完好）", err=True)
    for note in report.notes:
        click.echo(note)
    for problem in report.checkpoint_problems:
        click.echo(problem, err=True)
    if report.checkpoints and not report.checkpoint_problems:
        click.echo(f"检查点完好：{report.checkpoints} 个（{audit.checkpoint_path()}）")
    elif not report.checkpoints:
        click.echo("尚无检查点：运行 flask --app app audit checkpoint 以便发现截断或整体改写")
    if not report.ok:
        raise SystemExit(1)
    if not no_checkpoint:
        _echo_checkpoint(audit.write_checkpoint())


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Append the chain's head and length, signed with the audit key, to the checkpoint file, and print
    it: keep the printed line elsewhere too (a log, paper), as an anchor outside this machine."""
    _echo_checkpoint(audit.write_checkpoint())


def _echo_checkpoint(fields: dict) -> None:
    import json

    click.echo(f"已写入检查点（{audit.checkpoint_path()}）：")
    click.echo(json.dumps(fields, sort_keys=True, ensure_ascii=False))


@click.command("load-demo")
@with_appcontext
def load_demo():
    """Load the small demo data set and print the demo accounts."""
    from app.demo import load

    for line in load():
        click.echo(line)


def _known_jurisdiction(value: str) -> str:
    if value not in jurisdiction_codes():
        raise click.BadParameter(f"{value!r} is not one of {', '.join(jurisdiction_codes())}")
    return value


@import_cli.command("regulation")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--jurisdiction", "code", required=True, callback=lambda _ctx, _param, value: _known_jurisdiction(value),
              help="a jurisdiction pack's code (a folder found by workflows.rules)")
def import_regulation_command(file, code):
    """Parse a regulation text (any of the shipped layouts) and store its articles."""
    from pathlib import Path

    from app.penalties.regulations import RegulationImportError, import_regulation

    try:
        regulation = import_regulation(Path(file), code)
    except RegulationImportError as exc:
        click.echo(f"导入失败：{exc}", err=True)
        raise SystemExit(2) from None
    click.echo(f"已导入《{regulation.title}》{len(regulation.articles)} 条（{code}）")


@roster_cli.command("reindex")
def roster_reindex():
    """Rebuild the firm-name search index (after writing firms behind the application's back)."""
    from app.services.name_index import rebuild_all

    # In the session's transaction, with its audit entry: the entry is also the roster cache's new data version
    # (app/roster/cache.py), so no page cached from the old index is served after the rebuild.
    count = rebuild_all(db.session.connection())
    audit.record("roster.reindex", object_type="firm", actor="cli", detail={"firms": count})
    db.session.commit()
    click.echo(f"已重建 {count} 家单位的名称索引")
