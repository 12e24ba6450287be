"""The font every PDF of the project is set in: WenQuanYi Zen Hei (文泉驿正黑), embedded as a subset.

A PDF that only names a font (STSong-Light, an Adobe CID font reportlab does not embed) is drawn with
whatever font the reader substitutes: the certificate's digits came out misspaced that way. Embedding the
glyphs used (reportlab's TTFont subsets by default) makes the page look the same in every reader.

The font comes from Debian's package fonts-wqy-zenhei (GPL-2 with a font embedding exception, which allows
embedding in documents); .ci/run installs it. JIFANG_PDF_FONT may name another TrueType file (.ttf, or .ttc
whose first face is used) with Chinese glyphs.
"""

from __future__ import annotations

import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_NAME = "WenQuanYiZenHei"
DEFAULT_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


class FontMissing(RuntimeError):
    """No font file with Chinese glyphs to embed: a PDF is refused rather than drawn in a substitute."""


def font_file() -> Path:
    return Path(os.environ.get("JIFANG_PDF_FONT") or DEFAULT_FONT_FILE)


def chinese_font() -> str:
    """The registered name of the embedded Chinese font, registering it on first use."""
    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        path = font_file()
        if not path.is_file():
            raise FontMissing(
                f"no font with Chinese glyphs at {path}: install Debian's fonts-wqy-zenhei "
                "(apt-get install fonts-wqy-zenhei) or set JIFANG_PDF_FONT to a .ttf/.ttc file"
            )
        pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), subfontIndex=0))
    return FONT_NAME
