"""Chinese fonts without system fonts: Noto Sans CJK SC, regular and bold, from the package index.

Charts register the regular face with matplotlib; HTML reports embed a subset of both weights (only
the characters the report uses) as WOFF data URIs, so the report renders correctly on any machine and
every engine prints real bold headings (Chromium would embolden the regular face, WeasyPrint would not).

- Regular: face 2 (Simplified Chinese) of the noto-cjk-sans-otc wheel's collection.
- Bold: the package index carries Noto Sans CJK Bold only as the Japanese font (noto-cjk-sans-jp-bold).
  Every Noto Sans CJK font holds the same glyphs under the same CIDs and differs only in which glyph
  each character maps to, so the Japanese bold font is given the Simplified Chinese face's character
  map: the bold 骨, 直, “ and ， have the Chinese shapes and positions of the regular ones.

WOFF (zlib) rather than WOFF2 (Brotli): for a report's ~1,800 glyphs Brotli at its fixed highest
quality takes ~2 s to save 12 % of the size (255 against 287 KB), WOFF ~0.1 s. Bounding boxes are not
recomputed when the subset is saved (that ran every glyph's outline three times: 1.7 s of 3.2 s); the
full font's boxes are larger than the subset's, which no reader or engine minds.
"""

from __future__ import annotations

import base64
import importlib.resources
import io
from functools import cache
from pathlib import Path

from fontTools.ttLib import TTFont

FAMILY = "Noto Sans CJK SC"
FACE_INDEX = 2  # face 2 of the collection is Simplified Chinese (face 0 is Japanese)
# Characters a document may show that are not in its text: printable ASCII, the page footer
# (CSS content), list bullets and the arrows and marks of tables.
ALWAYS = frozenset(
    "".join(chr(c) for c in range(32, 127)) + "（）、，。：；“”‘’《》〔〕—–…·•‧→↑↓▲▼％‰×±≥≤ 年月日第页共目录"
)


@cache
def font_path() -> Path:
    return Path(str(importlib.resources.files("noto_cjk_sans_otc") / "NotoSansCJK-Regular.ttc"))


@cache
def bold_font_path() -> Path:
    return Path(str(importlib.resources.files("noto_cjk_sans_jp_bold") / "NotoSansCJKjp-Bold.otf"))


def use_cjk_in_charts(style: str = "whitegrid") -> None:
    """Register the CJK font with matplotlib and make it the default for seaborn themes."""
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(font_path()))
    sns.set_theme(style=style, font=FAMILY, rc={"axes.unicode_minus": False, "figure.dpi": 110})
    plt.rcParams["svg.fonttype"] = "path"


def regular_face() -> TTFont:
    return TTFont(str(font_path()), fontNumber=FACE_INDEX)


def bold_face() -> TTFont:
    """The bold font with the Simplified Chinese face's character map (see the module's note)."""
    chinese = TTFont(str(font_path()), fontNumber=FACE_INDEX, lazy=True).getBestCmap()
    font = TTFont(str(bold_font_path()))
    for table in font["cmap"].tables:
        if table.isUnicode():
            wide = table.format in (12, 13)
            table.cmap = {code: glyph for code, glyph in chinese.items() if wide or code <= 0xFFFF}
    return font


def subset_woff(font: TTFont, chars: set[str]) -> bytes:
    """The font cut down to `chars` (with their layout features), as WOFF bytes; same input, same bytes."""
    from fontTools import subset

    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars if ord(c) >= 32))
    subsetter.subset(font)
    font.recalcTimestamp = False  # no 'modified now' stamped into the font
    font.recalcBBoxes = False
    font.flavor = "woff"
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


def subset_font_css(text: str, family: str = "ReportCJK") -> str:
    """@font-face rules embedding the regular and the bold subsets needed to show `text`."""
    chars = set(text) | ALWAYS
    rules = []
    for weight, face in ((400, regular_face), (700, bold_face)):
        data = base64.b64encode(subset_woff(face(), chars)).decode("ascii")
        rules.append(
            f"@font-face {{ font-family: '{family}'; src: url(data:font/woff;base64,{data}) format('woff'); "
            f"font-weight: {weight}; font-style: normal; }}"
        )
    return "\n".join(rules)
