"""Import jobs: one row per uploaded file, from preview to the finished import, polled by the page."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db
from app.models.base import utcnow

JOB_KINDS = {"filings": "备案单位名录", "cases": "历史处罚案件"}
JOB_MODES = {"all-or-nothing": "全部导入或全部不导入", "valid-rows": "只导入无误的行"}
JOB_STAGES = {"preview": "检查", "import": "导入"}
JOB_STATUSES = {"queued": "排队中", "running": "进行中", "done": "已完成", "failed": "失败"}


class ImportJob(db.Model):
    """stage preview -> (confirmed) import; status queued -> running -> done | failed within each stage."""

    __tablename__ = "import_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    filename: Mapped[str] = mapped_column(String(255))
    stored_path: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    mode: Mapped[str] = mapped_column(String(16), default="all-or-nothing")
    stage: Mapped[str] = mapped_column(String(16), default="preview")
    status: Mapped[str] = mapped_column(String(16), default="queued")
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    written: Mapped[int] = mapped_column(default=0)
    refused: Mapped[int] = mapped_column(default=0)
    preview: Mapped[dict] = mapped_column(JSON, default=dict)
    error_report_path: Mapped[str | None] = mapped_column(String(500))
    message: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]
    """When the stage ended; while it is queued or running, the job's heartbeat (last known alive), so that
    app/transfer/import_jobs.py can tell a job whose process died without a column of its own."""

    @property
    def heartbeat(self) -> dt.datetime:
        return self.finished_at or self.created_at

    @property
    def files_expired(self) -> bool:
        """The upload and the error report were removed after the retention period (counts are kept)."""
        return bool((self.preview or {}).get("expired"))

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")
