"""The regulation-text parser, on small samples of every layout and on the five texts themselves."""

from __future__ import annotations

import pytest

from imports.regulation_text import (
    RegulationParseError,
    chinese_number,
    chinese_numeral,
    normalise_line,
    parse_regulation,
    split_items,
)
from tests.regulation_texts import regulation

# One article in each layout the bureau receives; all must give the same article.
ARTICLE_TEXT = (
    "违反本条例规定，有下列行为之一的，由公安机关责令限期改正：（一）擅自拆除技防系统的；（二）删改运行记录的。",
    "逾期不改正的，处1000元罚款。",
)
LAYOUTS = {
    "markdown heading": "# 某条例\n\n#### 第五章 法律责任\n\n###### 第十二条\n\n违反本条例规定，有下列行为之一的，由公安\n\n"
    "机关责令限期改正：\n\n（一）擅自拆除技防系统的；\n\n（二）删改运行记录的。\n\n逾期不改正的，处l000元罚款。\n",
    "bold label": "# 某条例\n\n## 第五章 法律责任\n\n**第十二条** 违反本条例规定,有下列行为之一的,由公安\n\n"
    "机关责令限期改正:\n\n- (一)擅自拆除技防系统的;\n- (二)删改运行记录的。\n\n逾期不改正的,处1000元罚款。\n",
    "one article a line": "第十二条\u3000违反本条例规定，有下列行为之一的，由公安机关责令限期改正：（一）擅自拆除技防系统的；"
    "（二）删改运行记录的。\n逾期不改正的，处1000元罚款。\n",
    "two spaces": "某条例\n\n第五章  法律责任\n\n第十二条  违反本条例规定，有下列行为之一的，由公安机关责令限期改正：\n"
    "(一)擅自拆除技防系统的；\n(二)删改运行记录的。\n逾期不改正的，处1000元罚款。\n",
    "bracketed title": "第五章\u3000法律责任\n\n第十二条 【法律责任】 违反本条例规定，有下列行为之一的，由公安机关责令限期改正：\n\n"
    "（一）擅自拆除技防系统的；\n\n（二）删改运行记录的。\n\n逾期不改正的，处1000元罚款。\n",
}


@pytest.mark.parametrize("layout", LAYOUTS)
def test_every_layout_gives_the_same_article(layout):
    parsed = parse_regulation(LAYOUTS[layout])
    article = parsed.articles[12]
    assert tuple(article.paragraphs) == ARTICLE_TEXT
    assert article.text == "\n".join(ARTICLE_TEXT)
    assert article.items(1) == {1: "擅自拆除技防系统的；", 2: "删改运行记录的。"}
    assert article.items(2) == {}
    assert article.title == ("法律责任" if layout == "bracketed title" else None)


def test_chapters_and_titles_from_markdown():
    parsed = parse_regulation(LAYOUTS["markdown heading"])
    assert parsed.title == "某条例"
    assert [(chapter.number, chapter.title) for chapter in parsed.chapters] == [(5, "法律责任")]
    assert parsed.chapters[0].articles == [parsed.articles[12]]
    assert parsed.articles[12].chapter == 5


def test_a_cross_reference_at_the_start_of_a_broken_line_is_not_a_label():
    text = "第一条  违反本条例\n第十一条规定的，处5000元罚款。\n第二条  本条例自公布之日起施行。\n"
    parsed = parse_regulation(text)
    assert sorted(parsed.articles) == [1, 2]
    assert parsed.articles[1].text == "违反本条例第十一条规定的，处5000元罚款。"


def test_a_line_broken_after_a_full_stop_starts_a_paragraph_and_blank_lines_do_not():
    text = "第一条  第一款第一句。\n第二款\n\n继续。\n（一）第一项；\n（二）第二项。\n第三款。\n"
    assert parse_regulation(text).articles[1].paragraphs == [
        "第一款第一句。",
        "第二款继续。（一）第一项；（二）第二项。",
        "第三款。",
    ]


