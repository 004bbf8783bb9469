"""Evaluation definitions (params/evaluations/*.yaml): what is evaluated, when, and how (§5.1).

A definition names its type (综合评价 §5.1.1 or 专项评价 §5.1.2), period, evaluated cities (and
whether their handling units are ranked), the indicators with their points — for a special
evaluation each chosen indicator refined into sub-items with their own points (§5.1.2.2) — the
reference strategy of Appendix A.1, grade bands, the coverage rule, innovation inside the 100 points
or as a bonus, vetoes and minimum samples. Defaults come from params/evaluation-defaults.yaml.
Every unknown name or missing field is an error naming the file and the key.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from hotline_eval.config.catalogue import Catalogue, Indicator, Unit
from hotline_eval.core.errors import UnknownNameError
from hotline_eval.core.paramfiles import Strict

MIN_MONTHS = {"comprehensive": 1, "special": 3}  # §5.1.1.3, §5.1.2.3
PERIOD_CLAUSE = {"comprehensive": "§5.1.1.3", "special": "§5.1.2.3"}
TYPE_ZH = {"comprehensive": "综合评价", "special": "专项评价"}
ITEM_KINDS = ("level", "change", "activity")  # segment sub-items are named by their segment


class Period(Strict):
    start: dt.date
    end: dt.date

    @model_validator(mode="after")
    def _order(self) -> Period:
        if self.end < self.start:
            raise ValueError("评价周期的结束日期早于开始日期")
        return self

    @property
    def months(self) -> list[str]:
        """Calendar months touched by the period, as YYYY-MM."""
        out, y, m = [], self.start.year, self.start.month
        while (y, m) <= (self.end.year, self.end.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out

    def full_months(self) -> int:
        """Number of whole calendar months inside the period."""
        return sum(self.start <= first and last <= self.end for first, last in map(month_bounds, self.months))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def label_zh(self) -> str:
        a, b = self.start, self.end
        if (a.year, a.month) == (b.year, b.month):
            return f"{a.year}年{a.month}月"
        if a.year == b.year:
            return f"{a.year}年{a.month}—{b.month}月"
        return f"{a.year}年{a.month}月—{b.year}年{b.month}月"


def month_bounds(month: str) -> tuple[dt.date, dt.date]:
    """First and last day of a YYYY-MM month."""
    y, m = map(int, month.split("-"))
    first = dt.date(y, m, 1)
    return first, dt.date(y + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)


class CityRef(Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    name_zh: str


class SampleData(Strict):
    seed: int
    scale: float = Field(gt=0)


SHARED_ENV = "HOTLINE_EVAL_SHARED"


def shared_folder(root: Path) -> Path:
    """The shared data folder `{shared}` stands for in input paths: $HOTLINE_EVAL_SHARED, else ../shared."""
    env = os.environ.get(SHARED_ENV)
    return Path(env).expanduser().resolve() if env else (root.parent / "shared").resolve()


class InputDir(Strict):
    """A folder of exports. `dir` is relative to the project folder; it may start with `{shared}`,
    the shared data folder outside the repository ($HOTLINE_EVAL_SHARED, default ../shared).
    `files` (glob patterns) keeps only the matching files of the folder, e.g. one sample of several."""

    dir: str
    systems: list[str]
    city: str | None = None
    files: list[str] | None = None

    def folder(self, root: Path) -> Path:
        if self.dir.startswith("{shared}"):
            return (shared_folder(root) / self.dir.removeprefix("{shared}").lstrip("/\\")).resolve()
        return (root / self.dir).resolve()


class Data(Strict):
    """The sample province (generated), export folders, or both: the sample province and further folders,
    such as the filled review forms of the fieldwork kit (systems review-forms, review-tickets)."""

    sample: SampleData | None = None
    inputs: list[InputDir] = []
    source_zh: str | None = None  # where the data come from, in the report's words (real data sets)

    @model_validator(mode="after")
    def _some(self) -> Data:
        if self.sample is None and not self.inputs:
            raise ValueError("请给出 sample（生成示例省份数据）或 inputs（导出文件夹），也可两者都给出")
        return self


class Benchmark(Strict):
    """A pinned reference value (A.1 "全国优秀代表"), in the indicator's unit, with its source."""

    value: float
    source: str = Field(min_length=2)
    year: int | None = None
    url: str | None = None


class ReferenceStrategy(Strict):
    strategy: Literal["province_best", "benchmark", "mixed"]
    benchmarks: dict[str, Benchmark] = {}


