"""Page and type of the Word documents (params/document_styles.yaml): `gongwen` (GB/T 9704-2012) and
`report`. See docs/documents/word.md."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator

from hotline_eval.core.paramfiles import Strict, load_model

STYLES_FILE = "params/document_styles.yaml"
# the roles every style gives a font for (report/word/ sets each on its Word style)
ROLES = ("title", "body", "heading1", "heading2", "heading3", "table", "caption", "note", "page_number", "issuer")
StyleName = Literal["gongwen", "report"]


class Font(Strict):
    east_asia: str  # the face offices have (w:eastAsia), e.g. 仿宋_GB2312
    fallback: str | None = None  # the face used where it is missing (the font table's alternative name)
    size_pt: float = Field(gt=0)
    bold: bool = False
    colour: str | None = Field(default=None, pattern=r"^[0-9A-F]{6}$")


class Page(Strict):
    width_mm: float = 210
    height_mm: float = 297
    top_mm: float = Field(ge=0)
    bottom_mm: float = Field(ge=0)
    left_mm: float = Field(ge=0)
    right_mm: float = Field(ge=0)


class PageNumber(Strict):
    font: str
    dash: bool  # "— 1 —" (GB/T 9704) rather than "1"
    outer: bool  # on the outer side (right on odd pages, left on even), else centred


class DocumentStyle(Strict):
    page: Page
    line_pitch_pt: float = Field(gt=0)
    page_number: PageNumber
    fonts: dict[str, Font]
    latin: str

    @model_validator(mode="after")
    def _roles(self) -> DocumentStyle:
        missing = [r for r in ROLES if r not in self.fonts]
        if missing:
            raise ValueError(f"fonts 缺少：{'、'.join(missing)}")
        if self.page_number.font not in self.fonts:
            raise ValueError(f"page_number.font '{self.page_number.font}' 不在 fonts 中")
        return self


class DocumentStyles(Strict):
    gongwen: DocumentStyle
    report: DocumentStyle

    def get(self, name: StyleName) -> DocumentStyle:
        return getattr(self, name)


@cache
def load_document_styles(root: Path) -> DocumentStyles:
    return load_model(DocumentStyles, root / STYLES_FILE)
