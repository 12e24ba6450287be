"""The one place that writes the audit trail, and the check that it was never altered.

Each entry's hash covers its own fields and the previous entry's hash, so editing or deleting any row
behind the application's back breaks the chain at that row; `flask audit verify` finds the first break.

Two anchors outside the database catch what a chain alone cannot (deleting the last rows, or rewriting an
entry and recomputing every later hash):
- entries are keyed: their hash is an HMAC-SHA256 under a key the database does not hold
  (JIFANG_AUDIT_KEY, else a random key kept in instance/audit_key), so whoever rewrites rows without the
  key cannot make them verify. Entries written before keying (scheme "sha256") still verify as plain
  SHA-256; a plain entry after a keyed one is a downgrade and is reported;
- checkpoints: `flask audit checkpoint` (also run by `flask audit verify` and `flask filings remind`)
  appends {time, count, head id, head hash} signed with the key to a file outside the database
  (JIFANG_AUDIT_CHECKPOINTS, default instance/audit_checkpoints.jsonl) and prints it for the record;
  verify checks that every checkpointed head is still there with the same hash and that no entry up to
  it is missing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_login import current_user
from sqlalchemy import func, select, text

from app.extensions import db
from app.instance_files import random_value_file
from app.models.audit import AuditEntry
from app.models.base import utcnow

GENESIS = "0" * 64
# Any constant: serialises appends across workers on PostgreSQL (SQLite: see _hold_sqlite_write_lock).
_PG_LOCK_KEY = 7_211_305
PLAIN = "sha256"
KEYED = "hmac-sha256"
MIN_KEY_LENGTH = 32
BEIJING = dt.timezone(dt.timedelta(hours=8))


class AuditKeyProblem(RuntimeError):
    """The configured audit key is unusable (too short)."""


# --- the key ------------------------------------------------------------------------------------------
def _key() -> bytes:
    """JIFANG_AUDIT_KEY (setting or environment), else the instance folder's own random key.

    Never stored in the database: a copy of the database alone cannot forge entries or checkpoints."""
    app = current_app
    configured = app.config.get("JIFANG_AUDIT_KEY") or os.environ.get("JIFANG_AUDIT_KEY")
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise AuditKeyProblem(f"JIFANG_AUDIT_KEY 至少须有 {MIN_KEY_LENGTH} 个字符")
        return configured.encode("utf-8")
    path = Path(app.instance_path) / "audit_key"
    cached = app.extensions.get("jifang.audit_key")
    if cached and cached[0] == path:
        return cached[1]
    key = random_value_file(path).encode("utf-8")
    app.extensions["jifang.audit_key"] = (path, key)
    return key


def key_id(key: bytes | None = None) -> str:
    """A short fingerprint naming the key (it reveals nothing of it), so a wrong key is reported as such."""
    return hmac.new(key or _key(), b"jifang-audit-key-id", hashlib.sha256).hexdigest()[:12]


def _keyed_scheme() -> str:
    return f"{KEYED}:{key_id()}"


# --- writing ------------------------------------------------------------------------------------------
def _payload(prev_hash: str, entry: AuditEntry) -> bytes:
    payload = {
        "prev": prev_hash,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "actor": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "detail": entry.detail,
    }
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def _digest(prev_hash: str, entry: AuditEntry, key: bytes | None = None) -> str:
    """Plain SHA-256 for entries of the "sha256" scheme, HMAC-SHA256 under ``key`` for keyed ones."""
    blob = _payload(prev_hash, entry)
    if (entry.scheme or PLAIN) == PLAIN:
        return hashlib.sha256(blob).hexdigest()
    return hmac.new(key or _key(), blob, hashlib.sha256).hexdigest()


def _resolve_actor(actor):
    if actor is None:
        try:
            actor = current_user if current_user and current_user.is_authenticated else None
        except RuntimeError:  # outside a request (CLI)
            actor = None
    if actor is None:
        return None, "system"
    if isinstance(actor, str):
        return None, actor
    return actor.id, actor.audit_label()


def _hold_sqlite_write_lock(session) -> None:
    """Take SQLite's write lock before reading the head, so no other writer can append in between.

    pysqlite runs SELECTs outside a transaction until the first write: the head read there could be
    stale by the time this transaction gets the lock, and two entries would name the same predecessor
    (UNIQUE constraint failed: audit_entry.prev_hash). A no-op UPDATE begins the transaction and takes
    the RESERVED lock (waiting up to busy_timeout); from then on this connection is the only writer and
    its reads see the latest commit."""
    session.flush()
    session.execute(text("UPDATE audit_entry SET id = id WHERE 0"))


def record(action: str, obj=None, *, object_type: str = "", object_id=None, detail=None, actor=None):
    """Append one entry in the caller's transaction; the caller commits it with the change it records."""
    session = db.session
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    elif dialect == "sqlite":
        _hold_sqlite_write_lock(session)
    if obj is not None:
        object_type = object_type or obj.__tablename__
        object_id = obj.id if object_id is None else object_id
    actor_id, actor_label = _resolve_actor(actor)
    last = session.execute(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        detail=json.loads(json.dumps(detail or {}, ensure_ascii=False, default=str)),
        prev_hash=last or GENESIS,
        scheme=_keyed_scheme(),
    )
    entry.hash = _digest(entry.prev_hash, entry)
    session.add(entry)
    session.flush()
    return entry


