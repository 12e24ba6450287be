from flask import redirect, render_template, request, session, url_for
from flask_login import current_user

from app.home import panels_for
from app.main import bp
from app.security import PUBLIC, allow, safe_next


@bp.route("/")
@allow(PUBLIC)
def home():
    return render_template("main/home.html", panels=panels_for(current_user))


@bp.route("/language", methods=["POST"])
@allow(PUBLIC)
def set_language():
    lang = request.form.get("lang")
    if lang in ("zh_Hans_CN", "en"):
        session["lang"] = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.home"))