class ObjectLabels(Strict):
    """How reports name what is evaluated (defaults: a province's cities and their 12345 hotlines).

    scope: the evaluated objects taken together (全省: 全省平均, 全省最优, 全省排名); object: one of
    them (设区市); service: what each runs, in titles ("{name}{service}服务质量评价报告");
    service_short: the same in running text ("{name}{service_short}综合得分…"); objects: the
    evaluated object as the cover and section 一 describe it, with {name} and {service_short}
    (default: the hotline agency and its handling units, params/wording/report.yaml report.objects).
    """

    scope: str
    object: str
    service: str
    service_short: str
    objects: str | None = None


class Threshold(Strict):
    """Optional local rule, off unless a plan sets it: zero points beyond a value.

    See docs/method/scoring.md#thresholds.
    """

    zero_below: float | None = None
    zero_above: float | None = None


class Grade(Strict):
    grade: str
    min: float


class QualityVeto(Strict):
    """A one-vote veto the data-quality assessment triggers (§5.2.7, docs/method/scoring.md#one-vote-veto):
    a city for which one of `checks` fails (e.g. verified_accuracy_low: the records do not match the
    source system) is vetoed, with `reason_zh` and the failing result as its reason. Off unless declared."""

    checks: list[str] = Field(min_length=1)
    reason_zh: str = Field(min_length=4)


class Veto(Strict):
    """One-vote veto (一票否决) decided by the organiser, e.g. established data falsification."""

    city: str
    reason_zh: str = Field(min_length=2)
    basis: str = ""


class PeriodRule(Strict):
    """§5.1.1.3 / §5.1.2.3: the continuous months an evaluation needs, checked in the definition and the data.

    `waived: true` (with `reason_zh`, required) lifts the rule for one evaluation, e.g. a study on a
    public sample of a few days; every report of that evaluation states the waiver and its reason.
    """

    tables: list[str]
    min_day_share: float = Field(gt=0, le=1)
    waived: bool
    reason_zh: str | None = None

    @model_validator(mode="after")
    def _reason(self) -> PeriodRule:
        if self.waived and not (self.reason_zh and len(self.reason_zh.strip()) >= 4):
            raise ValueError("豁免周期规则（waived: true）须用 reason_zh 说明理由（至少4个字）")
        if self.reason_zh and not self.waived:
            raise ValueError("reason_zh 用于说明豁免理由，只能与 waived: true 一同给出")
        return self


class CheckPolicy(Strict):
    """An evaluation's change to one check of params/quality.yaml (§5.2.7): a threshold raised or
    lowered, or a severity changed (gate → flag: shown, never blocking), with the reason every
    report of the evaluation prints."""

    min: float | None = None
    max: float | None = None
    severity: Literal["gate", "flag", "info"] | None = None
    reason_zh: str

    @model_validator(mode="after")
    def _what(self) -> CheckPolicy:
        if self.min is None and self.max is None and self.severity is None:
            raise ValueError("请给出要调整的门槛（min 或 max）或级别（severity）")
        if self.min is not None and self.max is not None:
            raise ValueError("min 和 max 只能给出一个")
        if len(self.reason_zh.strip()) < 4:
            raise ValueError("请用 reason_zh 说明调整理由（至少4个字），报告将照录")
        return self

    def changes(self) -> dict[str, object]:
        return {k: v for k in ("min", "max", "severity") if (v := getattr(self, k)) is not None}


class ExpertPanelRules(Strict):
    min_experts: int = Field(ge=1)
    min_external: int = Field(ge=0)
    trim_from: int = Field(ge=3)
    min_scores: int = Field(ge=1)
    dispersion_share: float = Field(gt=0, le=1)


class UnitRules(Strict):
    evaluate: bool
    classes: list[str]
    min_denominator: int = Field(ge=1)


class TrendRules(Strict):
    alpha: float = Field(gt=0, lt=1)
    monthly_min_points: int = Field(ge=3)
    short_period_days: int = Field(ge=1)
    material_change: dict[Unit, float]  # per indicator unit: the smallest change called a trend


class ChangeScoring(Strict):
    improving: float = Field(ge=0, le=1)
    stable: float = Field(ge=0, le=1)
    worsening: float = Field(ge=0, le=1)
    stable_full_at: float = Field(ge=0, le=1)