# --- checkpoints --------------------------------------------------------------------------------------
def checkpoint_path() -> Path:
    configured = current_app.config.get("JIFANG_AUDIT_CHECKPOINTS") or os.environ.get("JIFANG_AUDIT_CHECKPOINTS")
    return Path(configured) if configured else Path(current_app.instance_path) / "audit_checkpoints.jsonl"


_SIGNED = ("time", "count", "head_id", "head_hash", "keyed_from", "key_id")
# A checkpoint written by `flask restore` (app/backup.py) also signs which archive took the trail back where.
_SIGNED_RESTORE = ("restored_from", "archive_sha256", "restored_to_checkpoint", "restored_head_id")


def _sign(fields: dict, key: bytes) -> str:
    names = _SIGNED + (_SIGNED_RESTORE if "restored_from" in fields else ())
    blob = json.dumps({k: fields.get(k) for k in names}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key, blob.encode("utf-8"), hashlib.sha256).hexdigest()


def _first_keyed_id() -> int | None:
    return db.session.scalar(select(func.min(AuditEntry.id)).where(AuditEntry.scheme != PLAIN))


def write_checkpoint(restore: dict | None = None) -> dict:
    """Append the chain's head and length, signed with the key, to the checkpoint file; returns the line's
    fields (the caller prints them, so the record can be kept on paper or elsewhere too). `restore`: the
    archive a restore came from (app/backup.py), signed with the rest."""
    key = _key()
    head = db.session.execute(select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)).first()
    fields = {
        "time": dt.datetime.now(BEIJING).isoformat(timespec="seconds"),
        "count": db.session.scalar(select(func.count(AuditEntry.id))) or 0,
        "head_id": head.id if head else None,
        "head_hash": head.hash if head else GENESIS,
        "keyed_from": _first_keyed_id(),
        "key_id": key_id(key),
        **(restore or {}),
    }
    fields["mac"] = _sign(fields, key)
    path = checkpoint_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(fields, sort_keys=True, ensure_ascii=False) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(line)  # one write of one line: concurrent appenders never interleave within a line
    return fields


def _read_checkpoints(path: Path) -> tuple[list[tuple[int, dict]], list[str]]:
    if not path.exists():
        return [], []
    found, problems = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            fields = json.loads(line)
            if not isinstance(fields, dict):
                raise ValueError
        except ValueError:
            problems.append(f"检查点文件第 {number} 行无法解析（文件被改动）")
            continue
        found.append((number, fields))
    return found, problems


def _restores(found: list[tuple[int, dict]], key: bytes) -> list[tuple[int, dict]]:
    """The signed restore checkpoints, by line."""
    return [(number, cp) for number, cp in found if "restored_from" in cp
            and hmac.compare_digest(str(cp.get("mac", "")), _sign(cp, key))]


def _taken_back(number: int, cp: dict, restores: list[tuple[int, dict]]) -> dict | None:
    """The later restore that took the trail back before this checkpoint's head, if any."""
    head_id = cp.get("head_id")
    for line, restore in restores:
        restored_head = restore.get("restored_head_id") or 0
        if line > number and head_id is not None and head_id > restored_head:
            return restore
    return None


