"""Regulation texts loaded by `flask import regulation`, so pages can show the article they cite.

The project ships the structured facts (rule packs), not the texts; a bureau loads its text once.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.base import utcnow


class RegulationText(db.Model):
    __tablename__ = "regulation_text"

    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32), unique=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    source_name: Mapped[str] = mapped_column(String(200), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    articles = relationship(
        "RegulationArticle", cascade="all, delete-orphan", order_by="RegulationArticle.number",
        back_populates="regulation",
    )


class RegulationArticle(db.Model):
    __tablename__ = "regulation_article"

    id: Mapped[int] = mapped_column(primary_key=True)
    regulation_id: Mapped[int] = mapped_column(ForeignKey("regulation_text.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(200))
    chapter_number: Mapped[int | None]
    chapter_title: Mapped[str | None] = mapped_column(String(200))
    # paragraphs (款) one a line, items kept inside their paragraph
    text: Mapped[str] = mapped_column(Text)

    regulation = relationship("RegulationText", back_populates="articles")

    __table_args__ = (UniqueConstraint("regulation_id", "number", name="uq_regulation_article_number"),)

    @property
    def paragraphs(self) -> list[str]:
        return self.text.split("\n")
