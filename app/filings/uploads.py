"""Uploaded filing materials: recognised by their first bytes, size-limited, stored under random names.

A file's name and the browser's content type are the sender's claims; only the magic bytes decide what is
stored, so an HTML page named licence.pdf is refused. Files live under UPLOAD_FOLDER (outside static/),
named by a random token and the detected type's extension, and are only ever sent back as attachments with
the detected type, nosniff, and a name whose extension is the detected one: a PDF/HTML polyglot sent as
poly.html is stored and served as poly.pdf, so no browser or desktop opens it as a web page.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.models import FilingDocument

# (magic bytes, content type, extension): the only kinds a material may be.
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
EXTENSIONS = {content_type: ext for _magic, content_type, ext in SIGNATURES}
_CHUNK = 64 * 1024


class UploadRefused(ValueError):
    """The file cannot be accepted; the message is the Chinese reason (the view prefixes the field)."""


@dataclass(frozen=True)
class StoredFile:
    stored_name: str
    content_type: str
    size: int
    sha256: str


def sniff(head: bytes) -> tuple[str, str] | None:
    """(content type, extension) from the first bytes, or None for anything but PDF, PNG or JPEG."""
    for magic, content_type, ext in SIGNATURES:
        if head.startswith(magic):
            return content_type, ext
    return None


def upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "filings"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def clean_filename(name: str | None) -> str:
    """The name the firm gave, without any path, for the download's name only (never a disk path)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    base = "".join(ch for ch in base if ch.isprintable())
    return base[-200:] or "未命名文件"


def display_name(name: str | None, content_type: str) -> str:
    """The sender's file name for display and download, its extension replaced by the detected type's.

    `poly.html` holding a PDF becomes `poly.pdf`; `报告` becomes `报告.pdf`; a name that is only an extension
    (`.html`) becomes `未命名文件.pdf`. An unknown type (never stored) keeps no extension at all."""
    base = clean_filename(name)
    stem, dot, _ext = base.rpartition(".")
    stem = (stem if dot else base).rstrip(". ") or "未命名文件"
    ext = EXTENSIONS.get(content_type, "")
    return stem[: 200 - len(ext)] + ext


def served_type(path: Path) -> str:
    """The type to send a stored file as, sniffed again from its first bytes (never the sender's claim)."""
    with open(path, "rb") as fh:
        kind = sniff(fh.read(16))
    return kind[0] if kind else "application/octet-stream"


def store(stream: BinaryIO, max_bytes: int | None = None) -> StoredFile:
    """Check and write one upload; raise UploadRefused with the reason and leave nothing behind."""
    limit = max_bytes or current_app.config["UPLOAD_MAX_BYTES"]
    head = stream.read(16)
    if not head:
        raise UploadRefused("文件为空")
    kind = sniff(head)
    if kind is None:
        raise UploadRefused("只接受PDF、JPEG或PNG文件（按文件内容识别，与文件名无关）")
    content_type, ext = kind
    stored_name = secrets.token_hex(16) + ext
    path = upload_dir() / stored_name
    digest, size = hashlib.sha256(head), len(head)
    tmp = path.with_suffix(".part")
    try:
        with open(tmp, "xb") as out:
            out.write(head)
            while chunk := stream.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise UploadRefused(f"文件超过{_megabytes(limit)}的上限")
                digest.update(chunk)
                out.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return StoredFile(stored_name, content_type, size, digest.hexdigest())


def _megabytes(n: int) -> str:
    return f"{n / (1024 * 1024):g} MB"


def path_of(document: FilingDocument) -> Path:
    return upload_dir() / Path(document.stored_name).name


def discard(stored_name: str) -> None:
    """Delete the file once no document row refers to it (a change request shares its predecessor's files).

    Call only after the commit that deleted the row (app.filings.service._commit_then_discard): a rollback
    must never leave a surviving row without its file.
    """
    still_used = db.session.scalar(
        select(func.count(FilingDocument.id)).where(FilingDocument.stored_name == stored_name)
    )
    if not still_used:
        (upload_dir() / Path(stored_name).name).unlink(missing_ok=True)
