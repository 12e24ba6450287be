"""The audit trail is append-only, its hash chain catches a row edited behind the app's back, and its anchors
outside the database (a keyed hash, signed checkpoints) catch truncation and a full rewrite."""

import datetime as dt
import hashlib
import json
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select, text

from app import audit
from app.models import AuditEntry
from app.models.audit import AuditTrailIsAppendOnly
from tests.support import page_text


def _three_entries(db):
    for i in range(3):
        audit.record("test_action", object_type="thing", object_id=i, detail={"n": i, "note": "测试"})
    db.session.commit()


def test_chain_verifies_when_untouched(db, runner):
    _three_entries(db)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "已校验 3 条记录" in result.output


def test_tampered_detail_is_caught_at_that_row(db, runner):
    _three_entries(db)
    second = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()[1]
    with db.engine.begin() as conn:  # behind the application's back
        conn.execute(text("UPDATE audit_entry SET actor_label = 'someone else' WHERE id = :id"), {"id": second.id})
    db.session.expire_all()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"第 {second.id} 号记录" in result.output
    assert "内容被修改" in result.output


def test_deleted_row_is_caught_at_the_next_one(db, runner):
    _three_entries(db)
    ids = db.session.scalars(select(AuditEntry.id).order_by(AuditEntry.id)).all()
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id = :id"), {"id": ids[1]})
    db.session.expire_all()
    report = audit.verify()
    assert not report.ok and report.broken_at == ids[2] and "链接断开" in report.reason


def test_the_application_refuses_to_edit_or_delete_entries(db):
    _three_entries(db)
    entry = db.session.scalars(select(AuditEntry)).first()
    entry.action = "changed"
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalars(select(AuditEntry)).first())
    with pytest.raises(AuditTrailIsAppendOnly):
        db.session.commit()
    db.session.rollback()


