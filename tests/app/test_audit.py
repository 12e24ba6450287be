"""The audit trail is append-only and its hash chain catches a row edited behind the app's back."""

import pytest
from sqlalchemy import select, text

from app import audit
from app.models import AuditEntry
from app.models.audit import AuditTrailIsAppendOnly


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
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "login" in page
    assert "审计链完整" in client.get("/admin/audit/verify").get_data(as_text=True)
