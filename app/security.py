"""Who may use which route, enforced in one place, and the headers every response carries.

Every view declares its roles with @allow(...). A before-request hook refuses any endpoint that has no
declaration (deny by default), sends the anonymous to the login page and answers 403 to a logged-in
user whose role is not listed. tests/app/core/test_security.py walks the URL map to prove every route
declares its roles.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, url_for
from flask_login import current_user

from app.flask_app import SessionInterface as KeptSerializerSession

PUBLIC = "public"
ANY_USER = ("firm", "city_clerk", "provincial_clerk", "admin", "legal_reviewer", "bureau_head")
CLERKS = ("city_clerk", "provincial_clerk")
STAFF = ("city_clerk", "provincial_clerk", "admin")
# 法制审核人员 and 行政机关负责人 (行政处罚法 arts. 57-58) work on penalty cases only: the case pages admit them
# with the clerks; the log-in rules of staff (idle limit, TOTP) apply to them as to every official.
CASE_STAFF = ("city_clerk", "provincial_clerk", "legal_reviewer", "bureau_head")
OFFICIALS = (*STAFF, "legal_reviewer", "bureau_head")
KNOWN_ROLES = {PUBLIC, *ANY_USER}

# Endpoints added by Flask itself or by extensions, declared here since they carry no decorator.
BUILTIN_DECLARATIONS = {"static": (PUBLIC,)}

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def allow(*roles: str) -> Callable:
    """Declare the roles that may use a view; "public" admits everyone, logged in or not."""
    unknown = set(roles) - KNOWN_ROLES
    if not roles or unknown:
        raise ValueError(f"unknown roles {unknown or roles}")

    def mark(view):
        view.allowed_roles = tuple(roles)
        return view

    return mark


def declared_roles(app, endpoint: str) -> tuple[str, ...] | None:
    if endpoint in BUILTIN_DECLARATIONS:
        return BUILTIN_DECLARATIONS[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "allowed_roles", None)


def enforce_roles():
    endpoint = request.endpoint
    if endpoint is None:  # 404/405: let Flask answer
        return None
    roles = declared_roles(current_app, endpoint)
    if roles is None:
        current_app.logger.error("route %s declares no roles: refused", endpoint)
        abort(403)
    if PUBLIC in roles:
        return None
    if not current_user.is_authenticated:
        if request.path.startswith("/api/"):
            abort(401)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.role not in roles:
        abort(403)
    return None


# Set on every response whatever the view set (lower-cased name: the header and its value).
_FORCED_HEADERS = {
    "x-content-type-options": ("X-Content-Type-Options", "nosniff"),
    "x-frame-options": ("X-Frame-Options", "DENY"),
    "referrer-policy": ("Referrer-Policy", "same-origin"),
}


def security_headers(response):
    """The CSP unless the view set its own, the forced headers, and Cache-Control unless the view chose one.

    The names present are read in one pass and missing headers appended (werkzeug's Headers.set and
    setdefault each scan the list again: ~0.01 ms of every response)."""
    headers = response.headers
    present = {name.lower() for name, _value in headers.to_wsgi_list()}
    if "content-security-policy" not in present:
        headers.add("Content-Security-Policy", CSP)
    for lowered, (name, value) in _FORCED_HEADERS.items():
        if lowered in present:
            headers.set(name, value)
        else:
            headers.add(name, value)
    if "cache-control" not in present:  # the user is loaded only when the view chose no caching of its own
        headers.add("Cache-Control", "no-store" if current_user_is_authenticated() else "no-cache")
    return response


def carries_no_cookie() -> bool:
    """A request without any cookie has no session and no remember-me cookie, so its user is anonymous (the
    app has no request or header loader): the hooks about a logged-in user's session have nothing to do and
    need not load the session or the user (an API client sends no cookies; ~0.1 ms a request). The header
    itself is looked at, not the parsed cookies: a request that has one keeps the full checks, as before."""
    return not request.environ.get("HTTP_COOKIE")


class SessionInterface(KeptSerializerSession):
    """Flask's signed-cookie session (its serializer kept per key: app/flask_app.py), opened only when
    there is a session cookie to read: without one, Flask's own open_session returns a new empty session.
    An empty, unchanged session sets no cookie (only Vary: Cookie when it was read), as in Flask's own."""

    def open_session(self, app, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app, session, response):
        if not session and not session.modified:  # Flask's own branch for it, without reading the cookie's
            if session.accessed:                   # settings first (used only to delete a cookie)
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)


