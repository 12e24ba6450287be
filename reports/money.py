"""Money as people read it. Amounts are integers: fen in the database, whole yuan where the law speaks in
yuan (fines in the rule packs); never floats.

Capital numerals (大写) as decisions and receipts write them, so that an amount cannot be altered, come
from cn2an (pinned in pyproject.toml).
"""

from __future__ import annotations

from decimal import Decimal


def yuan(amount: int) -> str:
    """30000 → "30,000元"."""
    return f"{int(amount):,}元"


def yuan_capital(amount: int) -> str:
    """30000 → "叁万元整"."""
    return fen_to_yuan_capital(int(amount) * 100)


def fen_to_yuan_capital(fen: int) -> str:
    """123456 → "壹仟贰佰叁拾肆元伍角陆分", 100005 → "壹仟元零伍分", 3000000 → "叁万元整", 50 → "伍角整".

    cn2an's "rmb" mode writes the 元角分, from the amount's exact decimal text (never a float). It leaves
    "整" off after 角, which 《支付结算办法》 (附件一) allows either way; decisions here write it, as after 元.
    """
    import cn2an  # imported on first use (it takes ~0.3 s to import)

    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    text = cn2an.an2cn(f"{sign}{whole}.{cents:02d}", "rmb")
    return f"{text}整" if text.endswith("角") else text


def fen_to_yuan_digits(fen: int | None) -> str:
    """123456 → "1,234.56", None → "0.00": integer arithmetic only (pages that write 元 beside it)."""
    fen = int(fen or 0)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def fen_to_yuan_text(fen: int) -> str:
    """123456 → "1,234.56元"."""
    return f"{fen_to_yuan_digits(fen)}元"


def fen_to_yuan_short(fen: int | None) -> str:
    """The cents only where there are any, as a decision writes a fine: 3000000 → "30,000",
    123405 → "1,234.05", 123450 → "1,234.50", None → "0"."""
    return fen_to_yuan_digits(fen).removesuffix(".00")


def fen_to_yuan_short_text(fen: int | None) -> str:
    """3000000 → "30,000元", 123456 → "1,234.56元"."""
    return f"{fen_to_yuan_short(fen)}元"


def fen_to_yuan_figure(fen: int | None) -> Decimal:
    """The yuan figure a spreadsheet cell holds: 123405 → Decimal("1234.05"), 300000 → Decimal("3000"),
    None → 0. Exact (a Decimal built from integer fen, never a float); reports/export.py writes it as a
    number, so the column still sums in Excel and a case ledger imports back to the same fen."""
    fen = int(fen or 0)
    return Decimal(fen // 100) if fen % 100 == 0 else Decimal(fen).scaleb(-2)
