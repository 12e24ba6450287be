"""An anonymous visitor's header is rendered once per language and kept with holes for the language form's
token and return path (app/templating.py, anonymous_header): every visitor still gets the header an
uncached render gives, with a token that works for them and their own page to come back to."""

from __future__ import annotations

import pytest

from tests.support import form_fields, get_page, page_text, parse

HOSTILE_QUERY = '"><script>alert(1)</script>&x=<b>'


def header(doc) -> str:
    return str(doc.select_one("header.top"))


def language_form(doc) -> dict:
    return form_fields(doc, "form.lang")


def uncached(app, client, path: str):
    """The page as it renders with no header kept."""
    app.extensions.pop("jifang.anonymous_header", None)
    return parse(client.get(path))


@pytest.mark.parametrize("path", ["/", "/roster", "/warnings", "/auth/login"])
def test_a_kept_header_is_the_header_an_uncached_render_gives(app, path):
    visitor = app.test_client()
    first = uncached(app, visitor, path)
    again = parse(visitor.get(path))  # from the kept header, the same visitor (the same token)
    assert header(again) == header(first)
    assert language_form(again)["next"] == path


def test_each_visitor_gets_a_token_that_works_for_them(app):
    first, second = app.test_client(), app.test_client()
    forms = [language_form(parse(client.get("/roster"))) for client in (first, second)]
    assert forms[0]["csrf_token"] != forms[1]["csrf_token"]
    for client, fields in ((first, forms[0]), (second, forms[1])):
        response = client.post("/language", data={**fields, "lang": "en"})
        assert response.status_code == 302 and response.location.endswith("/roster")
        assert parse(client.get("/roster")).find("html")["lang"] == "en"
    stranger = app.test_client()
    stranger.get("/roster")
    assert stranger.post("/language", data={**forms[0], "lang": "en"}).status_code == 400  # not theirs


def test_the_return_path_is_each_pages_own_and_escaped(app):
    visitor = app.test_client()
    visitor.get("/roster")
    response = visitor.get("/roster", query_string={"name": HOSTILE_QUERY})
    doc = parse(response)
    assert doc.find("script") is None and "<script>" not in response.get_data(as_text=True)
    assert language_form(doc)["next"].startswith("/roster?name=")
    fresh = app.test_client()
    assert header(parse(fresh.get("/roster", query_string={"name": HOSTILE_QUERY}))) != header(doc)  # own token
    again = uncached(app, visitor, response.request.full_path)
    assert header(again) == header(doc)


def test_an_english_visitor_and_a_chinese_one_each_see_their_own_header(app):
    english, chinese = app.test_client(), app.test_client()
    fields = language_form(parse(english.get("/roster")))
    assert english.post("/language", data={**fields, "lang": "en"}).status_code == 302
    english_header = page_text(parse(english.get("/roster")).select_one("header.top"))
    chinese_header = page_text(parse(chinese.get("/roster")).select_one("header.top"))
    assert "Home" in english_header and "首页" not in english_header
    assert "首页" in chinese_header and "Home" not in chinese_header
    assert "简体中文" in english_header and "English" in chinese_header


def test_a_logged_in_users_header_is_theirs_and_not_kept(app, login_as):
    anonymous = app.test_client()
    anonymous.get("/roster")
    clerk, _user = login_as("city_clerk", username="clerk_wang", authority_code="210100")
    own = get_page(clerk, "roster.index")
    assert "clerk_wang" in page_text(own.select_one("header.top"))
    assert own.select_one('header.top form[action*="logout"]') is not None
    again = parse(anonymous.get("/roster"))
    assert "clerk_wang" not in page_text(again) and again.select_one('form[action*="logout"]') is None
