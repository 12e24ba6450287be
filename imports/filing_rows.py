"""Validating the rows of a filed-firms roster the way the web filing form validates one firm.

The validator takes plain data (city names, business-type names, today, the filing numbers already in the
database) so the web app, the CLI and the tests call it alike without Flask. It is written for speed — a
100,000-row roster validates in a fraction of a second — so the checks that repeat across rows (cities,
business-type lists, dates) are looked up in per-import caches, and the credit code's check character is
computed inline; anything that fails the quick path goes through
``workflows.identifiers.check_credit_code``, so the reason is word for word the web form's.
"""

from __future__ import annotations

import datetime as dt
import operator
import os
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from imports.dates import DateError, parse_date
from imports.gc_pause import paused_gc
from imports.headers import HeaderMap, HeaderMatcher
from imports.workbook import Cell, SheetReader, UnusableWorkbook
from reports.columns import FILING_COLUMNS
from workflows.identifiers import IdentifierError, check_credit_code

MAX_FIELD_CHARS: Mapping[str, int] = {
    "name": 200, "credit_code": 18, "legal_rep": 50, "registered_address": 300, "premises_address": 300,
    "city": 50, "business_types": 200, "contact": 50, "phone": 50, "filing_number": 100,
}
"""Longest value each field accepts, as in the web form."""
MIN_FILED_ON = dt.date(1990, 1, 1)
"""Earliest plausible filing date: technical-prevention filing predates none of the regulations by more."""

INJECTION_PREFIXES = ("=", "+", "-", "@")
"""Exports put a single quote before text starting with these; the import takes it off again."""

_SPLIT_TYPES = re.compile(r"[、，,/／;；\s]+")
_PHONE = re.compile(r"^[0-9+\-() ,/;、转#]{5,50}$")
_USCC_SHAPE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$")
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)  # GB 32100-2015, 3^i mod 31
_TO_BASE_34 = str.maketrans(_USCC_ALPHABET, "0123456789abcdefghijklmnopqrstu")
"""Each code character as the base-34 digit of its value. 34 ≡ 3 (mod 31), so reading the 17 characters
right to left as a base-34 number gives the weighted sum of GB 32100 (weights 3^i) modulo 31, with int()
doing in C what a loop over the characters would do in Python."""
_DATE_CLASSES = frozenset((dt.date, dt.datetime))
_SHORTEST_LIMIT = min(v for k, v in MAX_FIELD_CHARS.items() if k != "credit_code")


class FilingDisabled(UnusableWorkbook):
    """The jurisdiction has no filing duty (Shanxi): there is nothing to import filings into."""

    default_reason = "本地区不受理从业单位备案，无法导入备案名录"


@dataclass(frozen=True)
class FilingRules:
    """What the jurisdiction pack contributes to row validation, as plain data."""

    cities: Mapping[str, str]  # Chinese name -> GB/T 2260 code
    business_types: Mapping[str, str]  # Chinese name -> code
    enabled: bool = True
    notice: str = ""

    @classmethod
    def from_pack(cls, jurisdiction: Mapping, filing: Mapping) -> FilingRules:
        """From the two YAML documents as loaded (the app passes its validated pack's plain data)."""
        return cls(
            cities={c["name"]: str(c["code"]) for c in jurisdiction.get("cities", [])},
            business_types={t["name"]: str(t["code"]) for t in filing.get("business_types", [])},
            enabled=bool(filing.get("enabled", True)),
            notice=str(filing.get("notice", "")),
        )

    @classmethod
    def from_directory(cls, directory: str | os.PathLike) -> FilingRules:
        """From ``workflows/jurisdictions/<code>/`` directly, for the CLI, tests and benchmarks."""
        folder = Path(directory)
        jurisdiction = yaml.safe_load((folder / "jurisdiction.yaml").read_text("utf-8"))
        filing = yaml.safe_load((folder / "filing.yaml").read_text("utf-8"))
        return cls.from_pack(jurisdiction, filing)


@dataclass(frozen=True)
class RowError:
    """One refusal: the sheet row as Excel numbers it, the header as the file wrote it, the Chinese reason.
    ``position`` is the column's place in the row (None when the file lacks the column), for the report."""

    row: int
    column: str
    reason: str
    position: int | None = None

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "reason": self.reason}


@dataclass
class ValidationResult:
    rows: list[dict] = field(default_factory=list)  # clean rows, canonical keys
    source_rows: list[int] = field(default_factory=list)  # the sheet row of each clean row
    errors: list[RowError] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)
    total_rows: int = 0  # data rows seen (empty rows not counted)

    @property
    def ok(self) -> bool:
        return not self.errors

    def extend(self, other: ValidationResult) -> ValidationResult:
        """Append the result of the rows after these (another process's part, the next chunk)."""
        self.rows += other.rows
        self.source_rows += other.source_rows
        self.errors += other.errors
        self.refused_rows |= other.refused_rows
        self.total_rows += other.total_rows
        return self


