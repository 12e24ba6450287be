"""Load a regulation text into the database and look articles up for the pages that cite them."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import select

from app import audit
from app.extensions import db
from app.models.regulation import RegulationArticle, RegulationText
from imports.regulation_text import RegulationParseError, parse_regulation
from workflows.rules import jurisdiction_codes

MAX_TEXT_BYTES = 2 * 1024 * 1024  # the longest of the four texts is under 20 KB


class RegulationImportError(ValueError):
    pass


def import_regulation(path: Path, jurisdiction: str, actor="cli") -> RegulationText:
    """Replace the jurisdiction's stored text with the parsed file, in one transaction, audited."""
    if jurisdiction not in jurisdiction_codes():
        raise RegulationImportError(f"未知的辖区代码：{jurisdiction}")
    raw = Path(path).read_bytes()
    if len(raw) > MAX_TEXT_BYTES:
        raise RegulationImportError("文件过大，不像是一部法规文本")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RegulationImportError("文件不是UTF-8编码的文本") from exc
    try:
        parsed = parse_regulation(text)
    except RegulationParseError as exc:
        raise RegulationImportError(f"无法识别法规条文：{exc}") from exc
    chapters = {c.number: c.title for c in parsed.chapters}
    existing = db.session.scalar(select(RegulationText).where(RegulationText.jurisdiction == jurisdiction))
    if existing is not None:
        db.session.delete(existing)
        db.session.flush()
    regulation = RegulationText(
        jurisdiction=jurisdiction,
        title=parsed.title or "",
        source_name=Path(path).name,
        sha256=hashlib.sha256(raw).hexdigest(),
    )
    regulation.articles = [
        RegulationArticle(
            number=a.number, title=a.title, chapter_number=a.chapter,
            chapter_title=chapters.get(a.chapter), text=a.text,
        )
        for a in sorted(parsed.articles.values(), key=lambda a: a.number)
    ]
    db.session.add(regulation)
    db.session.flush()
    audit.record(
        "import_regulation", regulation, actor=actor,
        detail={"jurisdiction": jurisdiction, "file": Path(path).name, "articles": len(regulation.articles),
                "sha256": regulation.sha256},
    )
    db.session.commit()
    return regulation


def article_text(jurisdiction: str, number: int) -> RegulationArticle | None:
    return db.session.scalar(
        select(RegulationArticle)
        .join(RegulationText)
        .where(RegulationText.jurisdiction == jurisdiction, RegulationArticle.number == number)
    )
