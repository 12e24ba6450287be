"""Every citation in the penalty packs against the texts themselves (../shared/regulations).

Each provision must name an existing article, paragraph and items; the text must contain each amount the
pack gives, written the way the text writes it (3万元, 一万元, 5000元); and each measure and flag must have
its words in the article. Shanxi is checked against both of its layouts.
"""

from __future__ import annotations

import re

import cn2an
import pytest

from imports.regulation_text import Article, Regulation, chinese_number
from tests.regulation_texts import FILES, no_text, regulation
from workflows.penalty_pack import Citation, Fine, Measure, Note, Provision, all_penalty_packs
from workflows.rules import jurisdiction_codes

PACKS = all_penalty_packs()
CASES = [
    (name, provision.code)
    for name, jurisdiction in FILES.items()
    for provision in [*PACKS[jurisdiction].provisions, *PACKS[jurisdiction].notes]
]

# The words in the article that ground each measure.
MEASURE_WORDS = {
    "order_to_correct": ("改正",),
    "order_to_stop": ("停止侵害",),
    "order_to_remove": ("责令拆除",),
    "forced_removal": ("强制拆除",),
    "confiscate_illegal_gains": ("没收违法所得",),
    "public_security_punishment_referral": ("《中华人民共和国治安管理处罚法》",),
    "civil_liability": ("赔偿", "民事责任"),
    "criminal_referral": ("依法追究刑事责任",),
    "disciplinary_action": ("处分",),
}
CONDITION_WORDS = {
    "not_corrected": ("逾期不改正", "拒不拆除"),
    "crime": ("构成犯罪",),
    "loss_caused": ("造成损失", "造成损害", "给他人造成损失", "给当事人造成损失"),
    "privacy_infringed": ("隐私",),
    "illegal_gains": ("有违法所得",),
    "severe": ("情节严重", "严重后果"),
}


def yuan_forms(amount: int) -> set[str]:
    """The ways the texts write an amount of yuan: 30000 → 30000, 3万, 三万; 1000 → 1000, 一千."""
    forms = {str(amount), cn2an.an2cn(amount)}
    if amount % 10000 == 0:
        forms.add(f"{amount // 10000}万")
    return forms


def written(amounts: set[str], suffix: str) -> str:
    return "(?:" + "|".join(re.escape(form + suffix) for form in sorted(amounts, key=len, reverse=True)) + ")"


def fine_pattern(fine: Fine) -> re.Pattern[str]:
    """处5000元罚款 for a fixed fine; 5000元以上1万元以下 for a range."""
    if fine.fixed is not None:
        return re.compile(r"处(?:以)?" + written(yuan_forms(fine.fixed), "元罚款"))
    return re.compile(written(yuan_forms(fine.low), "元以上") + written(yuan_forms(fine.high), "元以下"))


def resolve(text: Regulation, citation: Citation) -> tuple[Article, str]:
    """The cited article and the cited paragraph's text (the whole article when no paragraph is cited)."""
    assert citation.article in text.articles, f"no article {citation.article}"
    article = text.articles[citation.article]
    if citation.paragraph is None:
        body = article.text
    else:
        assert citation.paragraph <= len(article.paragraphs), (
            f"art. {citation.article} has no paragraph {citation.paragraph}"
        )
        body = article.paragraph(citation.paragraph)
    if citation.items:
        items = article.items(citation.paragraph)
        assert set(citation.items) <= set(items), (
            f"art. {citation.article}: items {citation.items} not in {sorted(items)}"
        )
    return article, body


def case(name: str, code: str) -> tuple[Regulation, Provision | Note]:
    text = regulation(name)
    pack = PACKS[FILES[name]]
    entry = next(item for item in [*pack.provisions, *pack.notes] if item.code == code)
    return text, entry


@pytest.mark.parametrize(("name", "code"), CASES)
def test_the_citation_names_an_article_in_the_liability_chapter(name, code):
    text, entry = case(name, code)
    article, _ = resolve(text, entry.reference)
    if text.chapters:  # the one-article-a-line layout of Shanxi has no chapter headings
        chapter = next(chapter for chapter in text.chapters if chapter.number == article.chapter)
        assert chapter.title == "法律责任"