def clean_text(value: Cell) -> str:
    """Cell value as trimmed text. Whole numbers lose their '.0'; the export's injection quote comes off."""
    if value.__class__ is str:
        text = value.strip()
    elif value.__class__ is float:
        text = str(int(value)) if value.is_integer() else repr(value)
    elif value is None:
        return ""
    else:
        text = str(value).strip()
    if text[:1] == "'" and text[1:2] in INJECTION_PREFIXES:
        return text[1:]
    return text


def _check_value(code: str) -> str:
    """The check character a well-shaped code (``_USCC_SHAPE``) should end in."""
    return _USCC_ALPHABET[-int(code[16::-1].translate(_TO_BASE_34), 34) % 31]


class _DateTexts(dict):
    """clean_text of the date cells, which repeat across rows (the filing dates), computed once each."""

    def __missing__(self, value: dt.date) -> str:
        text = self[value] = clean_text(value)
        return text


def fast_credit_code(value: str) -> str | None:
    """The normalised code when it is well formed with a right check character, else None (then
    check_credit_code gives the reason). Same rules as workflows.identifiers, a few times faster."""
    code = value.replace(" ", "").replace("\u3000", "").upper()
    if len(code) == 18 and _USCC_SHAPE.match(code) is not None and _check_value(code) == code[17]:
        return code
    return None


