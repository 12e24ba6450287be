"""The one model of a case document. Builders write every word into it; the DOCX and PDF renderers only walk
it and lay it out, so no text is written twice and both files say the same thing.

A document reads like the public security organs' 文书: the authority's name and the document's title
centred, the number right-aligned under them, the body (the party's particulars, paragraphs, tables), then
the authority's name, the date and the place for the seal at the bottom right (行政处罚法 art. 59).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Heading:
    """A section heading in the body (一、违法事实和证据)."""

    text: str


@dataclass(frozen=True)
class Paragraph:
    """A body paragraph, first line indented two characters unless ``indent`` is False (a salutation)."""

    text: str
    indent: bool = True
    bold: bool = False


@dataclass(frozen=True)
class LabelledField:
    """当事人：XX — a label and its value on one line; an empty value leaves a line to fill by hand."""

    label: str
    value: str


@dataclass(frozen=True)
class Table:
    """A ruled table; ``header`` may be empty (then every row is label | value). ``widths`` are relative."""

    rows: tuple[tuple[str, ...], ...]
    header: tuple[str, ...] = ()
    widths: tuple[float, ...] = ()
    row_height_mm: float = 0  # a minimum, for rows signed by hand


@dataclass(frozen=True)
class Quote:
    """A cited provision and its text, set apart from the body."""

    citation: str
    text: str


@dataclass(frozen=True)
class SealBlock:
    """The authority's name and the date at the bottom right, with the place for its seal."""

    authority: str
    date: str
    seal_label: str = "（印章）"


@dataclass(frozen=True)
class Note:
    """Small print at the end (联系人, 本文书一式两份…)."""

    text: str


Block = Heading | Paragraph | LabelledField | Table | Quote | SealBlock | Note


@dataclass(frozen=True)
class Document:
    kind: str  # a key of facts.KIND_TITLES
    authority: str
    title: str
    number: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)

    def text(self) -> str:
        """Every word of the document in reading order (for search, tests and the audit detail)."""
        lines = [self.authority, self.title, self.number]
        for block in self.blocks:
            if isinstance(block, Table):
                lines.extend(" ".join(row) for row in (block.header, *block.rows) if row)
            elif isinstance(block, LabelledField):
                lines.append(f"{block.label}：{block.value}")
            elif isinstance(block, Quote):
                lines.append(f"{block.citation}：{block.text}")
            elif isinstance(block, SealBlock):
                lines.extend((block.authority, block.date))
            else:
                lines.append(block.text)
        return "\n".join(lines)

    @property
    def filename(self) -> str:
        """A file name without extension: the title and the number, nothing a file system refuses."""
        safe = "".join(ch for ch in self.number if ch not in '\\/:*?"<>|')
        return f"{self.title}{safe}" if safe else self.title
