"""Values every template sees: the jurisdiction, the role labels, formatting helpers."""

from flask import current_app, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app.models.user import ROLE_LABELS, Role
from reports.money import fen_to_yuan_short, yuan


def current_pack():
    return current_app.extensions["jifang.pack"]


# The main navigation: (endpoint, label, roles). An entry shows only once its area is installed.
NAV = (
    ("filings.index", "本单位备案", ("firm",)),
    ("review.queue", "备案审核", ("city_clerk", "provincial_clerk")),
    ("register.index", "单位名册", ("city_clerk", "provincial_clerk")),
    ("roster.index", "备案名录", ("public",)),
    ("roster.warnings", "警示公告", ("public",)),
    ("complaints.index", "投诉与警告", ("city_clerk", "provincial_clerk", "admin")),
    ("penalties.calculator", "处罚计算", ("city_clerk", "provincial_clerk", "admin")),
    ("cases.index", "处罚案件", ("city_clerk", "provincial_clerk", "legal_reviewer", "bureau_head")),
    ("transfer.index", "导入导出", ("city_clerk", "provincial_clerk", "admin")),
    ("dashboard.index", "统计", ("city_clerk", "provincial_clerk", "admin")),
    ("admin.users", "账号", ("admin",)),
    ("admin.audit_log", "审计记录", ("admin",)),
    ("admin.account", "我的账号", ("firm", "city_clerk", "provincial_clerk", "admin", "legal_reviewer", "bureau_head")),
)


def date_text(value, english: bool) -> str:
    """A calendar date as the date_zh filter writes it: 2026年6月1日, or 1 June 2026 (english)."""
    if not value:
        return ""
    if english:
        from workflows.penalty import date_en

        return date_en(value)
    return f"{value.year}年{value.month}月{value.day}日"


def page_is_english() -> bool:
    return session.get("lang") == "en"


# Links every page's header shows: (endpoint, url_for values).
HEADER_LINKS = (("main.home", {}), ("auth.login", {}), ("auth.register", {}), ("main.set_language", {}),
                ("static", {"filename": "favicon.svg"}), ("static", {"filename": "style.css"}))


def _header_urls() -> dict:
    """url_for of the header's links and of every installed nav entry, once per script root: without
    values (or with fixed ones) an endpoint's URL depends on nothing else, since the app registers no
    url_defaults. A page built them a dozen times per request."""
    cache = current_app.extensions.setdefault("jifang.header_urls", {})
    urls = cache.get(request.script_root)
    if urls is None:
        urls = {(endpoint, tuple(values.items())): url_for(endpoint, **values) for endpoint, values in HEADER_LINKS}
        urls.update({(endpoint, ()): url_for(endpoint) for endpoint, _label, _roles in NAV
                     if endpoint in current_app.view_functions})
        cache[request.script_root] = urls
    return urls


# The anonymous header's hole: the language form's return path (text no template writes).
_NEXT_HOLE = Markup("\x00next\x00")
_HEADERS_KEPT = 64


def anonymous_header(next_path: str) -> Markup:
    """The skip link and header (_header.html) an anonymous visitor sees, rendered once per language, script
    root and rule pack and filled with this request's return path (escaped as the template would).

    What else it shows is the same for every anonymous visitor: the jurisdiction, the public nav entries,
    the log-in and registration links, the language button. Rendering it took about a tenth of a public
    page's time (a dozen _() and URL look-ups). A logged-in user's header is rendered per request."""
    pack = current_pack()
    key = (request.script_root, str(get_locale()), session.get("lang"), id(pack), bool(pack.filing.enabled))
    kept = current_app.extensions.setdefault("jifang.anonymous_header", {})
    parts = kept.get(key)
    if parts is None:
        html = str(render_template("_header.html", lang_next=_NEXT_HOLE))
        parts = tuple(html.split(_NEXT_HOLE))
        if len(kept) >= _HEADERS_KEPT:  # bounded: script roots come from the server's configuration
            kept.clear()
        kept[key] = parts
    return Markup("").join((Markup(parts[0]), escape(next_path), Markup(parts[1])))


def _installed_nav() -> list:
    """The NAV entries whose area is installed, found once per app (its views do not change once serving)."""
    app = current_app._get_current_object()
    found = app.extensions.get("jifang.nav")
    if found is None or found[0] != len(app.view_functions):
        found = app.extensions["jifang.nav"] = (len(app.view_functions),
                                                [entry for entry in NAV if entry[0] in app.view_functions])
    return found[1]


def register(app):
    @app.context_processor
    def inject():
        links = _installed_nav()
        pack = current_pack()
        # The jurisdiction's name as a prefix of the system's name: 辽宁省…, or "Liaoning …" in English.
        place = f"{pack.name_en} " if session.get("lang") == "en" else pack.name
        urls = _header_urls()
        user = current_user._get_current_object()
        role = user.role if user.is_authenticated else None
        # Each installed entry with its URL when this user sees it (None: not shown).
        nav = [(urls[(endpoint, ())] if role in roles or "public" in roles else None, label)
               for endpoint, label, roles in links]
        return {"pack": pack, "place": place, "role_label": lambda r: ROLE_LABELS.get(Role(r), r), "nav_links": links,
                "nav": nav, "header_url": lambda endpoint, **values: urls[(endpoint, tuple(values.items()))],
                "anonymous_header": anonymous_header}

    english = page_is_english

    @app.template_filter("date_zh")
    def date_zh(value):
        """A calendar date in the page's language: 2026年6月1日, or 1 June 2026 on English pages."""
        return date_text(value, english()) if value else ""

    @app.template_filter("money")
    def money(amount):
        """Whole yuan in the page's language: 30,000元, or 30,000 yuan."""
        from workflows.penalty import yuan_en

        return yuan_en(amount) if english() else yuan(amount)

    @app.template_filter("fen_short")
    def fen_short(fen):
        """An amount of fen as the figure a message puts before 元 (or "yuan"): 3000000 → "30,000",
        123456 → "1,234.56" (cents only where there are any; the same digits in either language)."""
        return fen_to_yuan_short(fen)

    @app.template_filter("yuan_short")
    def yuan_short(amount):
        """Whole yuan (a rule pack's fine) as the same figure: 30000 → "30,000"."""
        return fen_to_yuan_short(int(amount) * 100)

    @app.template_filter("measure_en")
    def measure_en(code):
        from workflows.penalty import MEASURES_EN

        return MEASURES_EN.get(code, code)

    @app.template_filter("condition_en")
    def condition_en(condition):
        from workflows.penalty import condition_en as english_condition

        return english_condition(condition) or condition

    @app.template_filter("json_text")
    def json_text(value):
        """JSON as people read it: Chinese as written, not as \\u escapes (autoescaping still applies)."""
        import json

        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    @app.template_filter("datetime_local")
    def datetime_local(value, label=False):
        """Every moment a page shows goes through here: Beijing time (stored times are UTC)."""
        from workflows.time_limits import format_beijing

        text = format_beijing(value, label=label)
        if label and text:
            text = text.replace("（北京时间）", _("（北京时间）"))
        return text