def _check_checkpoints(key: bytes, notes: list[str] | None = None) -> tuple[int, list[str]]:
    """Each checkpoint must be signed with the key, its head still stored with the same hash, and no
    entry up to its head missing; and no plain (unkeyed) entry may follow the first keyed one.

    A checkpoint a later `flask restore` took back (its head is after the archive's) is not checked: a note
    says "restored to checkpoint N" instead of a truncation. Every other checkpoint is checked as ever."""
    path = checkpoint_path()
    found, problems = _read_checkpoints(path)
    current = key_id(key)
    restores = _restores(found, key)
    for line, restore in restores:
        if notes is not None:
            notes.append(f"审计记录于 {restore.get('time')} 从备份 {restore.get('restored_from')} 恢复到检查点 "
                         f"{restore.get('restored_to_checkpoint')}（第 {restore.get('restored_head_id')} 号记录），"
                         f"见 {path.name} 第 {line} 行 / restored to checkpoint "
                         f"{restore.get('restored_to_checkpoint')}")
    for number, cp in found:
        where = f"检查点（{path.name} 第 {number} 行，{cp.get('time', '?')}）"
        if _taken_back(number, cp, restores) is not None:
            continue
        if not hmac.compare_digest(str(cp.get("mac", "")), _sign(cp, key)):
            if cp.get("key_id") and cp.get("key_id") != current:
                problems.append(f"{where}由另一把审计密钥签写（密钥标识 {cp.get('key_id')}，当前密钥标识 {current}）："
                                "请检查 JIFANG_AUDIT_KEY 或 instance/audit_key")
            else:
                problems.append(f"{where}的签名不符：检查点被改动")
            continue
        head_id, count = cp.get("head_id"), int(cp.get("count") or 0)
        if head_id is None:
            continue
        stored = db.session.scalar(select(AuditEntry.hash).where(AuditEntry.id == head_id))
        if stored is None:
            problems.append(f"{where}记录的链头第 {head_id} 号记录已不存在：审计记录被截断或删除")
        elif stored != cp.get("head_hash"):
            problems.append(f"{where}记录的链头第 {head_id} 号记录的哈希已改变：审计记录被改写")
        present = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.id <= head_id)) or 0
        if present < count:
            problems.append(f"{where}时共有 {count} 条记录，现在只剩 {present} 条：审计记录被截断或删除")
        keyed_from = cp.get("keyed_from")
        if keyed_from is not None:
            plain = db.session.scalar(select(func.min(AuditEntry.id)).where(
                AuditEntry.id >= keyed_from, AuditEntry.scheme == PLAIN))
            if plain is not None:
                problems.append(f"{where}之后，第 {plain} 号记录被改为无密钥的哈希：审计记录被改写")
    return len(found), problems


# --- verifying ----------------------------------------------------------------------------------------
@dataclass
class VerifyReport:
    checked: int
    broken_at: int | None = None
    reason: str = ""
    checkpoints: int = 0
    checkpoint_problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # restores (app/backup.py): not problems

    @property
    def chain_ok(self) -> bool:
        return self.broken_at is None

    @property
    def ok(self) -> bool:
        return self.chain_ok and not self.checkpoint_problems


def _entry_problem(entry: AuditEntry, prev: str, seen_keyed: bool, key: bytes) -> str | None:
    if entry.prev_hash != prev:
        return "链接断开：上一条记录的哈希不符（记录被删除或篡改）"
    scheme = entry.scheme or PLAIN
    if scheme == PLAIN and seen_keyed:
        return "内容被改写：此前的记录已用审计密钥签写，此条却只有无密钥的哈希"
    if scheme != PLAIN and not scheme.startswith(KEYED):
        return f"未知的哈希方式 {scheme}"
    if not hmac.compare_digest(_digest(prev, entry, key), entry.hash):
        written_with = scheme.partition(":")[2]
        if scheme != PLAIN and written_with and written_with != key_id(key):
            return (f"审计密钥不符：该记录由密钥标识 {written_with} 签写，当前密钥标识 {key_id(key)}"
                    "（请检查 JIFANG_AUDIT_KEY 或 instance/audit_key）")
        return "内容被修改：记录的哈希与内容不符"
    return None


def verify(batch: int = 5000, *, checkpoints: bool = True) -> VerifyReport:
    """Walk the chain in id order and report the first entry whose link or content does not hold, then
    check every checkpoint (truncation, full rewrite)."""
    key = _key()
    prev = GENESIS
    checked = 0
    last_id = 0
    seen_keyed = False
    report = None
    while report is None:
        rows = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not rows:
            report = VerifyReport(checked)
            break
        for entry in rows:
            problem = _entry_problem(entry, prev, seen_keyed, key)
            if problem:
                report = VerifyReport(checked, entry.id, problem)
                break
            seen_keyed = seen_keyed or (entry.scheme or PLAIN) != PLAIN
            prev = entry.hash
            checked += 1
            last_id = entry.id
        db.session.expunge_all()
    if checkpoints:
        report.checkpoints, report.checkpoint_problems = _check_checkpoints(key, report.notes)
    return report
