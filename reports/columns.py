"""The columns of the spreadsheets the bureaus exchange with the system: the filed-firms roster and the
penalty-case ledger. One schema per sheet, read by both sides: the exports write these headers in this order
(reports/export.py, app/transfer/exports.py) and the importers look for them (imports/headers.py,
imports/case_rows.py), so an exported sheet imports back unchanged.

Kept in reports/ because it is the layout of a sheet people read: reports/ never imports imports/, and
imports/ reads its columns and its money text (reports/money.py) from here. How a hand-typed header is
recognised (synonyms, the header-row scan) is the importer's business and stays in imports/headers.py.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    key: str  # canonical English key used in the row dicts
    header: str  # canonical Chinese header, as in the template and the exports
    required: bool = False  # an import needs the column present (and each row to fill it)


# The filing roster, in template order. Required: what identifies the firm and what its filing is for
# (name, credit code, legal representative, city, business types) — the web form cannot be submitted
# without them. The addresses, contact and phone are optional because legacy rosters often lack them;
# 备案编号 and 备案日期 are optional because a firm not yet filed has neither.
FILING_COLUMNS: tuple[Column, ...] = (
    Column("name", "单位名称", True),
    Column("credit_code", "统一社会信用代码", True),
    Column("legal_rep", "法定代表人", True),
    Column("registered_address", "注册地址"),
    Column("premises_address", "经营场所地址"),
    Column("city", "所在市", True),
    Column("business_types", "业务类型", True),
    Column("contact", "联系人"),
    Column("phone", "联系电话"),
    Column("filing_number", "备案编号"),
    Column("filed_on", "备案日期"),
)

# Historical penalty cases, as a bureau's ledger keeps them; money in yuan.
CASE_COLUMNS: tuple[Column, ...] = (
    Column("case_number", "案件编号", True),
    Column("party_name", "当事人", True),
    Column("party_type", "当事人类型"),
    Column("credit_code", "统一社会信用代码"),
    Column("provision", "违法条款", True),
    Column("act_date", "违法行为日期"),
    Column("decided_on", "决定日期"),
    Column("outcome", "处理结果", True),
    Column("fine", "罚款金额（元）"),
    Column("collected", "已缴金额（元）"),
    Column("surcharge", "加处罚款（元）"),
    # 行政处罚法 art. 32: a fine below the article's minimum is lawful only as a 减轻 decision, so a ledger
    # that records one says so here (是/减轻, or blank).
    Column("mitigated", "减轻处罚"),
)


def headers(columns: tuple[Column, ...]) -> tuple[str, ...]:
    """The header row of a sheet with these columns."""
    return tuple(c.header for c in columns)
