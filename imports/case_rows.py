"""Validating historical penalty cases from a bureau's spreadsheet, the way imports/filing_rows.py validates
a roster: the same header finder (with the case columns), the same cleaning and the same RowError.

No Flask here: the jurisdiction's penalty pack (workflows/penalty_pack.py) comes in as an argument. Each row
is checked against it as a decision would be: a fine only under a provision that has one, only on a party the
article names, within the article's range (below its minimum only with a recorded 减轻 under 行政处罚法
art. 32), and only outcomes the law provides (no 警告 where no text provides one).
Money arrives in yuan (as numbers or as text such as "3,000.00元") and leaves as integer fen.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from imports.dates import DateError, parse_date
from imports.filing_rows import RowError, ValidationResult, clean_text, fast_credit_code
from imports.gc_pause import paused_gc
from imports.headers import HEADER_SCAN_ROWS, HeaderMap, HeaderMatcher
from imports.workbook import Cell, MissingColumns, SheetReader
from reports.columns import CASE_COLUMNS
from reports.money import fen_to_yuan_figure
from workflows.identifiers import IdentifierError, check_credit_code
from workflows.penalty_pack import TARGET_LABELS, Fine, PenaltyPack, Provision

CASE_SYNONYMS: Mapping[str, tuple[str, ...]] = {
    "case_number": ("案号", "案件编号号", "决定书文号", "处罚决定书文号", "编号"),
    "party_name": ("当事人名称", "当事人姓名或名称", "被处罚人", "被处罚单位", "单位名称"),
    "party_type": ("当事人类别", "类型"),
    "credit_code": ("信用代码", "社会信用代码", "统一信用代码"),
    "provision": ("违法条款项", "处罚依据", "依据条款", "条款", "违反条款"),
    "act_date": ("违法日期", "违法时间", "违法行为时间", "发案日期"),
    "decided_on": ("处罚决定日期", "决定时间", "处罚日期"),
    "outcome": ("处罚结果", "处理情况", "结果"),
    "fine": ("罚款金额", "罚款", "罚款数额"),
    "collected": ("已缴金额", "已缴罚款", "实缴金额", "已缴纳金额"),
    "surcharge": ("加处罚款", "加处罚款金额"),
    "mitigated": ("减轻", "是否减轻处罚", "依法减轻处罚", "减轻处罚情节", "减轻处罚（第三十二条）"),
}
MAX_CHARS = {"case_number": 64, "party_name": 200, "provision": 100}
MAX_YUAN = Decimal("100000000")  # a sanity bound: no regional fine comes near 100 million yuan

OUTCOMES = {
    "罚款": "fined", "处以罚款": "fined", "fined": "fined",
    "警告": "warning_only", "warning_only": "warning_only",
    "不予处罚": "no_penalty", "不予行政处罚": "no_penalty", "no_penalty": "no_penalty",
    "撤销立案": "withdrawn", "撤销": "withdrawn", "撤案": "withdrawn", "withdrawn": "withdrawn",
    "待决定": "pending", "办理中": "pending", "调查中": "pending", "未决": "pending", "pending": "pending",
}
PARTY_TYPES = {"单位": "unit", "企业": "unit", "unit": "unit", "个人": "individual", "自然人": "individual",
               "个体": "individual", "individual": "individual"}
MITIGATED = {"是": True, "减轻": True, "减轻处罚": True, "依法减轻": True, "y": True, "yes": True, "true": True,
             "√": True, "1": True, "否": False, "无": False, "n": False, "no": False, "false": False, "×": False,
             "0": False}
_ARTICLE = re.compile(r"第([0-9零〇一二两三四五六七八九十百]+)条")
_LABELS = {c.key: c.header for c in CASE_COLUMNS}


def case_state(outcome: str, fine: int, collected: int, surcharge: int) -> str:
    """The penalty_case.yaml state a historical case ends in."""
    if outcome == "fined":
        return "closed" if collected >= fine + surcharge else "decided"
    return {"pending": "opened", "warning_only": "closed"}.get(outcome, outcome)


def find_case_header(rows: Iterator[tuple[int, list[Cell]]]):
    try:
        return HeaderMatcher(CASE_COLUMNS, CASE_SYNONYMS).find(rows)
    except MissingColumns as exc:
        if exc.reason.startswith("前"):
            raise MissingColumns(exc.missing, reason=f"前 {HEADER_SCAN_ROWS} 行中未找到表头行（应含“案件编号”“当事人”"
                                                      "“违法条款”“处理结果”等列）") from None
        raise


def parse_yuan(value: Cell) -> int:
    """Yuan (a number, or text like 3,000.00 / ￥3000元) as integer fen; raises ValueError with the reason."""
    if value.__class__ is bool:
        raise ValueError("格式不正确")
    if isinstance(value, int | float):
        text = repr(value)
    else:
        text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace("¥", "")
        text = text.removesuffix("元").strip()
    if not text:
        return 0
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise ValueError("应为金额（元），如 5000 或 5000.50") from None
    if not amount.is_finite() or amount < 0:
        raise ValueError("应为不小于 0 的金额")
    if amount > MAX_YUAN:
        raise ValueError("金额过大")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValueError("最多保留两位小数（分）")
    return int(amount * 100)


def _yuan(fen: int) -> str:
    return str(fen_to_yuan_figure(fen))


def _fine_variants(provision: Provision, party: str) -> list[tuple[str, Fine]]:
    """The fines the article sets for ``party``: its plain fine and its aggravated one (情节严重…), each
    with the words that introduce it."""
    variants = [("", provision.fines.get(party))]  # type: ignore[call-overload]
    if provision.aggravated:
        variants.append((f"{provision.aggravated.label}的", provision.aggravated.fines.get(party)))  # type: ignore[call-overload]
    return [(label, fine) for label, fine in variants if fine is not None]


def _amount_text(fine: Fine) -> str:
    return f"{fine.fixed}元" if fine.fixed is not None else f"{fine.low}元以上{fine.high}元以下"


class CaseRowValidator:
    """Validates case rows against the jurisdiction's penalty ``pack``."""

    def __init__(self, pack: PenaltyPack, today: dt.date):
        self.today = today
        self.pack = pack
        provisions = [(p.code, p.reference.article) for p in pack.provisions]
        self._codes = {code.lower(): code for code, _ in provisions}
        self._by_article: dict[int, list[str]] = {}
        for code, article in provisions:
            self._by_article.setdefault(article, []).append(code)
        self._provision_cache: dict[str, tuple[str, str | None]] = {}
        self._first_row: dict[str, int] = {}

    def provision(self, text: str) -> tuple[str, str | None]:
        cached = self._provision_cache.get(text)
        if cached is None:
            cached = self._provision_cache[text] = self._parse_provision(text)
        return cached

    def _parse_provision(self, text: str) -> tuple[str, str | None]:
        if not text:
            return "", "不能为空"
        key = unicodedata.normalize("NFKC", text).replace(" ", "")
        if key.lower() in self._codes:
            return self._codes[key.lower()], None
        found = _ARTICLE.search(key)
        number = found.group(1) if found else key
        try:
            if number.isdigit():
                article = int(number)
            else:
                import cn2an  # imported on first use (it takes ~0.3 s to import)

                article = int(cn2an.cn2an(number, "normal"))
        except (ValueError, TypeError):
            return "", f"“{text}”不是本地区条例的罚则条款（可填写条款代码或“第三十五条”）"
        codes = self._by_article.get(article, [])
        if len(codes) == 1:
            return codes[0], None
        if not codes:
            return "", f"“{text}”不是本地区条例的罚则条款"
        return "", f"“{text}”对应多个罚则，请填写条款代码：{'、'.join(codes)}"

    def _date(self, value: Cell, errors: dict, key: str) -> dt.date | None:
        if value == "" or value is None:
            return None
        try:
            day = parse_date(value)
        except DateError as exc:
            errors[key] = str(exc)
            return None
        if day > self.today:
            errors[key] = "不能晚于今天"
            return None
        return day

    def _money(self, value: Cell, errors: dict, key: str) -> int:
        try:
            return parse_yuan(value)
        except ValueError as exc:
            errors[key] = str(exc)
            return 0

    def against_pack(self, provision_code: str, party_type: str | None, outcome: str | None, fine: int,
                     mitigated: bool) -> dict[str, str]:
        """What the law does not allow in a case, by column: ``fine`` in fen. Empty when the case could
        have been decided so."""
        provision = self.pack.provision(provision_code)
        cited = provision.cited(None).label(self.pack.regulation.title)  # the article: the row names no item
        if outcome == "warning_only" and not any(m.code == "warning" for m in provision.measures):
            return {"outcome": f"处理结果不能为警告：{cited}没有规定警告"}
        if outcome != "fined":
            return {}
        if provision.no_fine:
            return {"outcome": f"处理结果不能为罚款：{cited}没有规定罚款"}
        if party_type not in TARGET_LABELS:
            return {}  # the party type is refused on its own
        variants = _fine_variants(provision, party_type)
        gains = provision.illegal_gains
        gains_fine = bool(gains and gains.fine_multiple and party_type in gains.targets)
        if not variants and gains_fine:
            return {}  # fined only as a multiple of the illegal gains, which the ledger does not record
        if not variants:
            targets = "、".join(provision.target_label(t) for t in provision.fines) or "无"
            return {"party_type": f"当事人类型不能为{TARGET_LABELS[party_type]}：{cited}没有规定对"
                                  f"{TARGET_LABELS[party_type]}罚款（罚款对象：{targets}）"}
        whom = provision.target_label(party_type)
        statutory = "；".join(f"{label}{_amount_text(f)}" for label, f in variants)
        if any(f.low * 100 <= fine <= f.high * 100 for _, f in variants):
            return {}
        if fine < min(f.low for _, f in variants) * 100:
            if mitigated:
                return {}
            return {"fine": f"罚款金额{_yuan(fine)}元低于{cited}对{whom}规定的罚款（{statutory}）；低于最低数额须是依"
                            "《中华人民共和国行政处罚法》第三十二条减轻处罚，并在“减轻处罚”列注明"}
        if gains_fine and fine > max(f.high for _, f in variants) * 100:
            return {}  # the article adds a multiple of the illegal gains, which the ledger does not record
        return {"fine": f"罚款金额{_yuan(fine)}元不是{cited}对{whom}规定的罚款（{statutory}）"}

    @paused_gc()
    def validate_rows(self, rows: Iterator[tuple[int, list[Cell]]], header: HeaderMap) -> ValidationResult:
        result = ValidationResult()
        keys = [c.key for c in CASE_COLUMNS]
        headers = {k: header.header_for(k, CASE_COLUMNS) for k in keys}
        for number, values in rows:
            raw = {k: (values[i] if i < len(values) else "") for k, i in header.index.items()}
            texts = {k: clean_text(v) for k, v in raw.items()}
            if not any(texts.values()):
                continue
            result.total_rows += 1
            errors: dict[str, str] = {}
            row = self._row(number, raw, texts, errors)
            if errors:
                result.refused_rows.add(number)
                for key, reason in errors.items():
                    label = _LABELS[key].split("（")[0]
                    message = reason if reason.startswith(label) else label + reason
                    result.errors.append(RowError(number, headers[key], message, header.index.get(key)))
            else:
                result.rows.append(row)
                result.source_rows.append(number)
        return result

    def _row(self, number: int, raw: dict, texts: dict, errors: dict) -> dict:  # noqa: C901 - one check per column
        get = texts.get
        for key, limit in MAX_CHARS.items():
            if len(get(key, "")) > limit:
                errors[key] = f"不能超过 {limit} 个字符"
        case_number, party = get("case_number", ""), get("party_name", "")
        if not case_number:
            errors["case_number"] = "不能为空"
        if not party:
            errors["party_name"] = "不能为空"
        code = None
        if get("credit_code"):
            code = fast_credit_code(get("credit_code"))
            if code is None:
                try:
                    code = check_credit_code(get("credit_code"))
                except IdentifierError as exc:
                    errors["credit_code"] = str(exc)
        party_type = PARTY_TYPES.get(get("party_type", "").lower() if get("party_type") else "")
        if party_type is None:
            if get("party_type"):
                errors["party_type"] = "应为“单位”或“个人”"
            elif code:
                party_type = "unit"
            else:
                errors["party_type"] = "不能为空（单位或个人）"
        provision, reason = self.provision(get("provision", ""))
        if reason:
            errors["provision"] = reason
        outcome = OUTCOMES.get(get("outcome", "").replace(" ", "").lower())
        if outcome is None:
            errors["outcome"] = ("不能为空" if not get("outcome") else
                                 "应为罚款、警告、不予处罚、撤销立案或待决定")
        act_date = self._date(raw.get("act_date", ""), errors, "act_date")
        decided_on = self._date(raw.get("decided_on", ""), errors, "decided_on")
        if act_date and decided_on and decided_on < act_date:
            errors["decided_on"] = "不能早于违法行为日期"
        fine = self._money(raw.get("fine", ""), errors, "fine")
        collected = self._money(raw.get("collected", ""), errors, "collected")
        surcharge = self._money(raw.get("surcharge", ""), errors, "surcharge")
        if outcome == "fined":
            if not fine and "fine" not in errors:
                errors["fine"] = "罚款金额不能为空（处理结果为罚款）"
            if decided_on is None and "decided_on" not in errors:
                errors["decided_on"] = "决定日期不能为空（处理结果为罚款）"
        elif outcome and (fine or collected or surcharge):
            errors["fine"] = "罚款金额应为空或 0：处理结果不是罚款时，罚款、已缴和加处罚款都不填"
        if surcharge > fine and "surcharge" not in errors:
            errors["surcharge"] = "加处罚款不能超过罚款金额（《行政处罚法》第七十二条）"
        if collected > fine + surcharge and "collected" not in errors:
            errors["collected"] = "已缴金额不能超过罚款与加处罚款之和"
        mitigated = MITIGATED.get(get("mitigated", "").replace(" ", "").lower()) if get("mitigated") else False
        if mitigated is None:
            errors["mitigated"] = "应为“是”（依《中华人民共和国行政处罚法》第三十二条减轻处罚）或留空"
        if provision and not errors.keys() & {"outcome", "fine", "party_type"}:
            errors.update(self.against_pack(provision, party_type, outcome, fine, bool(mitigated)))
        if case_number and "case_number" not in errors:
            first = self._first_row.setdefault(case_number, number)
            if first != number:
                errors["case_number"] = f"案件编号与第 {first} 行重复（以第 {first} 行为准）"
        return {
            "case_number": case_number, "party_name": party, "party_type": party_type, "credit_code": code,
            "provision_code": provision, "act_date": act_date, "decided_on": decided_on, "outcome": outcome,
            "fine_decided_fen": fine, "fine_collected_fen": collected, "surcharge_fen": surcharge,
            "state": case_state(outcome or "", fine, collected, surcharge), "mitigated": bool(mitigated),
        }


@dataclass
class CaseImport:
    sheet: SheetReader
    header: HeaderMap
    result: ValidationResult


def validate_case_sheet(sheet: SheetReader, validator: CaseRowValidator, rows_hook=None) -> CaseImport:
    """Find the header, then validate every row. Raises MissingColumns (an UnusableWorkbook)."""
    header, rows = find_case_header(sheet.rows())
    if rows_hook is not None:
        rows = rows_hook(rows)
    return CaseImport(sheet=sheet, header=header, result=validator.validate_rows(rows, header))
