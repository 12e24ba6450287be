"""Issue 14 points 13–14 in the markup: what a keyboard and a screen reader rely on (WCAG 2.1 AA), read
with lxml: the default submit button, the error summary's focus and the title, fieldset and legend, hints
and errors linked with aria-describedby, required markers, autocomplete, the favicon, the focus ring."""

from __future__ import annotations

import re

from lxml import etree
from lxml import html as lxml_html

from tests.app.filing_support import form_data, save, start
from tests.support import login


def _doc(response):
    assert response.status_code == 200, response.status_code
    return lxml_html.fromstring(response.get_data(as_text=True))


def _described(doc, element) -> str:
    """The text of the elements an element's aria-describedby names."""
    ids = (element.get("aria-describedby") or "").split()
    assert ids, lxml_html.tostring(element)[:200]
    return " ".join(" ".join(doc.get_element_by_id(i).text_content().split()) for i in ids)


def _firm_client(app, factory):
    user = factory.user("firm", "a11y_firm")
    client = app.test_client()
    login(client, user)
    return client


def test_enter_in_a_filing_field_saves_the_draft_and_never_adds_a_person(app, factory):
    client = _firm_client(app, factory)
    request_id = start(client)
    doc = _doc(client.get(f"/filings/{request_id}/edit"))
    form = doc.xpath("//form[contains(@class, 'filing-form')]")[0]
    first = form.xpath(".//button[@type='submit' or not(@type)] | .//input[@type='submit']")[0]
    # The browser's implicit submission presses the form's first submit button (HTML, 4.10.21.2).
    assert (first.get("name"), first.get("value")) == ("save", "1")
    assert first.get("tabindex") == "-1" and first.get("aria-hidden") == "true"
    # What that press posts: the fields and save=1. The draft is saved and has one person, not two.
    pack = app.extensions["jifang.pack"]
    response = save(client, request_id, form_data(pack, staff=1, legal_rep="按回车的人"))
    assert response.status_code == 302
    page = _doc(client.get(response.headers["Location"]))
    assert page.get_element_by_id("legal_rep").get("value") == "按回车的人"
    assert page.xpath("//input[@name='staff-0-name']") and not page.xpath("//input[@name='staff-1-name']")


def test_a_refused_submission_says_so_in_the_title_and_focuses_the_error_summary(app, factory):
    client = _firm_client(app, factory)
    request_id = start(client)
    response = save(client, request_id, {"legal_rep": ""}, send=True)
    doc = _doc(response)
    assert doc.findtext(".//title").startswith("有错误：")
    summary = doc.xpath("//div[contains(@class, 'error-summary')]")[0]
    assert summary.get("autofocus") is not None and summary.get("tabindex") == "-1"
    assert len(doc.xpath("//*[@autofocus]")) == 1
    # a page without errors keeps its plain title
    assert not _doc(client.get(f"/filings/{request_id}/edit")).findtext(".//title").startswith("有错误")


def test_the_filing_form_groups_marks_and_describes_its_fields(app, factory):
    client = _firm_client(app, factory)
    request_id = start(client)
    pack = app.extensions["jifang.pack"]
    data = form_data(pack, staff=1, business_types=[], **{"staff-0-id_number": "123"})
    doc = _doc(save(client, request_id, data, send=True))
    # 业务类型: a fieldset whose legend names the group; its error is linked to it
    legend = doc.xpath("//fieldset[.//input[@name='business_types']]/legend")[0]
    assert legend.text_content().strip().startswith("业务类型")
    group = legend.getparent()
    assert "业务类型：" in _described(doc, group)
    # a staff row's error is linked to its input
    id_input = doc.get_element_by_id("staff-0-id_number")
    assert id_input.get("aria-invalid") == "true" and "第1名人员身份证号码" in _described(doc, id_input)
    # the file-size limit is linked to every file input
    for file_input in doc.xpath("//input[@type='file']"):
        assert "每个文件不超过" in _described(doc, file_input)
    # required for submission: marked * (hidden from screen readers, which hear `required`)
    note = doc.xpath("//p[contains(@class, 'required-note')]")[0].text_content()
    assert "提交审核时必填" in note
    for name in ("legal_rep", "registered_address", "premises_address", "contact_name", "contact_phone",
                 "equipment", "management_rules"):
        control = doc.get_element_by_id(name)
        assert control.get("required") is not None, name
        assert control.getparent().xpath("./span[@class='req' and @aria-hidden='true']"), name
    assert "*" in legend.text_content()


