"""Parse a regulation text, as a bureau received it, into chapters, articles and paragraphs.

The texts come in several layouts (Markdown headings, bold labels, one article a line, plain text with
【bracketed titles】) and with defects: lines broken mid-sentence, a letter ``l`` printed for the digit
``1``, half-width punctuation in one copy and full-width in another. The parser normalises all of them to
one canonical form so that two layouts of one law give the same article texts, and so that the penalty
rule packs can be checked against the words of the law.

No Flask here: the CLI importer and the tests call :func:`parse_regulation` directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

__all__ = [
    "Article",
    "Chapter",
    "Regulation",
    "RegulationParseError",
    "chinese_number",
    "load_regulation_file",
    "normalise_line",
    "parse_regulation",
]

# Chinese numerals as they appear in article, chapter and item labels.
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_NUM = rf"[{_CN_DIGITS}0-9]+"

# A line that opens an article: 第十五条 followed by a separator (space, ideographic space, 【title】) or
# the end of the line. Text that merely starts with "第十五条规定的" (a line broken before a cross
# reference) is not a label, because a character follows the label directly.
_ARTICLE_RE = re.compile(rf"^第({_NUM})条(?:$|[ \u3000]+|(?=【))(.*)$")
_CHAPTER_RE = re.compile(rf"^第({_NUM})章(?:$|[ \u3000]+)(.*)$")
_TITLE_RE = re.compile(r"^【([^】]{1,40})】[ \u3000]*(.*)$")
# An item label (一)/（一） at the start of a line.
_ITEM_START_RE = re.compile(r"^（[一二三四五六七八九十]+）")
_ITEM_RE = re.compile(r"（([一二三四五六七八九十]+)）")

# Punctuation that ends a sentence or a clause that a new paragraph or item may follow. A line that ends
# otherwise was broken mid-sentence and is joined to the next.
SENTENCE_END = "。；：！？"
_CLOSERS = "”’」』）》"

# Half-width punctuation as one layout prints it, and the full-width form the others use.
_FULL_WIDTH = str.maketrans({",": "，", ";": "；", ":": "：", "(": "（", ")": "）", "?": "？", "!": "！"})
_CJK = r"\u3000-\u303f\u4e00-\u9fff\uff00-\uffef"
# Whitespace next to a Chinese character or full-width punctuation carries no meaning.
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{_CJK}])[ \t\u3000]+|[ \t\u3000]+(?=[{_CJK}])")
# A letter l printed for the digit 1: next to a digit or before a Chinese unit (l万元, 5000l, l000元),
# but never inside a latin word. (Capital I is left alone: "I2C" is a word, not a misprint.)
_MISPRINTED_ONE = re.compile(r"(?<![A-Za-z])l(?=[0-9]|[万千百十元]|\.[0-9])|(?<=[0-9])l(?![A-Za-z])")
# Private-use and invisible characters that some exports leave behind.
_INVISIBLE = re.compile(r"[\ue000-\uf8ff\u200b-\u200f\u2060\ufeff]")
_MD_HEADING = re.compile(r"^#{1,6}\s*")
_MD_BULLET = re.compile(r"^[-*+]\s+")
_HTML_COMMENT = re.compile(r"<!--.*?-->")
_TITLE_SUFFIXES = ("条例", "办法", "规定", "规则", "细则", "决定", "法")


class RegulationParseError(ValueError):
    """The text has no recognisable articles, or its article numbers cannot be read."""


@dataclass
class Article:
    """One article (条): its paragraphs (款) in order, items (项) kept inside their paragraph."""

    number: int
    title: str | None
    paragraphs: list[str]
    chapter: int | None = None

    @property
    def text(self) -> str:
        """The whole article, one paragraph a line."""
        return "\n".join(self.paragraphs)

    @property
    def label(self) -> str:
        return f"第{chinese_numeral(self.number)}条"

    def paragraph(self, number: int) -> str:
        """Paragraph ``number`` (1-based), as the law counts 款."""
        if not 1 <= number <= len(self.paragraphs):
            raise KeyError(f"{self.label} has no paragraph {number}")
        return self.paragraphs[number - 1]

    def items(self, paragraph_no: int | None = None) -> dict[int, str]:
        """The items （一）（二）… of a paragraph, numbered from 1; the first paragraph that has items when
        ``paragraph_no`` is None. Empty when there are none."""
        candidates = [paragraph_no] if paragraph_no else range(1, len(self.paragraphs) + 1)
        for number in candidates:
            found = split_items(self.paragraph(number))
            if found:
                return found
        return {}


@dataclass
class Chapter:
    number: int
    title: str
    articles: list[Article] = field(default_factory=list)


@dataclass
class Regulation:
    title: str | None
    chapters: list[Chapter]
    articles: dict[int, Article]
    preamble: str = ""
    trailer: str = ""

    def article(self, number: int) -> Article:
        try:
            return self.articles[number]
        except KeyError:
            raise KeyError(f"regulation has no article {number}") from None


def chinese_number(numeral: str) -> int:
    """Read an article, chapter or item number written in Chinese (or Arabic) numerals."""
    if numeral.isdigit():
        return int(numeral)
    import cn2an  # imported on first use (it takes ~0.3 s to import)

    try:
        return int(cn2an.cn2an(numeral.replace("〇", "零"), "smart"))
    except (ValueError, KeyError) as exc:  # cn2an raises ValueError on malformed numerals
        raise RegulationParseError(f"cannot read the Chinese numeral {numeral!r}") from exc


def chinese_numeral(number: int) -> str:
    """Write a number as the labels do: 1 → 一, 10 → 十, 21 → 二十一."""
    import cn2an

    text = cn2an.an2cn(number)
    return text[1:] if text.startswith("一十") else text


def split_items(paragraph: str) -> dict[int, str]:
    """Items （一）…（n） of a paragraph. Only a run numbered 1, 2, 3… counts, so that a parenthesis such
    as （市、区） or a stray （五） cited in the text is not mistaken for an item."""
    matches = [(chinese_number(m.group(1)), m) for m in _ITEM_RE.finditer(paragraph)]
    run: list[re.Match[str]] = []
    for number, match in matches:
        if number == len(run) + 1:
            run.append(match)
    items: dict[int, str] = {}
    for index, match in enumerate(run):
        end = run[index + 1].start() if index + 1 < len(run) else len(paragraph)
        items[index + 1] = paragraph[match.end() : end].strip()
    return items


def normalise_line(line: str) -> str:
    """Canonical form of one line of text: no Markdown, full-width punctuation, no spaces between Chinese
    characters, and the misprinted ``l`` read as ``1``."""
    return _collapse_spaces(_strip_markup(line))


def _strip_markup(line: str) -> str:
    """A line without Markdown, invisible characters and half-width punctuation; spaces kept, because
    they separate a label (第一条　) from its text."""
    line = _INVISIBLE.sub("", line)
    line = _HTML_COMMENT.sub("", line)
    line = line.strip()
    line = _MD_HEADING.sub("", line)
    line = _MD_BULLET.sub("", line)
    line = line.replace("**", "").replace("__", "")
    line = line.translate(_FULL_WIDTH)
    return _MISPRINTED_ONE.sub("1", line).strip()


def _collapse_spaces(text: str) -> str:
    return _SPACE_NEAR_CJK.sub("", text).strip()


def _ends_sentence(text: str) -> bool:
    stripped = text.rstrip(_CLOSERS) or text
    return stripped[-1:] in SENTENCE_END


class _Builder:
    """Collects lines into paragraphs for the article being read."""

    def __init__(self, number: int, title: str | None, chapter: int | None) -> None:
        self.article = Article(number=number, title=title, paragraphs=[], chapter=chapter)
        # Whether the last paragraph was begun by a fresh line (not a continuation): used to drop a
        # publisher's line that trails the final article.
        self.last_started_fresh = False

    def add(self, line: str) -> None:
        paragraphs = self.article.paragraphs
        if not paragraphs:
            paragraphs.append(line)
            self.last_started_fresh = True
        elif _ITEM_START_RE.match(line) or not _ends_sentence(paragraphs[-1]):
            # An item belongs to the paragraph that introduces it; a line broken mid-sentence is joined.
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
            self.last_started_fresh = True


def parse_regulation(text: str) -> Regulation:
    """Split a regulation into chapters and articles.

    Paragraph rule: a line that follows a line ending a sentence (。；：！？) starts a new paragraph, unless
    it is an item （一）, which stays in the paragraph that introduces it; any other line was broken
    mid-sentence and is joined to the previous one. Blank lines carry no meaning, because the texts put
    them both between paragraphs and inside broken sentences.
    """
    parser = _Parser()
    for raw in text.splitlines():
        parser.feed(raw)
    return parser.finish()


class _Parser:
    """Reads a text line by line; a chapter or article label opens a new chapter or article."""

    def __init__(self) -> None:
        self.preamble: list[str] = []
        self.chapters: list[Chapter] = []
        self.articles: dict[int, Article] = {}
        self.current: _Builder | None = None
        self.chapter: Chapter | None = None

    def feed(self, raw: str) -> None:
        marked = _strip_markup(raw)
        line = _collapse_spaces(marked)
        if not line:
            return
        if self._open_chapter(marked, line) or self._open_article(marked):
            return
        if self.current is None:
            self.preamble.append(line)
        else:
            self.current.add(line)

    def _open_chapter(self, marked: str, line: str) -> bool:
        match = _CHAPTER_RE.match(marked)
        if not match or len(line) > 40 or _ends_sentence(line):
            return False
        self._close()
        title = _collapse_spaces(match.group(2)).replace(" ", "")
        self.chapter = Chapter(number=chinese_number(match.group(1)), title=title)
        self.chapters.append(self.chapter)
        return True

    def _open_article(self, marked: str) -> bool:
        match = _ARTICLE_RE.match(marked)
        if not match:
            return False
        number = chinese_number(match.group(1))
        last = self.current.article.number if self.current else max(self.articles, default=0)
        if number <= last:  # a cross reference at the start of a broken line, not a label
            return False
        self._close()
        title, rest = None, _collapse_spaces(match.group(2))
        title_match = _TITLE_RE.match(rest)
        if title_match:
            title, rest = title_match.group(1).strip(), title_match.group(2)
        self.current = _Builder(number, title, self.chapter.number if self.chapter else None)
        if rest:
            self.current.add(rest)
        return True

    def _close(self) -> None:
        if self.current is not None:
            self.articles[self.current.article.number] = self.current.article
            if self.chapter is not None:
                self.chapter.articles.append(self.current.article)
        self.current = None

    def finish(self) -> Regulation:
        trailer = ""
        if self.current is not None:
            # A last line that starts fresh but ends no sentence is the publisher's (秦皇岛市人民政府发布).
            paragraphs = self.current.article.paragraphs
            if len(paragraphs) > 1 and self.current.last_started_fresh and not _ends_sentence(paragraphs[-1]):
                trailer = paragraphs.pop()
        self._close()
        if not self.articles:
            raise RegulationParseError("no article (第一条 …) found in the text")
        return Regulation(
            title=_find_title(self.preamble),
            chapters=self.chapters,
            articles=self.articles,
            preamble="\n".join(self.preamble),
            trailer=trailer,
        )


def _find_title(preamble: list[str]) -> str | None:
    """The regulation's name: the first line before the articles that reads like one (…条例, …办法), so
    that a publisher's heading such as 秦皇岛市人民政府规章 is passed over."""
    for line in preamble:
        if not line.startswith("（") and line.endswith(_TITLE_SUFFIXES):
            return line
    return preamble[0] if preamble else None