def test_a_publishers_line_after_the_last_article_is_not_law():
    parsed = parse_regulation("第一条  本办法自2018年2月1日起施行。\n\n\n某市人民政府发布 \n")
    assert parsed.articles[1].paragraphs == ["本办法自2018年2月1日起施行。"]
    assert parsed.trailer == "某市人民政府发布"


def test_a_text_without_articles_is_refused():
    with pytest.raises(RegulationParseError):
        parse_regulation("# 标题\n\n只有一段文字。\n")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("处5000元以上l万元以下罚款", "处5000元以上1万元以下罚款"),
        ("处l000元罚款", "处1000元罚款"),
        ("处100l元罚款", "处1001元罚款"),
        ("处l.5万元罚款", "处1.5万元罚款"),
        ("采用level 2 标准和 html 格式", "采用level 2标准和html格式"),
        ("接口 I2C 与 l 号", "接口I2C与l号"),
        ("燃油 (气)、热力", "燃油（气）、热力"),
        ("并设置标识； 其他场所", "并设置标识；其他场所"),
        ("**第一条** 为了", "第一条为了"),
        ("- (一)制定规划;", "（一）制定规划；"),
        ("指导和监督。\ue004", "指导和监督。"),
    ],
)
def test_normalise_line(raw, expected):
    assert normalise_line(raw) == expected


