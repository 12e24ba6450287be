"""An anonymous visitor's header is rendered once per language and kept with a hole for the language form's
return path (app/templating.py, anonymous_header): every visitor still gets the header an uncached render
gives, with their own page to come back to. The form carries no CSRF token, so a public page gives its
anonymous reader no cookie; the switch refuses posts other sites make a browser send (by Sec-Fetch-Site
or Origin: app/security.py, cross_origin_request)."""

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
    again = parse(visitor.get(path))  # from the kept header
    assert header(again) == header(first)
    assert language_form(again)["next"] == path


@pytest.mark.parametrize("path", ["/", "/roster", "/warnings", "/roster?name=科技"])
def test_a_reader_of_public_pages_is_given_no_cookie(app, path):
    visitor = app.test_client()
    response = visitor.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers
    assert "csrf_token" not in language_form(parse(response))
    assert response.headers["Vary"] == "Cookie"  # the page depends on the language a cookie may hold


def test_the_switch_works_from_any_page_of_the_site_without_a_session(app):
    visitor = app.test_client()
    fields = language_form(parse(visitor.get("/roster")))
    same_site = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    response = visitor.post("/language", data={**fields, "lang": "en"}, headers=same_site)
    assert response.status_code == 302 and response.location.endswith("/roster")
    assert parse(visitor.get("/roster")).find("html")["lang"] == "en"
    # An older browser sends only Origin; a script sends neither and carries no victim's cookies.
    for headers, lang in (({"Origin": "http://localhost"}, "zh_Hans_CN"), ({}, "en")):
        assert visitor.post("/language", data={**fields, "lang": lang}, headers=headers).status_code == 302
        assert parse(visitor.get("/roster")).find("html")["lang"] == ("en" if lang == "en" else "zh-CN")


@pytest.mark.parametrize("headers", [
    {"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "same-site", "Origin": "http://sub.localhost"},
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
])
def test_a_switch_another_site_makes_a_browser_post_is_refused(app, headers):
    visitor = app.test_client()
    visitor.get("/roster")
    response = visitor.post("/language", data={"lang": "en", "next": "/roster"}, headers=headers)
    assert response.status_code == 403
    assert parse(visitor.get("/roster")).find("html")["lang"] == "zh-CN"
    assert visitor.get_cookie("jifang_lang") is None


def test_the_return_path_is_each_pages_own_and_escaped(app):
    visitor = app.test_client()
    visitor.get("/roster")
    response = visitor.get("/roster", query_string={"name": HOSTILE_QUERY})
    doc = parse(response)
    assert doc.find("script") is None and "<script>" not in response.get_data(as_text=True)
    assert language_form(doc)["next"].startswith("/roster?name=")
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