def test_no_route_writes_to_the_audit_table_directly(app):
    """Only GET routes exist under /admin/audit; nothing offers to change an entry."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/admin/audit"):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}


def test_login_and_registration_are_audited(client, db, factory):
    from tests.support import login

    user = factory.user("admin")
    login(client, user)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "login" in actions
    assert audit.verify().ok


def test_admin_sees_the_audit_log_and_its_verification(login_as, db):
    client, _ = login_as("admin")
    assert "login" in page_text(client.get("/admin/audit"))
    assert "审计链完整" in page_text(client.get("/admin/audit/verify"))


# --- anchors outside the database: the keyed hash and the checkpoints (issue 9, defect 9) -------------
BEIJING = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def pinned():
    with time_machine.travel(dt.datetime(2026, 11, 30, 10, tzinfo=BEIJING), tick=False):
        yield


def _entries(db, n=5):
    for i in range(n):
        audit.record("test_action", object_type="thing", object_id=i, detail={"n": i})
    db.session.commit()
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()


def _rewrite_from(db, first_id: int, *, detail=None):
    """What an intruder with the database but without the key can do: change an entry and recompute its
    hash and every later one with plain SHA-256 (the published algorithm), so the chain links again."""
    rows = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    prev = audit.GENESIS
    with db.engine.begin() as conn:
        for entry in rows:
            if entry.id >= first_id:
                if entry.id == first_id and detail is not None:
                    entry.detail = detail
                entry.prev_hash = prev
                new_hash = hashlib.sha256(audit._payload(prev, entry)).hexdigest()
                conn.execute(text("UPDATE audit_entry SET detail = :d, prev_hash = :p, hash = :h, scheme = 'sha256' "
                                  "WHERE id = :id"),
                             {"d": json.dumps(entry.detail, ensure_ascii=False), "p": "tmp" + str(entry.id),
                              "h": "tmp-h" + str(entry.id), "id": entry.id})
                conn.execute(text("UPDATE audit_entry SET prev_hash = :p, hash = :h WHERE id = :id"),
                             {"p": prev, "h": new_hash, "id": entry.id})
                prev = new_hash
            else:
                prev = entry.hash
    db.session.expunge_all()


def test_new_entries_are_keyed_with_a_key_the_database_does_not_hold(app, db):
    rows = _entries(db, 2)
    assert all(e.scheme.startswith("hmac-sha256:") for e in rows)
    key_file = audit.Path(app.instance_path) / "audit_key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    # The plain SHA-256 of the same content is not the stored hash: recomputing needs the key.
    assert hashlib.sha256(audit._payload(rows[1].prev_hash, rows[1])).hexdigest() != rows[1].hash


def test_a_clean_chain_with_checkpoints_verifies(db, runner, pinned):
    _entries(db, 3)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    line = json.loads(result.output.splitlines()[-1])
    assert line["count"] == 3 and line["time"] == "2026-11-30T10:00:00+08:00"
    _entries(db, 2)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "已校验 5 条记录" in result.output and "检查点完好：1 个" in result.output
    # A clean verify leaves a fresh checkpoint behind.
    assert len(audit.checkpoint_path().read_text().splitlines()) == 2
    report = audit.verify()
    assert report.ok and report.checkpoints == 2


def test_deleting_the_last_entries_is_caught_by_the_checkpoint(db, runner, pinned):
    rows = _entries(db, 5)
    audit.write_checkpoint()
    assert audit.verify().ok
    with db.engine.begin() as conn:  # truncate: the chain that is left still links perfectly
        conn.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": rows[3].id})
    db.session.expire_all()
    report = audit.verify()
    assert report.chain_ok  # what the old check saw: nothing wrong
    assert not report.ok
    assert any(f"第 {rows[4].id} 号记录已不存在" in p for p in report.checkpoint_problems)
    assert any("共有 5 条记录，现在只剩 3 条" in p for p in report.checkpoint_problems)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "截断" in result.output


def test_rewriting_an_entry_and_recomputing_every_later_hash_is_caught(db, runner, pinned):
    rows = _entries(db, 5)
    audit.write_checkpoint()
    _rewrite_from(db, rows[2].id, detail={"n": 99, "note": "改写"})
    report = audit.verify()
    assert report.broken_at == rows[2].id and "无密钥的哈希" in report.reason
    assert any("哈希已改变" in p for p in report.checkpoint_problems)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1


def test_a_full_rewrite_from_the_first_entry_is_caught_by_the_checkpoint(db, pinned):
    rows = _entries(db, 4)
    audit.write_checkpoint()
    _rewrite_from(db, rows[0].id, detail={"n": -1})
    report = audit.verify()
    assert report.chain_ok  # a consistent plain chain from genesis
    assert not report.ok
    assert any("哈希已改变" in p for p in report.checkpoint_problems)
    assert any(f"第 {rows[0].id} 号记录被改为无密钥的哈希" in p for p in report.checkpoint_problems)


def test_a_forged_checkpoint_line_is_refused(db, pinned):
    _entries(db, 3)
    fields = audit.write_checkpoint()
    fields["count"] = 1
    path = audit.checkpoint_path()
    path.write_text(json.dumps(fields) + "\n")
    report = audit.verify()
    assert not report.ok and "签名不符" in report.checkpoint_problems[0]


def test_a_wrong_key_is_reported_as_such(app, db, runner, pinned):
    _entries(db, 3)
    audit.write_checkpoint()
    app.config["JIFANG_AUDIT_KEY"] = "another-key-of-at-least-32-characters!"
    report = audit.verify()
    assert not report.ok and "审计密钥不符" in report.reason
    assert "另一把审计密钥" in report.checkpoint_problems[0]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "JIFANG_AUDIT_KEY" in result.output


def test_a_short_configured_key_is_refused(app, db):
    app.config["JIFANG_AUDIT_KEY"] = "short"
    with pytest.raises(audit.AuditKeyProblem):
        audit.record("test_action")


def test_entries_written_before_keying_still_verify(db):
    """Rows of the plain scheme (written before this release) keep verifying; keyed ones follow."""
    entry = AuditEntry(at=dt.datetime(2026, 1, 1), actor_label="system", action="old", object_type="",
                       object_id="", detail={}, prev_hash=audit.GENESIS, scheme="sha256")
    entry.hash = hashlib.sha256(audit._payload(audit.GENESIS, entry)).hexdigest()
    db.session.add(entry)
    db.session.commit()
    _entries(db, 2)
    assert audit.verify().ok


def test_the_admin_page_shows_the_chain_and_the_checkpoints(pinned, login_as, db):
    client, _ = login_as("admin")
    rows = _entries(db, 3)
    audit.write_checkpoint()
    page = page_text(client.get("/admin/audit/verify"))
    assert "审计链完整" in page and "检查点完好" in page
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_entry WHERE id >= :id"), {"id": rows[1].id})
    page = page_text(client.get("/admin/audit/verify"))
    assert "检查点不符" in page and "截断" in page


def test_the_daily_reminder_job_writes_a_checkpoint(db, runner, pinned):
    _entries(db, 2)
    result = runner.invoke(args=["filings", "remind"])
    assert result.exit_code == 0, result.output
    assert audit.verify().checkpoints == 1