@pytest.mark.parametrize(
    ("numeral", "number"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十九", 29), ("一百零一", 101), ("37", 37)],
)
def test_chinese_numbers_both_ways(numeral, number):
    assert chinese_number(numeral) == number
    if not numeral.isdigit():
        assert chinese_numeral(number) == numeral


def test_items_need_a_run_from_one():
    assert split_items("由设区的市、县（市、区）人民政府负责；见第（五）项。") == {}
    assert split_items("下列：（一）甲（含乙）；（二）丙。") == {1: "甲（含乙）；", 2: "丙。"}


# -- the five texts --------------------------------------------------------------------------------------

EXPECTED = {
    "liaoning-2014.md": (
        "辽宁省公共安全技术防范条例",
        37,
        ["总则", "技防系统管理", "信息使用管理", "监督管理", "法律责任", "附则"],
    ),
    "inner-mongolia-2007.txt": (
        "内蒙古自治区公共安全技术防范管理条例",
        29,
        ["总则", "技防产品或者技防系统的安装", "技防系统的管理", "法律责任", "附则"],
    ),
    "shanxi-2012.md": ("山西省安全技术防范条例", 29, ["总则", "技防系统", "信息使用", "法律责任", "附则"]),
    # The one-article-a-line layout carries neither the title nor the chapter headings.
    "shanxi-2012-plain.txt": (None, 29, []),
    "qinhuangdao-2017.txt": (
        "秦皇岛市公共安全技术防范管理办法",
        29,
        ["总则", "技防系统", "监督管理", "法律责任", "附则"],
    ),
}


@pytest.mark.parametrize("name", EXPECTED)
def test_titles_articles_and_chapters(name):
    title, count, chapters = EXPECTED[name]
    parsed = regulation(name)
    assert parsed.title == title
    assert sorted(parsed.articles) == list(range(1, count + 1))
    assert [chapter.title for chapter in parsed.chapters] == chapters
    assert [chapter.number for chapter in parsed.chapters] == list(range(1, len(chapters) + 1))
    if chapters:
        in_chapters = [article.number for chapter in parsed.chapters for article in chapter.articles]
        assert in_chapters == list(range(1, count + 1))
    for article in parsed.articles.values():
        assert article.paragraphs and all(paragraph[-1] in "。；：" for paragraph in article.paragraphs)
        assert " " not in article.text and "\u3000" not in article.text
        assert not any(mark in article.text for mark in "*#,;:()")


@pytest.mark.parametrize("name", EXPECTED)
def test_the_misprinted_l_is_read_as_one(name):
    texts = "\n".join(article.text for article in regulation(name).articles.values())
    assert "l" not in texts
    if name == "inner-mongolia-2007.txt":
        parsed = regulation(name)
        assert "处5000元以上1万元以下罚款" in parsed.articles[23].text
        assert "并处1万元以上3万元以下罚款" in parsed.articles[24].text


def test_the_two_shanxi_layouts_give_the_same_articles():
    markdown, plain = regulation("shanxi-2012.md"), regulation("shanxi-2012-plain.txt")
    assert sorted(markdown.articles) == sorted(plain.articles)
    differing = [
        n for n in markdown.articles if markdown.articles[n].paragraphs != plain.articles[n].paragraphs
    ]
    # The one wording difference between the copies: the Markdown copy repeats 安装 in art. 13(1). The
    # plain copy reads as the regulation does; the penalty packs cite neither sentence for an amount.
    assert differing == [13]
    assert markdown.articles[13].paragraphs[0] == "任何单位和个人不得擅自安装在公共区域安装技防系统。"
    assert plain.articles[13].paragraphs[0] == "任何单位和个人不得擅自在公共区域安装技防系统。"
    assert markdown.articles[13].paragraphs[1:] == plain.articles[13].paragraphs[1:]


def test_bracketed_titles():
    parsed = regulation("qinhuangdao-2017.txt")
    assert parsed.articles[1].title == "立法目的"
    assert parsed.articles[18].title == "技防系统的设计、安装和维护单位，报警运营服务单位的义务"
    assert all(article.title for article in parsed.articles.values())
    assert parsed.articles[1].text.startswith("为健全公共安全体系")
    assert parsed.trailer == "秦皇岛市人民政府发布"
    for name in ("liaoning-2014.md", "inner-mongolia-2007.txt", "shanxi-2012.md"):
        assert not any(article.title for article in regulation(name).articles.values())


def test_lines_broken_mid_sentence_are_joined():
    liaoning = regulation("liaoning-2014.md")
    assert len(liaoning.articles[3].paragraphs) == 3
    assert "并列入国家《安全技术防范产品目录》的专用产品。" in liaoning.articles[3].paragraphs[1]
    assert (
        liaoning.articles[10].items(1)[9]
        == "易燃、易爆、剧毒、放射性物品，或者管制药品和病菌等危险物品的研制、生产、销售、存放场所或者部位；"
    )
    assert len(liaoning.articles[10].items(1)) == 12
    assert liaoning.articles[10].paragraph(2).startswith("具有前款规定场所和部位的单位")
    assert "由负有举证责任一方向公安机关提出书面申请" in liaoning.articles[25].paragraph(2)
    shanxi = regulation("shanxi-2012.md")
    assert shanxi.articles[8].text.startswith("公共区域技防系统由设区的市、县（市、区）人民政府负责组织建设")
    assert shanxi.articles[24].paragraph(2).startswith("违反本条例规定，其他区域应当安装技防系统而未安装的")


def test_paragraphs_and_items():
    inner_mongolia = regulation("inner-mongolia-2007.txt")
    assert len(inner_mongolia.articles[3].paragraphs) == 3
    assert len(inner_mongolia.articles[13].paragraphs) == 5
    assert inner_mongolia.articles[13].paragraph(5) == "技防系统未经验收或者验收不合格的，不得投入使用。"
    assert len(inner_mongolia.articles[8].items()) == 12
    assert (
        inner_mongolia.articles[8].items()[7]
        == "大型能源动力设施、水利设施和城市水、电、燃油（气）、热力供应设施；"
    )
    assert list(inner_mongolia.articles[9].items(2)) == [1, 2, 3, 4, 5, 6]
    for name in ("shanxi-2012.md", "shanxi-2012-plain.txt"):
        shanxi = regulation(name)
        assert shanxi.articles[4].items(1)[4] == "对安全技术防范活动实施监督管理。"
        assert shanxi.articles[4].items(2) == {}
        assert len(shanxi.articles[26].items()) == 6
        assert len(shanxi.articles[24].paragraphs) == 2
