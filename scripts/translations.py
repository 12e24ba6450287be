"""Rebuild the English catalogue: extract the Chinese source strings, translate from the glossary, compile.

The UI is written in Simplified Chinese (the default); English comes from app/translations/glossary_en.yaml.
Run: .venv/bin/python scripts/translations.py  (tests/app/core/test_i18n.py checks the catalogue is current).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
GLOSSARY = TRANSLATIONS / "glossary_en.yaml"


def extract() -> Catalog:
    """Every _() / _l() / gettext / N_ string in the sources babel.cfg names (a temporary .pot, then read)."""
    with tempfile.TemporaryDirectory() as tmp:
        pot = Path(tmp) / "messages.pot"
        subprocess.run(
            [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(ROOT / "babel.cfg"), "-k", "_l",
             "--no-location", "--omit-header", "-o", str(pot), str(ROOT)],
            check=True, capture_output=True,
        )
        with pot.open("rb") as fh:
            return read_po(fh)


def catalogue() -> tuple[Catalog, list[str]]:
    """The English catalogue from the glossary, and the source strings the glossary has no line for."""
    glossary: dict[str, str] = yaml.safe_load(GLOSSARY.read_text(encoding="utf-8")) or {}
    template = extract()
    catalog = Catalog(locale="en", domain="messages")
    missing = []
    ids = [m.id for m in template if m.id] + [k for k in glossary if k not in template]
    for msgid in ids:
        english = glossary.get(msgid)
        if english is None:
            missing.append(msgid)
        catalog.add(msgid, english or "")
    return catalog, missing


def check() -> list[str]:
    """The untranslated source strings, without writing the catalogue."""
    return catalogue()[1]


def build() -> list[str]:
    """Write messages.po and messages.mo; return the untranslated source strings."""
    catalog, missing = catalogue()
    out = TRANSLATIONS / "en" / "LC_MESSAGES"
    out.mkdir(parents=True, exist_ok=True)
    with (out / "messages.po").open("wb") as fh:
        write_po(fh, catalog, omit_header=True, no_location=True, width=0)
    with (out / "messages.mo").open("wb") as fh:
        write_mo(fh, catalog)
    return missing


if __name__ == "__main__":
    missing = build()
    for msgid in missing:
        print(f"untranslated: {msgid}")
    print(f"{len(missing)} untranslated")
