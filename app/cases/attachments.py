"""Files given with complaints and warning removals: checked by content as filing materials are.

The checks are app/filings/uploads.py's (magic bytes decide, PDF/PNG/JPEG only, size-limited, random
stored names, served as attachments with the detected type); only the folder differs, so a complaint's
files never share a directory listing with a firm's filing materials.
"""

from __future__ import annotations

from pathlib import Path

from flask import current_app

from app.filings import uploads as filing_uploads
from app.filings.uploads import UploadRefused, clean_filename, display_name, served_type  # noqa: F401

MAX_FILES = 3
_MAX_BYTES = 5 * 1024 * 1024


def upload_dir() -> Path:
    folder = Path(current_app.config["UPLOAD_FOLDER"]) / "complaints"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def max_bytes() -> int:
    return min(current_app.config.get("UPLOAD_MAX_BYTES") or _MAX_BYTES, _MAX_BYTES)


def store(stream) -> filing_uploads.StoredFile:
    """filing_uploads.store's checks, written under the complaints folder."""
    stored = filing_uploads.store(stream, max_bytes())
    src = filing_uploads.upload_dir() / stored.stored_name
    src.replace(upload_dir() / stored.stored_name)
    return stored


def path_of(attachment) -> Path:
    return upload_dir() / Path(attachment.stored_name).name


def discard(stored_name: str) -> None:
    (upload_dir() / Path(stored_name).name).unlink(missing_ok=True)
