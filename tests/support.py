"""Helpers the tests share: CSRF-aware form posts, log-in, and a factory for accounts and firms."""

from __future__ import annotations

import threading

from bs4 import BeautifulSoup
from flask.globals import _cv_app
from flask.testing import FlaskClient

from app.extensions import db as _db

PASSWORD = "test-pass-123"


class IsolatedClient(FlaskClient):
    """Each request gets its own application context, as in production.

    The tests hold an app context open for database access; without this, requests would share its
    `g` (the logged-in user, the CSRF token) and its database session.
    """

    def open(self, *args, **kwargs):
        token = _cv_app.set(None)
        try:
            return super().open(*args, **kwargs)
        finally:
            _cv_app.reset(token)
            if _db.session.registry.has():
                _db.session.expire_all()


def parse(page) -> BeautifulSoup:
    """A response's page (or a string of HTML) parsed with lxml's parser; a parsed page is returned as is.

    Safe from the race tests' threads: each call builds its own tree."""
    if isinstance(page, BeautifulSoup):
        return page
    if not isinstance(page, str):
        page = page.get_data(as_text=True)
    return BeautifulSoup(page, "lxml")


def form_fields(page, form_selector: str | None = None) -> dict[str, str]:
    """The named inputs a browser holds after loading a page (a response, HTML or a parsed page), name to
    value: those of the form ``form_selector`` picks, or of the whole page; the first of a name wins, a
    checkbox or radio button only when checked. The CSRF token, a record's version, a form token."""
    root = parse(page)
    if form_selector is not None:
        root = root.select_one(form_selector)
        assert root is not None, f"no {form_selector} on the page"
    fields: dict[str, str] = {}
    for field in root.select("input[name]"):
        if field.get("type") in ("checkbox", "radio") and not field.has_attr("checked"):
            continue
        fields.setdefault(field["name"], field.get("value", ""))
    return fields


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    token = form_fields(page).get("csrf_token")
    assert token, f"no CSRF token on {url} (status {page.status_code})"
    return token


def post_form(client, url: str, data: dict, *, token_from: str | None = None, **kwargs):
    """Submit a form the way a browser does: fetch the page for its CSRF token, then post."""
    data = dict(data)
    data["csrf_token"] = csrf_token(client, token_from or url)
    return client.post(url, data=data, **kwargs)


def switch_language(client, data: dict, **kwargs):
    """Post the header's language form as a browser does from one of the site's own pages (the form carries
    no token: the switch checks the browser's Sec-Fetch-Site header instead)."""
    return client.post("/language", data=data, headers={"Sec-Fetch-Site": "same-origin"}, **kwargs)


class Factory:
    """Builds accounts and firms straight in the database for tests."""

    def __init__(self, app):
        self.app = app
        self.pack = app.extensions["jifang.pack"]
        self._n = 0

    def credit_code(self, division: str | None = None) -> str:
        from app.demo import credit_code

        self._n += 1
        return credit_code(division or self.pack.cities[0].code, f"MA0T{self._n:05d}")

    def firm(self, name=None, *, division=None, city_code=None, **fields):
        from app.models import Firm
        from app.services.firms import locality_from_credit_code

        code = fields.pop("credit_code", None) or self.credit_code(division)
        firm = Firm(
            name=name or f"测试单位{self._n}",
            credit_code=code,
            legal_rep="王五",
            city_code=city_code or self.pack.cities[0].code,
            is_local=locality_from_credit_code(code),
            **fields,
        )
        _db.session.add(firm)
        _db.session.commit()
        return firm

    def user(self, role: str, username: str | None = None, *, authority_code=None, firm=None):
        from app.models import User
        from app.passwords import hash_password

        self._n += 1
        if role == "firm" and firm is None:
            firm = self.firm()
        if authority_code is None and role == "city_clerk":
            authority_code = self.pack.cities[0].authority
        if authority_code is None and role == "provincial_clerk":
            authority_code = self.pack.provincial_authority.code
        user = User(
            username=username or f"{role}{self._n}",
            password_hash=hash_password(PASSWORD),
            role=role,
            display_name=username or f"{role}{self._n}",
            authority_code=authority_code,
            firm_id=firm.id if firm else None,
        )
        _db.session.add(user)
        _db.session.commit()
        return user


def login(client, user) -> None:
    response = post_form(client, "/auth/login", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def get_page(client, endpoint: str, *, _expected_status: int = 200, _expected_redirect: str | None = None,
             _query: dict | None = None, **values):
    """Request a page by its endpoint name, check its status, and return it parsed (BeautifulSoup, lxml's
    parser), in the manner of GOV.UK Notify's client_request fixture:

        page = get_page(client, "roster.index", q="安防")
        page.select_one("h1").get_text(strip=True)

    ``values`` are the endpoint's URL arguments (url_for's; unknown ones become the query string, as
    url_for makes them); ``_query`` passes query arguments whose names clash with the helper's own. A
    redirect is checked against ``_expected_redirect`` (an endpoint's URL or a path) when given."""
    from flask import url_for

    with client.application.test_request_context():
        url = url_for(endpoint, **values, **(_query or {}))
        if _expected_redirect is not None and not _expected_redirect.startswith("/"):
            _expected_redirect = url_for(_expected_redirect)
    response = client.get(url)
    assert response.status_code == _expected_status, (
        f"GET {url} ({endpoint}) answered {response.status_code}, expected {_expected_status}: "
        f"{response.get_data(as_text=True)[:300]}")
    if _expected_redirect is not None:
        assert response.location.split("?", 1)[0].removeprefix("http://localhost") == _expected_redirect.split("?", 1)[0], (
            f"{url} redirected to {response.location}, expected {_expected_redirect}")
    return parse(response)


def page_text(node) -> str:
    """A parsed element's text as a reader sees it (a response or HTML is parsed first): whitespace runs
    collapsed to one space."""
    if not hasattr(node, "get_text"):
        node = parse(node)
    return " ".join(node.get_text(" ").split())


def everything_in(page) -> str:
    """A page's text and every attribute value (a response or HTML is parsed first): what could leak, shown
    or hidden in the markup. For what must never be on a page; page_text for what it shows."""
    soup = parse(page) if not hasattr(page, "find_all") else page
    values = [" ".join(v) if isinstance(v, list) else v
              for tag in soup.find_all(True) for v in tag.attrs.values()]
    return page_text(soup) + "\n" + "\n".join(values)


def race(app, posts) -> list:
    """Run each callable (a request by its own client) in its own thread, all released at once by a
    barrier, as two clerks or two tabs pressing the same button; return their responses in order."""
    _db.session.remove()  # the test's own connection goes back to the pool before the threads start
    barrier = threading.Barrier(len(posts))
    responses: list = [None] * len(posts)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                responses[index] = posts[index]()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(posts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert all(r is not None for r in responses)
    return responses