class Segment(Strict):
    """A refined time slot (§5.1.2.2) selecting records by the local time of their cohort timestamp."""

    zh: str
    hours: tuple[dt.time, dt.time] | None = None  # [from, to); from > to wraps past midnight
    weekdays: list[int] | None = None  # ISO: Monday 1 … Sunday 7

    @model_validator(mode="after")
    def _something(self) -> Segment:
        if self.hours is None and not self.weekdays:
            raise ValueError("请给出 hours 或 weekdays，也可两者都给出")
        if self.weekdays and not set(self.weekdays) <= set(range(1, 8)):
            raise ValueError("weekdays 取值为 1（星期一）至 7（星期日）")
        return self


class ActivityWindow(Strict):
    date: dt.date
    start: dt.time
    end: dt.time

    @model_validator(mode="after")
    def _order(self) -> ActivityWindow:
        if self.end <= self.start:
            raise ValueError("活动时段的结束时刻须晚于开始时刻（同一天内）")
        return self


class Activity(Strict):
    """A themed activity (§5.1.2.1), compared with the same weekdays and hours of the period."""

    zh: str
    windows: list[ActivityWindow] = Field(min_length=1)
    exclude_holidays: bool


class Schedule(Strict):
    """Milestones after the period (§5.2.3, §8.2); a date left out is derived (hotline_eval.cycle.schedule)."""

    data_due: dt.date | None = None  # data submission deadline
    fieldwork_start: dt.date | None = None  # sampling reviews and expert scoring (§7.2, §7.3)
    fieldwork_end: dt.date | None = None
    data_due_workdays: int = Field(ge=0)  # after the last day outcomes are observed
    review_workdays: int = Field(ge=0)  # between the end of fieldwork and the results


class FollowUp(Strict):
    """What the documents ask of the evaluated objects after the results (§8.5): to report their
    rectification to `report_to` (its short name in running text) within `rectify_days` calendar days
    of the results. rectify_days 0: no rectification deadline (a method test, a result not used for
    assessment): the measures carry no dates and no document asks for a rectification report."""

    report_to: str
    rectify_days: int = Field(ge=0)
    addressees: str  # to whom the bulletin is addressed (主送); empty: no addressee line


class Documents(Strict):
    """How the documents are set (params/document_styles.yaml: gongwen is GB/T 9704-2012) and the 公文
    elements of the bulletin beyond its issuer (organiser_zh), addressees (follow_up) and date: an empty
    element is left out of the document, never shown as a placeholder (docs/documents/word.md)."""

    report_style: Literal["gongwen", "report"]
    bulletin_style: Literal["gongwen", "report"]
    plan_style: Literal["gongwen", "report"]
    number_zh: str  # 发文字号, e.g. 示热办〔2026〕12号
    copy_to_zh: str  # 抄送机关
    printed_by_zh: str  # 印发机关 (empty: the organiser)
    docx: bool  # write .docx beside the HTML and PDF


class Items(Strict):
    """The sub-items of one indicator in a special evaluation, each with its own points (§5.1.2.2)."""

    level: float = Field(default=0.0, ge=0)
    change: float = Field(default=0.0, ge=0)
    activity: float = Field(default=0.0, ge=0)
    segments: dict[str, float] = {}


@dataclass(frozen=True)
class Item:
    """One scored item: an indicator's level, its change, its activity window, or one of its segments."""

    indicator: Indicator  # the catalogue entry (its own points are the scale of rule and expert values)
    kind: str  # level | change | activity | segment
    points: float
    segment: str | None = None

    @property
    def id(self) -> str:
        if self.kind == "level":
            return self.indicator.id
        return f"{self.indicator.id}.{self.segment or self.kind}"