def test_sign_up_and_log_in_have_autocomplete_and_linked_hints(client):
    login_page = _doc(client.get("/auth/login"))
    assert login_page.get_element_by_id("username").get("autocomplete") == "username"
    assert login_page.get_element_by_id("password").get("autocomplete") == "current-password"
    sign_up = _doc(client.get("/auth/register"))
    assert sign_up.get_element_by_id("password").get("autocomplete") == "new-password"
    assert sign_up.get_element_by_id("confirm").get("autocomplete") == "new-password"
    assert sign_up.get_element_by_id("username").get("autocomplete") == "username"
    assert "至少10个字符" in _described(sign_up, sign_up.get_element_by_id("password"))
    assert "18位" in _described(sign_up, sign_up.get_element_by_id("credit_code"))


def test_every_page_names_its_icon_and_the_icon_is_served(client):
    doc = _doc(client.get("/auth/login"))
    href = doc.xpath("//link[@rel='icon']/@href")[0]
    response = client.get(href)
    try:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"
        assert etree.fromstring(response.get_data()).tag == "{http://www.w3.org/2000/svg}svg"
    finally:
        response.close()


def test_a_browser_asking_for_favicon_ico_is_sent_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.headers["Location"].endswith("/static/favicon.svg")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out_at_least_3_to_1(client):
    """WCAG 2.1 1.4.11: the last focus rule in the stylesheet wins; its colour on white and on the header."""
    response = client.get("/static/style.css")
    css = response.get_data(as_text=True)
    response.close()
    rings = re.findall(r"(?m)^([^{}]*:focus-visible[^{}]*)\{[^}]*outline:\s*3px solid (#[0-9a-fA-F]{6})", css)
    page_ring = [colour for selector, colour in rings if "header" not in selector][-1]
    assert _contrast(page_ring, "#ffffff") >= 3 and _contrast(page_ring, "#f5f7fa") >= 3
    header_ring = re.findall(r"header\.top :focus-visible[^{]*\{[^}]*outline-color:\s*(#[0-9a-fA-F]{6})", css)[-1]
    assert _contrast(header_ring, "#0b4f8a") >= 3


def test_any_page_showing_an_error_summary_says_so_in_its_title(app, db, factory):
    """Not only the pages whose form is called `form`: a refused claim code on the binding page (its own
    summary, two forms on the page) puts 有错误 first in the title and the focus on the summary too."""
    from app.accounts import claims
    from tests.app.accounts.test_firm_claims import _filed_firm_without_account, _signed_up
    from tests.support import post_form

    firm, _request = _filed_firm_without_account(app, db, factory)
    clerk = factory.user("city_clerk", authority_code="210100")
    claims.issue_code(clerk, purpose="claim", firm=firm)
    client, _account = _signed_up(app, db, firm.credit_code, "a11y_claimer")
    doc = lxml_html.fromstring(post_form(client, "/accounts/claim", {"code": "ABCD-EFGH-JKLM"},
                                         token_from="/accounts/bind").get_data(as_text=True))
    assert doc.findtext(".//title").startswith("有错误：")
    assert doc.xpath("//div[contains(@class, 'error-summary')][@autofocus]")
    assert not _doc(client.get("/accounts/bind")).findtext(".//title").startswith("有错误")