@pytest.mark.parametrize(("name", "code"), [c for c in CASES if not c[1].endswith(("-27", "-28", "-36"))])
def test_the_violated_articles_exist_and_are_those_the_text_names(name, code):
    text, provision = case(name, code)
    _, body = resolve(text, provision.reference)
    for violated in provision.violates:
        resolve(text, violated)
    named = re.search(r"违反本(?:条例|办法|法)((?:第[一二三四五六七八九十]+[条款项]、?)+)规定", body)
    if not named:  # "违反本条例规定，…": the pack names the articles from the acts described
        assert body.startswith("违反本条例规定"), body
        return
    cited = re.findall(r"第([一二三四五六七八九十]+)([条款项])", named.group(1))
    articles = {chinese_number(n) for n, kind in cited if kind == "条"}
    assert articles == {violated.article for violated in provision.violates}
    paragraphs = {chinese_number(n) for n, kind in cited if kind == "款"}
    assert paragraphs == {v.paragraph for v in provision.violates if v.paragraph}
    items = {chinese_number(n) for n, kind in cited if kind == "项"}
    assert items == {item for v in provision.violates for item in v.items}


@pytest.mark.parametrize(("name", "code"), [c for c in CASES if not c[1].endswith(("-27", "-28", "-36"))])
def test_the_text_contains_every_amount_the_pack_gives(name, code):
    text, provision = case(name, code)
    _, body = resolve(text, provision.reference)
    fines = list(provision.fines.values())
    if provision.aggravated:
        assert provision.aggravated.label in body
        fines += provision.aggravated.fines.values()
    for fine in fines:
        assert fine_pattern(fine).search(body), f"{fine} not found in: {body}"
    if provision.no_fine:
        assert "罚款" not in body
    gains = provision.illegal_gains
    if gains and gains.fine_multiple:
        assert f"处违法所得{cn2an.an2cn(gains.fine_multiple)}倍罚款" in body
    if gains and gains.confiscate:
        assert "没收违法所得" in body


@pytest.mark.parametrize(("name", "code"), [c for c in CASES if not c[1].endswith(("-27", "-28", "-36"))])
def test_order_to_correct_first_follows_the_words(name, code):
    text, provision = case(name, code)
    _, body = resolve(text, provision.reference)
    first_fine = body.find("罚款") if "罚款" in body else len(body)
    ordered_first = any(word in body[:first_fine] for word in ("逾期不改正", "拒不拆除"))
    assert provision.order_to_correct_first is ordered_first


@pytest.mark.parametrize(("name", "code"), CASES)
def test_every_measure_has_its_words_in_the_article(name, code):
    text, entry = case(name, code)
    _, body = resolve(text, entry.reference)
    measures: list[Measure] = list(entry.measures)
    if isinstance(entry, Provision) and entry.aggravated:
        measures += entry.aggravated.measures
    for measure in measures:
        assert any(word in body for word in MEASURE_WORDS[measure.code]), (measure.code, body)
        if measure.when != "always":
            assert any(word in body for word in CONDITION_WORDS[measure.when]), (measure.when, body)
        if measure.label:
            # A label in the article's own words must be found in the article (after its condition).
            words = measure.label.split("，")[-1]
            assert words.replace("依法给予行政处分", "行政处分") in body or words in body, (
                measure.label,
                body,
            )


@pytest.mark.parametrize("name", FILES)
def test_regulation_title_and_date_in_force(name):
    text = regulation(name)
    pack = PACKS[FILES[name]]
    if text.title is not None:
        assert text.title == pack.regulation.title
    day = pack.regulation.in_force_from
    written_date = f"{day.year}年{day.month}月{day.day}日"
    # An amended text names its amendment in the preamble; an unamended one its commencement in the last article.
    last = text.articles[max(text.articles)].text
    if name != "shanxi-2012-plain.txt":
        assert written_date in text.preamble or f"自{written_date}起施行" in last


@pytest.mark.parametrize("code", jurisdiction_codes())
def test_each_pack_is_checked_against_its_text_or_says_it_has_none(code):
    """A pack found by the loader is cross-checked against every text it names; one that names none (the
    generated fifth pack) is skipped saying so, while a named text missing fails under CI."""
    no_text(code)
    names = [name for name, owner in FILES.items() if owner == code]
    assert names and all(regulation(name).articles for name in names)
