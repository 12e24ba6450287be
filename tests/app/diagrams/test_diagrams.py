"""Process diagrams drawn from the workflow definitions (issue 13 point 6): every declared state and
transition appears in the SVG (read with lxml), a filing's current state and path are highlighted, a firm
sees only its own filing's, and the page says the same as text."""

from __future__ import annotations

import pytest
from lxml import etree
from lxml import html as lxml_html

from tests.app.filing_support import submit_new
from tests.support import login
from workflows.engine import definition_names, load_definition

pytestmark = pytest.mark.today("2026-11-30")
SVG = "{http://www.w3.org/2000/svg}"


def _svg(response) -> etree._Element:
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    return etree.fromstring(response.data)


def _groups(root, kind: str) -> dict[str, etree._Element]:
    return {g.get(f"data-{kind}"): g for g in root.iter(f"{SVG}g") if kind in (g.get("class") or "").split()}


@pytest.mark.parametrize("name", definition_names())
def test_every_declared_state_and_transition_is_drawn(app, factory, name):
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code="210100"))
    root = _svg(clerk.get(f"/workflows/{name}.svg"))
    workflow = load_definition(name)
    states, transitions = _groups(root, "state"), _groups(root, "transition")
    assert set(states) == set(workflow.states) and set(transitions) == set(workflow.transitions)
    for key, state in workflow.states.items():
        assert state.label in "".join(states[key].itertext())
    for key, transition in workflow.transitions.items():
        group = transitions[key]
        assert transition.label in group.findtext(f"{SVG}title")
        assert group.get("data-from").split() == list(transition.from_)
        assert group.findall(f"{SVG}path"), key  # an arrow for each declared move
    page = lxml_html.fromstring(clerk.get(f"/workflows/{name}").data)
    assert set(page.xpath("//li/@data-transition")) == set(workflow.transitions)
    assert page.xpath("//svg[contains(@class, 'workflow-diagram')]")  # inline, server-rendered


def test_roles_and_time_limits_are_drawn(app, factory):
    clerk = app.test_client()
    login(clerk, factory.user("city_clerk", authority_code="210100"))
    root = _svg(clerk.get("/workflows/filing.svg"))
    assert "时限15个工作日" in "".join(_groups(root, "state")["under_review"].itertext())  # Liaoning's pack
    assert "（市局、省厅）" in "".join(_groups(root, "transition")["approve"].itertext())
    assert "单位" in _groups(root, "transition")["submit"].findtext(f"{SVG}title")


def test_a_firm_sees_its_filing_with_the_current_state_and_path_and_nothing_else(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102", city_code="210200")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = submit_new(client, pack, city_code="210200")
    root = _svg(client.get(f"/workflows/filing.svg?request={request_id}"))
    states, transitions = _groups(root, "state"), _groups(root, "transition")
    assert "current" in states["under_review"].get("class").split()
    assert "visited" in states["draft"].get("class").split()
    assert "taken" in transitions["submit"].get("class").split()
    assert "taken" not in transitions["approve"].get("class").split()
    # the filing page shows it
    page = lxml_html.fromstring(client.get(f"/filings/{request_id}").data)
    image = page.xpath("//section[contains(@class, 'diagram')]//img")[0]
    assert image.get("src") == f"/workflows/filing.svg?request={request_id}" and "审核中" in image.get("alt")
    # another firm's request, another workflow: 404
    other = app.test_client()
    login(other, factory.user("firm", firm=factory.firm(division="210102")))
    assert other.get(f"/workflows/filing.svg?request={request_id}").status_code == 404
    assert client.get("/workflows/complaint.svg").status_code == 404
    assert client.get("/workflows/nothing.svg").status_code == 404
    # a clerk of another bureau cannot see the request's path either
    shenyang = app.test_client()
    login(shenyang, factory.user("city_clerk", authority_code="210100"))
    assert shenyang.get(f"/workflows/filing.svg?request={request_id}").status_code == 404
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    assert "current" in _groups(_svg(dalian.get(f"/workflows/filing.svg?request={request_id}")),
                                "state")["under_review"].get("class")


def test_the_public_is_sent_to_log_in(client):
    assert client.get("/workflows/filing.svg").status_code in (302, 401)


def test_the_review_page_links_the_requests_diagram(app, factory):
    pack = app.extensions["jifang.pack"]
    firm = factory.firm(division="210102", city_code="210200")
    client = app.test_client()
    login(client, factory.user("firm", firm=firm))
    request_id = submit_new(client, pack, city_code="210200")
    dalian = app.test_client()
    login(dalian, factory.user("city_clerk", authority_code="210200"))
    page = lxml_html.fromstring(dalian.get(f"/review/{request_id}").data)
    link = page.xpath("//a[contains(@href, '/workflows/filing')]")[0].get("href")
    diagram = lxml_html.fromstring(dalian.get(link).data)
    assert "审核中" in diagram.xpath("//p[strong]")[0].text_content()