class Evaluation(Strict):
    """An evaluation definition over params/evaluation-defaults.yaml, the one home of every default: the
    fields without a value here are required, and the loader (config/definitions.py) gives them."""

    id: str
    name_zh: str
    type: Literal["comprehensive", "special"]
    purpose_zh: str = ""
    organiser_zh: str
    period: Period
    province: str | None = None
    cities: list[CityRef] = []
    labels: ObjectLabels
    data: Data
    indicators: Literal["all"] | list[str] | dict[str, float | Items]
    parameters: dict[str, Any] = {}
    reference: ReferenceStrategy
    thresholds: dict[str, Threshold] = {}
    grades: list[Grade]
    grading: Literal["reference", "any"]  # see totals_meaningful
    coverage_min: float = Field(ge=0, le=100)
    veto_grade: str
    vetoes: list[Veto] = []
    quality_veto: QualityVeto | None  # a veto the data-quality assessment triggers (off: null)
    innovation: Literal["inside", "bonus"]
    appeal_days: int = Field(ge=0)  # 0: no appeal (a result not used for assessment)
    follow_up: FollowUp
    documents: Documents
    period_rule: PeriodRule
    quality: dict[str, CheckPolicy]  # changes to params/quality.yaml for this evaluation (§5.2.7)
    expert_panel: ExpertPanelRules
    units: UnitRules
    trend: TrendRules
    change_scoring: ChangeScoring
    segments: dict[str, Segment] = {}
    activity: Activity | None = None
    activity_alpha: float = Field(gt=0, lt=1)
    published_on: dt.date | None = None
    report_date: dt.date | None = None
    schedule: Schedule

    @field_validator("grades")
    @classmethod
    def _grades(cls, grades: list[Grade]) -> list[Grade]:
        mins = [g.min for g in grades]
        if not mins or mins != sorted(mins, reverse=True) or len(set(mins)) != len(mins):
            raise ValueError("请按 min 从高到低列出各等级，每个 min 只出现一次")
        if mins[-1] > 0:
            raise ValueError("最后一个等级的 min 须为 0，使每个综合得分都有对应等级")
        return grades

    @property
    def issued_on(self) -> dt.date:
        """Date printed on reports: report_date, else one month after the period (reproducible)."""
        return self.report_date or self.period.end + dt.timedelta(days=30)

    def city_ids(self) -> list[str]:
        return [c.id for c in self.cities]

    def city_name(self, city_id: str) -> str:
        return next(c.name_zh for c in self.cities if c.id == city_id)

    def check_city(self, city_id: str) -> str:
        if city_id not in self.city_ids():
            raise UnknownNameError("city", city_id, self.city_ids())
        return city_id

    def chosen(self, catalogue: Catalogue) -> dict[str, Items]:
        """Each chosen catalogue indicator with its sub-items' points (a plain number = the level).

        Report-only companions (0 points) of chosen indicators come along, so that they are measured
        and shown beside their parents.
        """
        if self.indicators == "all":
            return {i.id: Items(level=i.points) for i in catalogue.indicators}
        if isinstance(self.indicators, list):
            chosen = {i: Items(level=catalogue.indicator(i).points) for i in self.indicators}
        else:
            chosen = {i: v if isinstance(v, Items) else Items(level=v) for i, v in self.indicators.items()}
        companions = {i.id: Items() for i in catalogue.indicators if i.report_only and i.parent in chosen}
        return companions | chosen

    def items(self, catalogue: Catalogue) -> list[Item]:
        """Every scored item in catalogue order: level, change, activity, then segments."""
        chosen = self.chosen(catalogue)
        out = []
        for ind in catalogue.indicators:
            if ind.id not in chosen or ind.report_only:
                continue
            sub = chosen[ind.id]
            out += [Item(ind, kind, getattr(sub, kind)) for kind in ITEM_KINDS if getattr(sub, kind) > 0]
            out += [Item(ind, "segment", p, name) for name, p in sub.segments.items() if p > 0]
        return out

    def totals_meaningful(self, catalogue: Catalogue) -> bool:
        """A total, a grade and a rank rest on the level of service against references (Appendix A):
        they exist when at least one scored item is a level or a segment of an indicator. A special
        evaluation scoring only month-by-month change or activity sub-items reports those sub-items
        without a total, unless its definition sets `grading: any` (its bands then grade the sub-items)."""
        return self.grading == "any" or any(i.kind in ("level", "segment") for i in self.items(catalogue))

    def active_indicators(self, catalogue: Catalogue) -> list[Indicator]:
        """The catalogue entries this evaluation measures, their points being the level sub-item's."""
        chosen = self.chosen(catalogue)
        return [
            ind.model_copy(update={"points": chosen[ind.id].level}) for ind in catalogue.indicators if ind.id in chosen
        ]

    def parameter_values(self, catalogue: Catalogue) -> dict[str, Any]:
        return catalogue.defaults() | self.parameters

    def benchmark(self, indicator_id: str) -> Benchmark | None:
        """The pinned benchmark of an indicator when the strategy uses benchmarks."""
        if self.reference.strategy == "province_best":
            return None
        return self.reference.benchmarks.get(indicator_id)