class FilingRowValidator:
    """Validates roster rows one by one; keeps the state that spans rows (repeated codes and numbers)."""

    def __init__(self, cities: Mapping[str, str], business_types: Mapping[str, str], today: dt.date,
                 existing_numbers: Mapping[str, str] | set[str] | frozenset[str] = frozenset()):
        """``existing_numbers``: filing numbers already in the database, mapped to the credit code holding
        each (a re-import keeps its own numbers); a plain set means numbers held by other firms."""
        self.today = today
        self._existing = existing_numbers
        self._city_codes = self._city_lookup(cities)
        self._type_codes = {self._key(name): code for name, code in business_types.items()}
        self._type_codes.update({code.lower(): code for code in business_types.values()})
        self._type_names = "、".join(business_types)
        self._types_cache: dict[str, tuple[list[str], str | None]] = {}
        self._date_cache: dict[object, tuple[dt.date | None, str | None]] = {}
        self._first_row_of_code: dict[str, int] = {}
        self._first_row_of_number: dict[str, int] = {}

    @classmethod
    def from_rules(cls, rules: FilingRules, today: dt.date,
                   existing_numbers: Mapping[str, str] | set[str] | frozenset[str] = frozenset()):
        if not rules.enabled or not rules.business_types:
            raise FilingDisabled(rules.notice.splitlines()[0] if rules.notice else None)
        return cls(rules.cities, rules.business_types, today, existing_numbers)

    @staticmethod
    def _key(text: str) -> str:
        return unicodedata.normalize("NFKC", text).replace(" ", "").lower()

    @classmethod
    def _city_lookup(cls, cities: Mapping[str, str]) -> dict[str, str]:
        """沈阳市 and 沈阳 (and the division code itself) all name the same city; 兴安盟 and 兴安 likewise."""
        lookup: dict[str, str] = {}
        for name, code in cities.items():
            lookup[cls._key(name)] = code
            lookup[code] = code
            for suffix in ("市", "盟", "地区"):
                if name.endswith(suffix) and len(name) > len(suffix) + 1:
                    lookup.setdefault(cls._key(name[: -len(suffix)]), code)
        return lookup

    # ---- the fields that repeat across rows (cached) --------------------------------------------------
    def _business_types(self, text: str) -> tuple[list[str], str | None]:
        cached = self._types_cache.get(text)
        if cached is None:
            codes: list[str] = []
            unknown: list[str] = []
            for token in _SPLIT_TYPES.split(unicodedata.normalize("NFKC", text)):
                if not token:
                    continue
                code = self._type_codes.get(token.lower())
                if code is None:
                    unknown.append(token)
                elif code not in codes:
                    codes.append(code)
            reason = None
            if unknown:
                reason = f"业务类型“{'、'.join(unknown)}”不是本地区的备案业务类型（{self._type_names}）"
            elif not codes:
                reason = "业务类型不能为空"
            cached = self._types_cache[text] = (codes, reason)
        return cached

    def _filed_on(self, value: Cell) -> tuple[dt.date | None, str | None]:
        cached = self._date_cache.get(value)
        if cached is None:
            try:
                day = parse_date(value)
            except DateError as exc:
                cached = (None, f"备案日期{exc}")
            else:
                if day > self.today:
                    cached = (None, "备案日期不能晚于今天")
                elif day < MIN_FILED_ON:
                    cached = (None, f"备案日期不能早于{MIN_FILED_ON.year}年")
                else:
                    cached = (day, None)
            self._date_cache[value] = cached
        return cached

    def _credit_code(self, raw: Cell, text: str) -> tuple[str, str | None]:
        if not text:
            return "", "不能为空"
        if raw.__class__ is not str:
            return "", "被 Excel 存成了数字，末几位已丢失；请将该列设为文本后重新填写"
        code = fast_credit_code(text)
        if code is None:
            try:
                code = check_credit_code(text)
            except IdentifierError as exc:
                return "", str(exc)
        return code, None

    def _city(self, text: str) -> tuple[str, str | None]:
        if not text:
            return "", "不能为空"
        code = self._city_codes.get(text) or self._city_codes.get(self._key(text))
        if code is None:
            return "", f"“{text}”不是本地区的市"
        return code, None

    # ---- the rows -----------------------------------------------------------------------------------
    @paused_gc()
    def validate_rows(self, rows: Iterator[tuple[int, list[Cell]]], header: HeaderMap) -> ValidationResult:
        """Validate every data row after the header; rows whose imported columns are all empty are skipped.

        One pass and one dict per row: the row's texts are zipped straight into the output dict. Most rows
        of a real roster are valid, so each row first takes a quick path (inlined here: local names, cached
        lookups, the check character in C) that only accepts; a row it does not accept outright is checked
        again from its texts by the full checks (_check_row), which give the exact reasons. Both paths
        accept the same rows with the same values: the quick path checks no less, it just cannot say why.
        """
        result = ValidationResult()
        columns = tuple(c.key for c in FILING_COLUMNS if c.key in header.index)
        out_keys = tuple(_OUTPUT_KEY.get(k, k) for k in columns)
        missing = {_OUTPUT_KEY.get(c.key, c.key): "" for c in FILING_COLUMNS if c.key not in header.index}
        pick = operator.itemgetter(*(header.index[k] for k in columns))
        need = max(header.index.values()) + 1
        code_at = columns.index("credit_code")
        date_at = columns.index("filed_on") if "filed_on" in columns else None
        headers = {c.key: header.header_for(c.key) for c in FILING_COLUMNS}
        # Locals for the quick path: attribute and global look-ups cost as much as the checks themselves.
        date_texts = _DateTexts()
        city_codes, types_cache, date_cache = self._city_codes, self._types_cache, self._date_cache
        first_code, first_number = self._first_row_of_code.setdefault, self._first_row_of_number.setdefault
        existing = self._existing
        holder_of = existing.get if isinstance(existing, Mapping) else (lambda _number: None)
        shape, phone_ok, check_value = _USCC_SHAPE.match, _PHONE.match, _check_value
        valid_rows, valid_sources = result.rows, result.source_rows
        for number, values in rows:
            if len(values) < need:
                values = list(values) + [""] * (need - len(values))
            raw = pick(values)
            texts = [v.strip() if v.__class__ is str else date_texts[v] if v.__class__ in _DATE_CLASSES
                     else clean_text(v) for v in raw]
            joined = "".join(texts)
            if not joined:
                continue
            result.total_rows += 1
            if "'" in joined:
                texts = [t[1:] if t[:1] == "'" and t[1:2] in INJECTION_PREFIXES else t for t in texts]
            row = dict(zip(out_keys, texts, strict=True))
            if missing:
                row.update(missing)
            raw_date = None if date_at is None else raw[date_at]

            # ---- the quick path: accept, or fall through to the full checks ----
            code = row["credit_code"]
            city = city_codes.get(row["city_code"])
            types = types_cache.get(row["business_types"]) or self._business_types(row["business_types"])
            phone = row["phone"]
            filed_on = row["filed_on"]
            if filed_on:
                filed_on = date_cache.get(raw_date) or self._filed_on(raw_date)
            if (max(map(len, texts)) <= _SHORTEST_LIMIT and row["name"] and row["legal_rep"]
                    and len(code) == 18 and raw[code_at].__class__ is str and shape(code) is not None
                    and check_value(code) == code[17] and city is not None and types[1] is None
                    and (not phone or phone_ok(phone) is not None) and (not filed_on or filed_on[1] is None)
                    and first_code(code, number) == number):
                filing_number = row["filing_number"]
                if not filing_number:
                    row["filing_number"] = None
                    accepted = True
                else:
                    accepted = (first_number(filing_number, number) == number
                                and (filing_number not in existing or holder_of(filing_number) == code))
                if accepted:
                    row["city_code"] = city
                    row["business_types"] = list(types[0])
                    row["filed_on"] = filed_on[0] if filed_on else None
                    valid_rows.append(row)
                    valid_sources.append(number)
                    continue
                row = dict(zip(out_keys, texts, strict=True))
                if missing:
                    row.update(missing)

            # ---- the full checks, for the exact reasons ----
            errors = self._check_row(number, columns, texts, row, raw[code_at], raw_date)
            if errors:
                result.refused_rows.add(number)
                for key, reason in errors.items():
                    label = _FIELD_LABELS[key]
                    message = reason if reason.startswith(label) else label + reason
                    result.errors.append(RowError(number, headers[key], message, header.index.get(key)))
            else:
                valid_rows.append(row)
                valid_sources.append(number)
        return result

    def _check_row(self, number: int, columns: tuple[str, ...], texts: list[str], row: dict, raw_code: Cell,
                   raw_date: Cell) -> dict[str, str]:
        """Every check with its reason; the texts in ``row`` are replaced by clean values."""
        errors: dict[str, str] = {}
        if max(map(len, texts)) > _SHORTEST_LIMIT:
            self._check_lengths(columns, texts, errors)
        self._check_identity(row, raw_code, errors)
        self._check_filing(row, raw_date, errors)
        self._check_repeats(number, row, errors)
        return errors

    @staticmethod
    def _check_lengths(columns: tuple[str, ...], texts: list[str], errors: dict[str, str]) -> None:
        for key, value in zip(columns, texts, strict=True):
            limit = MAX_FIELD_CHARS.get(key)
            if limit and len(value) > limit and key != "credit_code":
                errors[key] = f"不能超过 {limit} 个字符"

    def _check_identity(self, row: dict, raw_code: Cell, errors: dict[str, str]) -> None:
        """Name, legal representative and credit code."""
        if not row["name"]:
            errors["name"] = "不能为空"
        if not row["legal_rep"]:
            errors["legal_rep"] = "不能为空"
        text = row["credit_code"]
        if not (len(text) == 18 and raw_code.__class__ is str and _USCC_SHAPE.match(text) is not None
                and _check_value(text) == text[17]):
            row["credit_code"], reason = self._credit_code(raw_code, text)
            if reason:
                errors["credit_code"] = reason

    def _check_filing(self, row: dict, raw_date: Cell, errors: dict[str, str]) -> None:
        """City, business types, phone, filing number and filing date (the texts replaced by clean values)."""
        city = row["city_code"]
        code = self._city_codes.get(city)
        if code is None:
            code, reason = self._city(city)
            if reason:
                errors["city"] = reason
        row["city_code"] = code
        types = row["business_types"]
        codes, reason = self._types_cache.get(types) or self._business_types(types)
        if reason:
            errors["business_types"] = reason
        row["business_types"] = list(codes)
        phone = row["phone"]
        if phone and _PHONE.match(phone) is None and _PHONE.match(unicodedata.normalize("NFKC", phone)) is None:
            errors["phone"] = "联系电话格式不正确"
        if not row["filing_number"]:
            row["filing_number"] = None
        if row["filed_on"]:
            row["filed_on"], reason = self._date_cache.get(raw_date) or self._filed_on(raw_date)
            if reason:
                errors["filed_on"] = reason
        else:
            row["filed_on"] = None

    def _check_repeats(self, number: int, row: dict, errors: dict[str, str]) -> None:
        """A credit code or filing number seen earlier in the file, or a number another firm holds."""
        code = row["credit_code"]
        if code:
            first = self._first_row_of_code.setdefault(code, number)
            if first != number:
                errors["credit_code"] = f"统一社会信用代码与第 {first} 行重复（以第 {first} 行为准）"
        filing_number = row["filing_number"]
        if filing_number and "filing_number" not in errors:
            first = self._first_row_of_number.setdefault(filing_number, number)
            if first != number:
                errors["filing_number"] = f"备案编号与第 {first} 行重复"
            elif filing_number in self._existing:
                holder = self._existing[filing_number] if isinstance(self._existing, Mapping) else None
                if holder != code:
                    errors["filing_number"] = "备案编号已被其他单位使用"


# Reasons that already name their field read as written; the rest get the canonical field name in front.
_FIELD_LABELS = {c.key: c.header for c in FILING_COLUMNS}
# The clean row's key where it differs from the column's: the city is stored as its division code.
_OUTPUT_KEY = {"city": "city_code"}


@dataclass
class FilingImport:
    """The outcome of reading and validating one uploaded roster."""

    sheet: SheetReader
    header: HeaderMap
    result: ValidationResult


def validate_filing_sheet(sheet: SheetReader, validator: FilingRowValidator) -> FilingImport:
    """Find the header, then validate every row. Raises MissingColumns (an UnusableWorkbook)."""
    header, rows = HeaderMatcher().find(sheet.rows())
    return FilingImport(sheet=sheet, header=header, result=validator.validate_rows(rows, header))
