"""The roster table's rows as HTML, written here rather than in the template, for speed under load.

Jinja escaped a page's 50 rows one expression at a time, some 800 values each through markupsafe's escape
wrapper, a new Markup object and Jinja's attribute lookup: half of the page's rendering. Here each row is one
f-string whose values are escaped with the same markupsafe.escape; the labels are the template's, translated
once per language and process (catalogues do not change while the app runs) and, as the template's _() did,
taken as markup. The HTML is byte for byte what the template's loop wrote (tests/app/test_roster.py reads it;
a firm's name with markup in it is still shown as text).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import current_app, url_for
from flask_babel import get_locale
from markupsafe import Markup, escape

from app.roster.search import public_row
from app.template_i18n import translate
from app.templating import date_text, page_is_english

# The labels the rows repeat, as the template's _() names them.
LABELS = ("统一社会信用代码", "备案编号", "备案日期", "备案机关", "业务类型", "备案状态", "有效", "已注销", "已列入警示名单")


def _labels() -> tuple[str, ...]:
    cache = current_app.extensions.setdefault("jifang.roster_labels", {})
    locale = str(get_locale())
    found = cache.get(locale)
    if found is None:
        found = cache[locale] = tuple(translate(text) for text in LABELS)
    return found


def entry_href():
    """The roster's entry links built from one url_for per page instead of one per row: the token (a credit
    code, [0-9A-Z]) is the link's last segment, quoted the same way werkzeug quotes it."""
    marker = "0TOKEN0"
    head, _, tail = url_for("roster.entry", token=marker).rpartition(marker)
    return lambda token: f"{head}{token if token.isascii() and token.isalnum() else quote(token, safe='')}{tail}"


def roster_rows(firms, pack) -> Markup:
    """The <tr> lines of a roster page: firms as search.Entry, with their warning marks (notice_id)."""
    l_code, l_number, l_date, l_authority, l_types, l_status, in_force, cancelled, warned = _labels()
    badges = {True: f'<span class="badge ok">{in_force}</span>', False: f'<span class="badge bad">{cancelled}</span>'}
    english = page_is_english()
    href = entry_href()
    # The columns public_row draws from the pack (authority, business types), once per page for each pair.
    drawn: dict[tuple, tuple[str, str]] = {}
    lines = []
    for firm in firms:
        key = (firm.filing_authority_code, firm.business_type_codes)
        pack_columns = drawn.get(key)
        if pack_columns is None:
            row = public_row(firm, pack)
            pack_columns = drawn[key] = (escape(row["authority"]), escape(row["business_types"]))
        authority, types = pack_columns
        notice_id = firm.notice_id
        mark = (f' <a class="badge bad warning-mark" href="{escape(url_for("roster.warning_notice", notice_id=notice_id))}">'
                f"{warned}</a>" if notice_id else "")
        code = firm.credit_code
        # An individual's (Liaoning art. 17) register key starts with Z and is no credit code: nothing shown.
        shown_code = "" if code.startswith("Z") else escape(code)
        lines.append(
            f'\n    <tr>\n      <td><a href="{escape(href(code))}">{escape(firm.name)}</a>{mark}</td>\n      \n'
            f'      <td data-label="{l_code}">{shown_code}</td>\n'
            f'      <td data-label="{l_number}">{escape(firm.filing_number)}</td>\n'
            # digits and the names of months: nothing to escape
            f'      <td data-label="{l_date}">{date_text(firm.filed_on, english)}</td>\n'
            f'      <td data-label="{l_authority}">{authority}</td>\n'
            f'      <td data-label="{l_types}">{types}</td>\n'
            f'      <td data-label="{l_status}">{badges[firm.filing_status == "in_force"]}</td>\n    </tr>\n  '
        )
    return Markup("".join(lines))
