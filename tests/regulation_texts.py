"""Where the tests find the regulation texts the bureau received (imports.regulation_text.regulations_dir).

The project ships the structured facts, not the texts. Tests that read them skip with a message when the
folder is absent, and fail instead when CI=true, so that CI never passes without the cross-checks.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

import pytest

from imports.regulation_text import REGULATIONS_DIR_VAR as ENV_VAR
from imports.regulation_text import Regulation, load_regulation_file
from imports.regulation_text import regulations_dir as _found_dir
from workflows.rules import all_packs


def texts() -> dict[str, str]:
    """file → jurisdiction, from the packs the loader finds (Shanxi's one text comes in two layouts)."""
    return {name: code for code, pack in all_packs().items() for name in pack.regulation.files}


def packs_without_text() -> list[str]:
    """Packs whose regulation.source is null: the bureau holds no text, so their citations go unchecked."""
    return [code for code, pack in all_packs().items() if not pack.regulation.files]


FILES = texts()


def regulations_dir() -> Path:
    """The folder of texts, or skip (fail under CI) when it is not there."""
    folder = _found_dir()
    if folder.is_dir() and all((folder / name).is_file() for name in FILES):
        return folder
    message = f"regulation texts not found in {folder} (set {ENV_VAR} to the folder of the texts: {', '.join(FILES)})"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@cache
def _parse(path: Path) -> Regulation:
    return load_regulation_file(path)


def no_text(code: str) -> None:
    """Skip, saying so, for a pack that holds no regulation text (never under CI for a pack that names one)."""
    if code in packs_without_text():
        pytest.skip(f"jurisdiction {code!r} holds no regulation text (regulation.source is null): its citations "
                    "cannot be cross-checked")


def regulation(name: str) -> Regulation:
    """The parsed text of one file, parsed once per test run."""
    return _parse(regulations_dir() / name)
