from flask import abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user

from app.extensions import csrf
from app.home import panels_for
from app.main import bp
from app.security import PUBLIC, allow, cross_origin_request, safe_next


@bp.route("/")
@allow(PUBLIC)
def home():
    return render_template("main/home.html", panels=panels_for(current_user))


@bp.route("/favicon.ico")
@allow(PUBLIC)
def favicon():
    """What a browser asks for where no page names an icon (a PDF, a JSON answer): the SVG every page links."""
    return redirect(url_for("static", filename="favicon.svg"), 301)


LANGUAGES = ("zh_Hans_CN", "en")
LANGUAGE_COOKIE = "jifang_lang"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
@csrf.exempt
def set_language():
    """The choice lives in the session and in a cookie of its own, so it survives whatever ends or renews
    the session: logging in or out, an idle or expired session, a password change, a new browser session.

    The form carries no CSRF token: a token lives in the session, so every page offering the switch gave
    every anonymous reader of the public roster a session cookie to carry it. Instead a post another site
    makes a browser send is refused by its Sec-Fetch-Site or Origin header (security.cross_origin_request).
    What a forged switch could do at worst is show a visitor the other language."""
    if cross_origin_request():
        abort(403)
    lang = request.form.get("lang")
    response = redirect(safe_next(request.form.get("next")) or url_for("main.home"))
    if lang in LANGUAGES:
        session["lang"] = lang
        response.set_cookie(LANGUAGE_COOKIE, lang, max_age=LANGUAGE_COOKIE_AGE, httponly=True, samesite="Lax",
                            secure=current_app.config.get("SESSION_COOKIE_SECURE", False))
    return response


@bp.before_app_request
def _language_from_cookie():
    """A session without a choice (a fresh log-in, a new browser session) takes the remembered one."""
    if request.cookies and "lang" not in session:  # no cookie: no remembered choice either
        remembered = request.cookies.get(LANGUAGE_COOKIE)
        if remembered in LANGUAGES:
            session["lang"] = remembered