def cross_origin_request() -> bool:
    """True when a browser sent this request from another site: the check of Go's net/http
    CrossOriginProtection (Go 1.25) and of the OWASP CSRF cheat sheet's "Fetch Metadata" and "Verifying
    Origin" defences, for a form that carries no token (the language switch, so that a public page gives its
    anonymous reader no session and no cookie).

    Safe methods are never cross-origin requests that change anything. A browser names the requesting site
    in Sec-Fetch-Site (every current browser): "same-origin" or "none" (typed, bookmarked) pass, anything
    else is refused. A browser that does not send it still sends Origin with a POST: it must be this host.
    A request with neither comes from no browser (curl, a script) and cannot carry a victim's cookies
    unwittingly, so it passes. Written here because it is a dozen lines Flask-WTF does not offer."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    site = request.environ.get("HTTP_SEC_FETCH_SITE")
    if site:
        return site not in ("same-origin", "none")
    origin = request.environ.get("HTTP_ORIGIN")
    if origin:
        return origin == "null" or urlsplit(origin).netloc.lower() != request.host.lower()
    return False


def current_user_is_authenticated() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - headers must be set even if the session could not load
        return False


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after log-in or a language switch (no open redirects).

    Browsers drop tabs and newlines inside a URL and read a backslash as a slash, so "/%09/evil.example"
    (a tab) or "/\\evil.example" would become "//evil.example", another site; CR/LF would also break the
    Location header (a 500). Anything with a control character, a backslash, a leading "//", a scheme or a host is
    refused, and the caller falls back to the home page.
    """
    if not target or not isinstance(target, str):
        return None
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


# Where a user whose session must first change a password or enrol a second factor may still go.
_ALWAYS_OPEN = {"static", "auth.logout", "main.set_language"}


def enforce_session():
    """End sessions that are stale (issue 9, defect 7) and confine users who have something to do first.

    A session ends when the account's session generation moved on (logout elsewhere, password change,
    admin reset, deactivation), 12 hours after log-in, or after the role's idle limit (30 minutes for
    staff, 2 hours for firms). A user holding a one-time password may only change it; with REQUIRE_TOTP on,
    a staff account without a second factor may only enrol one.
    """
    from flask import flash
    from flask_babel import gettext as _

    from app.auth import login_guard

    endpoint = request.endpoint
    if carries_no_cookie():
        # No cookie, no session and no remember-me cookie: the visitor is anonymous, and Flask-Login is told so
        # (its g._login_user) instead of loading a user from an empty session (~0.03 ms of a public page).
        g._login_user = current_app.login_manager.anonymous_user()
        return None
    if endpoint is None or endpoint == "static" or not current_user.is_authenticated:
        return None
    problem = login_guard.session_problem(current_user)
    if problem is not None:
        login_guard.end_session()
        if request.path.startswith("/api/"):  # the API takes no authority from cookies: answer as anonymous
            return None
        messages = {
            login_guard.SESSION_IDLE: _("您已较长时间未操作，登录已失效，请重新登录。"),
            login_guard.SESSION_EXPIRED: _("登录已超过12小时，请重新登录。"),
        }
        flash(messages.get(problem, _("您的登录已失效，请重新登录。")), "warning")
        target = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=target))
    if endpoint in _ALWAYS_OPEN or request.path.startswith("/api/"):
        return None
    if current_user.must_change_password:
        if endpoint != "auth.change_password":
            flash(_("请先修改一次性密码。"), "warning")
            return redirect(url_for("auth.change_password"))
        return None
    if login_guard.needs_totp_enrolment(current_user) and endpoint != "auth.totp_setup":
        flash(_("请先设置动态口令（双因素认证）。"), "warning")
        return redirect(url_for("auth.totp_setup"))
    return None


def init_app(app):
    app.session_interface = SessionInterface()
    app.before_request(enforce_session)
    app.before_request(enforce_roles)
    app.after_request(security_headers)
