"""Templates' _() without Flask-Babel's lookups on every call: the request's translations, found once.

Flask-Babel's Jinja callables look up the request's babel context, domain, locale and catalogue on each
call (about 30 µs); a page of the roster called them some 390 times, half of its rendering time. These
callables keep the catalogue Flask-Babel found on its own per-request namespace (g._flask_babel) beside the
locale it was found for, and look again whenever that locale object changes (flask_babel.refresh(),
force_locale()), so what a page shows is the same.
"""

from __future__ import annotations

from flask import Flask, g
from flask_babel import get_translations
from jinja2 import pass_context
from markupsafe import Markup


def _translations():
    try:
        space = g.get("_flask_babel")
    except RuntimeError:  # outside an application context: Flask-Babel's own answer
        return get_translations()
    if space is not None:
        cached = getattr(space, "jifang_translations", None)
        locale = getattr(space, "babel_locale", None)
        if cached is not None and locale is not None and cached[0] is locale:
            return cached[1]
    translations = get_translations()  # creates g._flask_babel and sets its locale
    space = g.get("_flask_babel")
    if space is not None:
        space.jifang_translations = (getattr(space, "babel_locale", None), translations)
    return translations


# translations catalogue id → (the catalogue, {text: its translation as the template's _() returns it})
_translated: dict[int, tuple[object, dict[str, Markup]]] = {}


@pass_context
def _gettext(context, text: str, **variables):
    """Templates' _(): what Jinja's new-style gettext returns (the translation, as markup when autoescaping,
    always %-formatted with the variables), with one Jinja call instead of three (its _ calls its gettext,
    which calls the translating callable) and, without variables, the answer kept per catalogue: a page
    calls _() some forty times. The catalogues do not change while the app runs."""
    translations = _translations()
    if variables or not context.eval_ctx.autoescape:
        translated = translations.ugettext(text)
        return (Markup(translated) if context.eval_ctx.autoescape else translated) % variables
    entry = _translated.get(id(translations))
    if entry is None or entry[0] is not translations:
        entry = _translated[id(translations)] = (translations, {})
    found = entry[1].get(text)
    if found is None:
        found = entry[1][text] = Markup(translations.ugettext(text)) % {}
    return found


def init_app(app: Flask) -> None:
    """After Flask-Babel's init_app: replace the gettext callables it installed in the Jinja environment."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
    )
    app.jinja_env.globals["_"] = _gettext  # {% trans %} blocks still call the gettext installed above


def translate(text: str) -> str:
    """The request's translation of text, as templates' _() finds it (for HTML written in Python)."""
    return _translations().ugettext(text)