def load_regulation_file(path: str | Path) -> Regulation:
    """Parse a regulation file (UTF-8, with or without a byte-order mark)."""
    return parse_regulation(Path(path).read_text(encoding="utf-8-sig"))


REGULATIONS_DIR_VAR = "JIFANG_REGULATIONS_DIR"
_PROJECT = Path(__file__).resolve().parents[1]


def regulations_dir() -> Path:
    """Where the bureau's copies of the regulations are: JIFANG_REGULATIONS_DIR, else shared/regulations
    beside the project, else beside the repository this checkout was cloned from (a clone made elsewhere,
    e.g. in /tmp, still finds the texts of the workplace it came from). The texts are not in the project:
    it cites them by article and does not copy them. The first candidate is returned when none exists."""
    import os
    import subprocess

    if os.environ.get(REGULATIONS_DIR_VAR):
        return Path(os.environ[REGULATIONS_DIR_VAR])
    beside = _PROJECT.parent / "shared" / "regulations"
    candidates = [beside]
    try:
        origin = subprocess.run(["git", "-C", str(_PROJECT), "config", "--get", "remote.origin.url"],
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        origin = ""
    origin = origin.removeprefix("file://")
    if origin and Path(origin).is_dir():
        candidates.append(Path(origin).resolve().parent / "shared" / "regulations")
    return next((c for c in candidates if c.is_dir()), beside)
