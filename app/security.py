"""Who may use which route, enforced in one place, and the headers every response carries.

Every view declares its roles with @allow(...). A before-request hook refuses any endpoint that has no
declaration (deny by default), sends the anonymous to the login page and answers 403 to a logged-in
user whose role is not listed. tests/app/test_route_roles.py walks the URL map to prove every route
declares its roles.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, redirect, request, url_for
from flask_login import current_user

PUBLIC = "public"
ANY_USER = ("firm", "city_clerk", "provincial_clerk", "admin")
CLERKS = ("city_clerk", "provincial_clerk")
STAFF = ("city_clerk", "provincial_clerk", "admin")
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


def security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store" if current_user_is_authenticated() else "no-cache")
    return response


def current_user_is_authenticated() -> bool:
    try:
        return bool(current_user and current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - headers must be set even if the session could not load
        return False


def safe_next(target: str | None) -> str | None:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def init_app(app):
    app.before_request(enforce_roles)
    app.after_request(security_headers)
