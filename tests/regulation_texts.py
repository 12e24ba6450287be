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

# file → jurisdiction; Shanxi comes in two layouts of one text.
FILES = {
    "liaoning-2014.md": "liaoning",
    "inner-mongolia-2007.txt": "inner-mongolia",
    "shanxi-2012.md": "shanxi",
    "shanxi-2012-plain.txt": "shanxi",
    "qinhuangdao-2017.txt": "qinhuangdao",
}


def regulations_dir() -> Path:
    """The folder of texts, or skip (fail under CI) when it is not there."""
    folder = _found_dir()
    if folder.is_dir() and all((folder / name).is_file() for name in FILES):
        return folder
    message = f"regulation texts not found in {folder} (set {ENV_VAR} to the folder of the five texts)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message)
    pytest.skip(message)


@cache
def _parse(path: Path) -> Regulation:
    return load_regulation_file(path)


def regulation(name: str) -> Regulation:
    """The parsed text of one file, parsed once per test run."""
    return _parse(regulations_dir() / name)
