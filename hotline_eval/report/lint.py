"""The document linter: defects a reader would see in a rendered document, found in its HTML.

It reads what a reader sees — the text (code, scripts, styles and the head left out), the alt text of
charts and the running head that the print CSS shows — and reports, each with the nearest heading:

- empty_clause: a clause with nothing in it (`：。`, `：；`, `：，`, `（）`);
- missing_value: `nan`, `NaN`, `None`, `NaT`, `inf`, `<NA>` printed as they are;
- placeholder: a template field left unreplaced (`{name}`, `{0}`, `{}`, `{{ x }}`, `{% … %}`, `${x}`);
- doubled_word: a run of two or more Chinese characters said twice in a row (服务服务: a label that
  ends in the word its template repeats), except the words params/lint.yaml allows;
- empty_table: a table with a header and no data row (a row with at least one <td>);
- empty_chart: a chart figure (`<figure class="chart">`) without an image, or one its chart code
  marked empty (`data-empty`, set by report/charts.figure_html when no artist of the figure holds
  a finite data point: a PNG cannot be read back);
- ambiguous_month: when the period crosses a calendar year, a month `N月` without its year;
- english_word: an English word outside the proper names and units params/lint.yaml allows.

Each finding goes to `<document>.lint.json` beside the document and on the terminal
(report/document.py, cli.py); the tests fail on any (tests/support/documents.py).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from html.parser import HTMLParser
from pathlib import Path

from pydantic import model_validator

from hotline_eval.core.paramfiles import Strict, load_model, project_root
from hotline_eval.core.store import read_json, write_json

LINT_FILE = "params/lint.yaml"
RULES = (
    "empty_clause",
    "missing_value",
    "placeholder",
    "doubled_word",
    "empty_table",
    "empty_chart",
    "ambiguous_month",
    "english_word",
)
CONTEXT = 20
CSS_HEADING = "页眉页脚"

HIDDEN = {"head", "script", "style", "template", "noscript"}
HIDDEN_CLASSES = {"jp-InputArea", "jp-InputPrompt", "jp-OutputPrompt"}  # code cells' source (nbconvert)
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
INLINE = {"a", "abbr", "b", "bdi", "br", "cite", "em", "i", "mark", "q", "s", "small", "span", "strong", "sub", "sup"}
INLINE |= {"time", "u", "wbr"}
LITERAL_TAGS = {"code", "kbd", "samp", "var"}
LITERAL_CLASS = "literal"  # text the reader types as it is: a column name, a code (report/tables.html_table)
HEADINGS = {"h1", "h2", "h3", "h4"}

CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
EMPTY_CLAUSE = re.compile(r"[：:]\s*[。；，]|（\s*）|\(\s*\)")
MISSING = re.compile(r"(?<![A-Za-z0-9_])(?:nan|NaN|None|NaT|-?inf|-?Inf|Infinity|<NA>)(?![A-Za-z0-9_])")
PLACEHOLDER = re.compile(
    r"\{\{.*?\}\}|\{%.*?%\}|\$\{\w+\}"
    r"|\{(?:[A-Za-z_]\w*(?:\.\w+|\[[^\]{}]*\])*|\d*)(?:![rsa])?(?::[^{}]*)?\}"
)
DOUBLED = re.compile(rf"([{CJK}]{{2,10}}?)\1")
MONTH = re.compile(r"(?<![0-9０-９])([0-9０-９]{1,2})月")
YEAR_BEFORE = re.compile(r"年(?:\s*[0-9０-９]{1,2}\s*[至到—–\-~～、])?\s*$")  # 2026年1月, 2026年1—3月
RANGE_OR_LIST = re.compile(r"^\s*[至到—–\-~～、和及与]\s*$")
WORD = re.compile(r"[A-Za-z0-9]+(?:[-_.'’][A-Za-z0-9]+)*")  # a word when it holds a letter and no digit
LINK = re.compile(
    r"(?:https?://|www\.)[!-~]+"  # a web address, up to the first non-ASCII character or space
    r"|[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:org|com|net|gov|edu|cn|io)\b"  # a domain
    r"|[A-Za-z0-9_.*-]+(?:/[A-Za-z0-9_.*-]*)+"  # a path (params/quality.yaml, rejects/)
    r"|“[!-~]+”"  # a value to type as it is, in quotation marks (期间填“all”)
)
LETTER, DIGIT = re.compile(r"[A-Za-z]"), re.compile(r"[0-9]")
WORD_PARTS = re.compile(r"[-_.'’]")
SPACE = re.compile(r"[ \t\n\r\f\v]+")  # the ideographic space (U+3000) is kept: captions use it
CSS_STRING = re.compile(r"content:\s*((?:\"[^\"]*\"|[^;{}\"])*)")
CSS_QUOTED = re.compile(r"\"([^\"]*)\"")


class EnglishWords(Strict):
    allowed: list[str]
    file_extensions: list[str]


class DoubledWords(Strict):
    allowed: list[str]


class Months(Strict):
    not_calendar_after: list[str]


class LintRules(Strict):
    """params/lint.yaml: the messages of the rules and the words they let through."""

    messages: dict[str, str]
    english: EnglishWords
    doubled: DoubledWords
    months: Months

    @model_validator(mode="after")
    def _every_rule_has_its_message(self) -> LintRules:
        missing, unknown = set(RULES) - set(self.messages), set(self.messages) - set(RULES)
        if missing or unknown:
            raise ValueError(f"messages 应恰好列出这些规则：{'、'.join(RULES)}")
        return self

    def with_names(self, names: list[str]) -> LintRules:
        """The rules with names from the data (handling units' ids) allowed as English words."""
        if not names:
            return self
        english = self.english.model_copy(update={"allowed": [*self.english.allowed, *names]})
        return self.model_copy(update={"english": english})


def load_rules(root: Path) -> LintRules:
    return load_model(LintRules, root / LINT_FILE)


@dataclass(frozen=True)
class Finding:
    """One defect: the rule, its message, the offending text with context, the nearest heading before it."""

    rule: str
    message: str
    match: str  # the offending text itself
    excerpt: str  # the match with up to CONTEXT characters either side
    heading: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    def line(self) -> str:
        """The finding as one terminal line, in Chinese."""
        return f"文档检查：{self.heading or '（开头）'}：{self.message}「{self.match}」：{self.excerpt}"


@dataclass
class Block:
    """A run of text a reader sees as one piece (a paragraph, a cell, a heading, an alt text)."""

    text: str
    heading: str
    literal: bool = False  # a name or code to be typed as shown: English words are no defect there


@dataclass
class Structural:
    """A table or chart found empty while reading (rule and what to quote)."""

    rule: str
    excerpt: str
    heading: str


@dataclass
class _Table:
    first_block: int  # the index of its first block of text (what to quote when it has no caption)
    rows: int = 0  # rows holding at least one <td>
    row_has_data: bool = False


@dataclass
class _Chart:
    image: bool = False
    marked_empty: bool = False


class _Reader(HTMLParser):
    """Splits a document into the blocks of text a reader sees and the empty tables and charts in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self.empty: list[Structural] = []
        self.css: list[str] = []
        self.heading = ""
        self._open: list[tuple[str, bool, bool]] = []  # the open elements: tag, hidden, literal
        self._text: list[tuple[str, bool]] = []  # data, whether it lies in a literal element
        self._in_heading = False
        self._tables: list[_Table] = []
        self._figures: list[_Chart | None] = []  # None: a figure that is no chart (a table's)
        self._caption = ""

    @property
    def hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    @property
    def literal(self) -> bool:
        return bool(self._open) and self._open[-1][2]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        classes = set((a.get("class") or "").split())
        hidden = self.hidden or tag in HIDDEN or bool(HIDDEN_CLASSES & classes)
        literal = self.literal or tag in LITERAL_TAGS or LITERAL_CLASS in classes
        if tag not in VOID:
            self._open.append((tag, hidden, literal))
        if hidden:
            return
        if tag not in INLINE:
            self._flush()
        if tag in HEADINGS:
            self._in_heading = True
        elif tag == "img":
            self._image(a)
        elif tag == "svg" and (chart := self._chart()) is not None:
            chart.image = True
        elif tag == "figure":
            self._figures.append(_Chart(marked_empty="data-empty" in a) if "chart" in classes else None)
            drawn = SPACE.sub(" ", a.get("data-text") or "").strip()  # the texts the chart's picture shows
            if drawn:
                self.blocks.append(Block(drawn, self.heading))
            self._caption = ""
        elif tag == "table":
            self._tables.append(_Table(len(self.blocks)))
        elif tag == "tr" and self._tables:
            self._tables[-1].row_has_data = False
        elif tag == "td" and self._tables:
            self._tables[-1].row_has_data = True

    def _chart(self) -> _Chart | None:
        return self._figures[-1] if self._figures else None

    def _image(self, a: dict[str, str | None]) -> None:
        alt = SPACE.sub(" ", a.get("alt") or "").strip()
        if alt:
            self.blocks.append(Block(alt, self.heading))
        src = a.get("src") or ""
        chart = self._chart()
        if chart is not None and src and not src.endswith(","):  # a data URI with no data ends at its comma
            chart.image = True

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or all(t != tag for t, _, _ in self._open):
            return
        while self._open:  # elements left open inside this one close with it
            open_tag, hidden, _ = self._open.pop()
            if not hidden:
                self._close(open_tag)
            if open_tag == tag:
                break

    def _close(self, tag: str) -> None:
        if tag in HEADINGS and self._in_heading:
            self.heading = SPACE.sub(" ", "".join(t for t, _ in self._text)).strip() or self.heading
            self._in_heading = False
        text = "" if tag in INLINE else self._flush()
        if tag == "figcaption":
            self._caption = text
        elif tag == "tr" and self._tables and self._tables[-1].row_has_data:
            self._tables[-1].rows += 1
        elif tag == "table" and self._tables:
            table = self._tables.pop()
            if table.rows == 0:
                header = " ".join(b.text for b in self.blocks[table.first_block :])
                quoted = (self._caption if self._figures else "") or excerpt(header, 0, 0)
                self.empty.append(Structural("empty_table", quoted, self.heading))
        elif tag == "figure" and self._figures:
            chart = self._figures.pop()
            if chart is not None and (chart.marked_empty or not chart.image):
                self.empty.append(Structural("empty_chart", self._caption, self.heading))

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1][0] == "style":
            self.css.append(data)
        if not self.hidden:
            self._text.append((data, self.literal))

    def _flush(self) -> str:
        """End the current block of text (at a block element's start or end); returns its text."""
        text = SPACE.sub(" ", "".join(t for t, _ in self._text)).strip()
        literal = all(lit for t, lit in self._text if t.strip())
        self._text = []
        if text:
            self.blocks.append(Block(text, self.heading, literal))
        return text


def read(document: str) -> _Reader:
    reader = _Reader()
    reader.feed(document)
    reader.close()
    return reader


def css_text(styles: list[str]) -> list[Block]:
    """What the print CSS shows (running head, page footer): the quoted strings of its `content:`."""
    shown = ("".join(CSS_QUOTED.findall(value)) for css in styles for value in CSS_STRING.findall(css))
    return [Block(SPACE.sub(" ", text).strip(), CSS_HEADING) for text in shown if text.strip()]


def excerpt(text: str, start: int, end: int) -> str:
    """The match with up to CONTEXT characters either side, an ellipsis where the text goes on."""
    left, right = max(0, start - CONTEXT), min(len(text), end + CONTEXT)
    return f"{'…' if left else ''}{text[left:right]}{'…' if right < len(text) else ''}"


def lint_html(html: str, period_start: dt.date, period_end: dt.date, rules: LintRules | None = None) -> list[Finding]:
    """Every defect a reader would see in the document: those in its text in document order (the running
    head last), then its empty tables and charts; a finding found twice (same text, same heading) once.

    rules: params/lint.yaml (default: the project's, found from the working folder).
    """
    rules = rules or load_rules(project_root())
    reader = read(html)
    blocks = [*reader.blocks, *css_text(reader.css)]
    crosses_year = period_start.year != period_end.year
    found: list[Finding] = []
    for block in blocks:
        for rule, (start, end) in text_hits(block.text, rules, crosses_year, block.literal):
            match, quoted = block.text[start:end], excerpt(block.text, start, end)
            found.append(Finding(rule, rules.messages[rule], match, quoted, block.heading))
    for hit in reader.empty:
        found.append(Finding(hit.rule, rules.messages[hit.rule], hit.excerpt, hit.excerpt, hit.heading))
    return list(dict.fromkeys(found))


def text_hits(
    text: str, rules: LintRules, crosses_year: bool, literal: bool = False
) -> Iterator[tuple[str, tuple[int, int]]]:
    """(rule, span) of every defect in one block of reader text (`literal`: names and codes, no English check)."""
    for rule, pattern in (("empty_clause", EMPTY_CLAUSE), ("missing_value", MISSING), ("placeholder", PLACEHOLDER)):
        for m in pattern.finditer(text):
            yield rule, m.span()
    yield from (("doubled_word", span) for span in doubled_words(text, rules.doubled.allowed))
    if crosses_year:
        yield from (("ambiguous_month", span) for span in yearless_months(text, rules.months.not_calendar_after))
    if not literal:
        yield from (("english_word", span) for span in english_words(text, rules.english))


def doubled_words(text: str, allowed: list[str]) -> Iterator[tuple[int, int]]:
    """Runs of 2+ Chinese characters immediately repeated (XYXY), unless the run or its half is allowed."""
    ok = set(allowed)
    for m in DOUBLED.finditer(text):
        if m.group(0) not in ok and m.group(1) not in ok:
            yield m.span()


def yearless_months(text: str, not_calendar_after: list[str]) -> Iterator[tuple[int, int]]:
    """Months N月 without their year: not right after 年, nor continuing a range or list from a month that has it."""
    previous_end, previous_dated = -1, False
    for m in MONTH.finditer(text):
        before = text[: m.start()]
        dated = bool(YEAR_BEFORE.search(before)) or (
            previous_dated and previous_end >= 0 and bool(RANGE_OR_LIST.match(text[previous_end : m.start()]))
        )
        if not dated and not before.endswith(tuple(not_calendar_after)):
            yield m.span()
        previous_end, previous_dated = m.end(), dated


def english_words(text: str, words: EnglishWords) -> Iterator[tuple[int, int]]:
    """English words (2+ letters, no digit) that are not allowed, whole or part by part.

    Names pass: web addresses, domains, paths, file names and the allowed phrases (several words);
    so do codes (a digit inside: AA0207, MyLA311) and missing values (another rule).
    """
    ok = {w.casefold() for w in words.allowed}
    named = [m.span() for m in names_pattern(tuple(words.allowed), tuple(words.file_extensions)).finditer(text)]
    for m in WORD.finditer(text):
        word = m.group(0)
        if len(word) < 2 or not LETTER.search(word) or DIGIT.search(word) or MISSING.fullmatch(word):
            continue
        if word.casefold() in ok:
            continue
        if any(a <= m.start() < b for a, b in named):
            continue
        if all(part.casefold() in ok or len(part) < 2 for part in WORD_PARTS.split(word) if part):
            continue
        yield m.span()


@functools.cache
def names_pattern(allowed: tuple[str, ...], extensions: tuple[str, ...]) -> re.Pattern[str]:
    """Links, paths, placeholders (another rule), file names (the extensions given) and the allowed phrases."""
    phrases = [r"\s+".join(map(re.escape, w.split())) for w in allowed if len(w.split()) > 1]
    files = rf"[A-Za-z0-9_.*-]*\.(?:{'|'.join(map(re.escape, extensions))})\b" if extensions else ""
    return re.compile("|".join(filter(None, [LINK.pattern, PLACEHOLDER.pattern, files, *phrases])), re.IGNORECASE)


def lint_file(path: Path) -> Path:
    """Where the findings of the document at `path` are written: <name>.lint.json beside it."""
    return path if path.name.endswith(".lint.json") else path.with_suffix(".lint.json")


def write_findings(path: Path, findings: list[Finding]) -> Path:
    """Write the findings (a list of dicts, [] when clean) to `path` atomically; returns it."""
    write_json(path, [f.as_dict() for f in findings])
    return path


def read_findings(path: Path) -> list[Finding]:
    """The findings a render wrote ([] when the file does not exist)."""
    return [Finding(**entry) for entry in read_json(path) or []]
