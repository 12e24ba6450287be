"""Random values a deployment keeps in its instance folder (secret key, audit key, instance id)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path


def random_value_file(path: Path, nbytes: int = 32) -> str:
    """The value stored at ``path``, created once with a random hex value if it does not exist yet.

    Created with O_EXCL and mode 0600, so that several workers starting at once agree on one value and
    nobody else on the machine reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(nbytes))
    return path.read_text().strip()
