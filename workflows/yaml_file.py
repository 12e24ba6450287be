"""Reading the YAML files the law and the processes are declared in: one place for what a broken file
says (its path, and whether it is missing, unreadable, not YAML, or not a mapping)."""

from __future__ import annotations

from pathlib import Path

import yaml

# libyaml's parser where PyYAML was built with it (the wheels are): the same safe types, several times
# faster than the pure-Python one, which took a quarter of a second of every start-up on the packs' files.
SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_mapping(path: Path, error: type[Exception], what: str = "file") -> dict:
    """The file's top-level mapping, or `error` naming the path and the defect."""
    try:
        data = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=SafeLoader)  # noqa: S506 - a safe loader
    except FileNotFoundError:
        raise error(f"{path}: {what} missing") from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping at the top level")
    return data
