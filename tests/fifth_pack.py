"""A fifth jurisdiction made the way a bureau would make one: copy a pack's folder under a new code and
change only the codes, the names and the amounts in its files (issue 13).

tests/conftest.py generates it once per run into a temporary folder and names that folder in
JIFANG_JURISDICTIONS_DIR before any test is collected, so every test parametrised from the loader
(workflows.rules.jurisdiction_codes) runs on it too, without a code change. It holds no regulation text:
`regulation.source` is null, and the text cross-checks say so for this pack.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import yaml

from workflows.rules import PACKS_DIR

CODE = "lanling"  # a jurisdiction no map has: 兰陵省, division 99
NAME = "兰陵省"
FROM = "liaoning"
FROM_NAME = "辽宁"
FROM_DIVISION = "21"
DIVISION = "99"
FINE_FACTOR = 2  # every amount doubled: a pack of its own, not Liaoning's figures under another name


def _renamed(text: str, city_names: dict[str, str]) -> str:
    text = text.replace(FROM, CODE).replace(FROM_NAME, NAME.rstrip("省")).replace("辽公技备", "兰公技备")
    for old, new in city_names.items():
        text = text.replace(old, new)
    # quoted division codes and authority codes: "210100" -> "990100"
    return re.sub(rf'"{FROM_DIVISION}(\d{{4}})"', rf'"{DIVISION}\1"', text)


def _doubled(fines: dict) -> dict:
    return {target: {key: value * FINE_FACTOR for key, value in fine.items()} for target, fine in fines.items()}


def generate(root: Path) -> Path:
    """Write the pack into root/lanling and return its folder."""
    source = PACKS_DIR / FROM
    folder = root / CODE
    # The rule cases (cases.yaml) are the source pack's own, written from its text: a new pack's lawyer
    # writes its own, and a pack without them is allowed (tests/workflows/test_pack_cases.py).
    shutil.copytree(source, folder, ignore=shutil.ignore_patterns("cases.yaml"))
    cities = yaml.safe_load((source / "jurisdiction.yaml").read_text(encoding="utf-8"))["cities"]
    city_names = {city["name"].rstrip("市"): f"兰陵第{i}" for i, city in enumerate(cities, 1)}
    for path in folder.glob("*.yaml"):
        path.write_text(_renamed(path.read_text(encoding="utf-8"), city_names), encoding="utf-8")
    jurisdiction = folder / "jurisdiction.yaml"
    data = yaml.safe_load(jurisdiction.read_text(encoding="utf-8"))
    data["name_en"] = "Lanling"
    data["regulation"]["source"] = None  # the bureau holds no text of this (invented) regulation
    jurisdiction.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    penalties = folder / "penalties.yaml"
    data = yaml.safe_load(penalties.read_text(encoding="utf-8"))
    for provision in data["provisions"]:
        provision["fines"] = _doubled(provision.get("fines") or {})
        if provision.get("aggravated", {}).get("fines"):
            provision["aggravated"]["fines"] = _doubled(provision["aggravated"]["fines"])
    penalties.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return folder
