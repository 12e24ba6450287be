"""A person reads the system in English (issue 14, point 12): picks English on the log-in page, logs in
and still reads English, then runs the penalty calculator and reads its result, measures, dates and
trace in English (the regulation's own words stay Chinese, marked so)."""

import re

from tests.support import PASSWORD

HAN = re.compile(r"[\u3400-\u9fff]")


def test_english_survives_log_in_and_the_calculator_answers_in_english(page, factory):
    clerk = factory.user("city_clerk", "english_clerk", authority_code="210100")
    page.goto("/auth/login")
    page.get_by_role("button", name="English").click()
    assert page.locator("h1").inner_text() == "Log in"
    page.get_by_label("Username").fill(clerk.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # Logged in, and still in English.
    assert page.locator("html").get_attribute("lang") == "en"
    nav = page.locator("nav").first.inner_text()
    assert "Penalty calculator" in nav and not HAN.search(nav), nav
    page.get_by_role("link", name="Penalty calculator").click()
    assert page.locator("h1").inner_text() == "Penalty calculator"

    page.get_by_label("Violation (penalty article)").select_option("liaoning-35")
    page.get_by_label("Firm", exact=True).check()
    page.get_by_label("Date of the violation").fill("2024-06-01")
    page.get_by_label("Illegal gains (yuan)").fill("5000")
    page.get_by_role("button", name="Calculate").click()

    result = page.locator("#result")
    recommended = result.locator("td.recommended").all_inner_texts()
    assert recommended == ["30,000 yuan", "15,000 yuan"]
    assert "45,000 yuan" in result.locator("tr.fine-total").inner_text()
    measures = result.locator("ul.measures > li").all_inner_texts()
    assert any(m.startswith("Order to correct within a time limit") for m in measures), measures
    assert "1 June 2026" in result.locator("dd.limitation").inner_text()  # two years after the act
    steps = result.locator("ol.trace > li").all_inner_texts()
    trace = " ".join(steps)
    assert "A fine of 30,000 yuan on the unit" in trace and "3 times the illegal gains" in trace, trace
    assert "the party must be told of the right to request a hearing" in trace, trace
    for step in steps:
        # Only the citation (the regulation's Chinese title and article) may be Chinese, after its note.
        own = step.split(" (cited in Chinese: ", 1)[0]
        assert not HAN.search(own), step
        assert "（" not in own and "）" not in own and "。" not in own and "；" not in own, step
    hearing = result.locator("dd.hearing").inner_text()
    assert "hearing" in hearing and not HAN.search(hearing)
