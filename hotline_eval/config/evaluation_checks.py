"""Load-time checks of an evaluation definition: every name exists and the definition fits its type.

Each check is a small function raising ConfigError with the file and the key to fix; CHECKS lists
them in the order they run. They complement the field checks of the pydantic models.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from hotline_eval.config.calendar import OfficeDay
from hotline_eval.config.catalogue import Catalogue, load_catalogue
from hotline_eval.config.evaluation import ITEM_KINDS, MIN_MONTHS, PERIOD_CLAUSE, TYPE_ZH, Evaluation, Items
from hotline_eval.config.quality import QualitySpec, load_quality_spec
from hotline_eval.config.schema import Schema, load_schema
from hotline_eval.core.errors import ConfigError, PeriodError
from hotline_eval.core.paramfiles import validate

Check = Callable[[Evaluation, Catalogue, Schema, Path], None]


def _valid(names) -> str:
    return "、".join(sorted(names)) or "（无）"


def known_indicators(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    known = {i.id for i in catalogue.indicators}
    chosen = [] if ev.indicators == "all" else list(ev.indicators)
    for ind in chosen:
        if ind not in known:
            raise ConfigError(path, f"indicators.{ind}", f"未知的指标；可用的指标标识：{_valid(known)}")
    for section, names in (("reference.benchmarks", ev.reference.benchmarks), ("thresholds", ev.thresholds)):
        for ind in names:
            if ind not in known:
                raise ConfigError(path, f"{section}.{ind}", f"未知的指标；可用的指标标识：{_valid(known)}")


def known_parameters(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for name in ev.parameters:
        if name not in catalogue.parameters:
            raise ConfigError(path, f"parameters.{name}", f"未知的参数；可用的参数：{_valid(catalogue.parameters)}")


def office_hours(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """The working day that limits in working hours count (§6.2.4): hours that can exist."""
    params = ev.parameter_values(catalogue)
    try:
        OfficeDay.from_params(params["office_hours"], params.get("lunch_break"))
    except ValueError as exc:
        key = "lunch_break" if "lunch_break" in str(exc) else "office_hours"
        raise ConfigError(path, f"parameters.{key}", str(exc)) from exc


def type_rules(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """§5.1.1.2: a comprehensive evaluation scores indicators as a whole; §5.1.2.2/§5.1.2.4: a special
    evaluation picks indicators, refines them into sub-items and assesses each one's monthly change."""
    if ev.type == "comprehensive":
        for ind, sub in ev.chosen(catalogue).items():
            if sub.change or sub.activity or sub.segments:
                raise ConfigError(
                    path,
                    f"indicators.{ind}",
                    "变化、活动和时段子项（change、activity、segments）只用于专项评价（§5.1.2.2）",
                    fix="请直接给出该指标的分值（一个数），或设置 type: special",
                )
        return
    if ev.indicators == "all" or isinstance(ev.indicators, list):
        raise ConfigError(
            path,
            "indicators",
            "专项评价须选定指标，并给出每个子项的分值（§5.1.2.2）",
            fix="请写为 indicators: {<指标标识>: {level: <分值>, change: <分值>}, ...}",
        )
    for ind, sub in ev.chosen(catalogue).items():
        if catalogue.indicator(ind).report_only:
            continue
        if catalogue.indicator(ind).kind == "expert":
            if sub.change or sub.activity or sub.segments:
                raise ConfigError(path, f"indicators.{ind}", "专家评分指标没有逐月数值，不能设变化、活动或时段子项")
            continue
        if sub.change <= 0:
            raise ConfigError(
                path,
                f"indicators.{ind}.change",
                "专项评价须评价每个指标的逐月变化（§5.1.2.4）",
                fix="请给出变化子项的分值，例如 change: 5",
            )


def sub_items(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """Segments and activity sub-items refer to definitions that exist."""
    for name in ev.segments:
        if name in ITEM_KINDS:
            raise ConfigError(path, f"segments.{name}", f"'{name}' 是子项类型的名称，请另取时段名称")
    uses_activity = False
    for ind, sub in ev.chosen(catalogue).items():
        for name in sub.segments:
            if name not in ev.segments:
                raise ConfigError(
                    path, f"indicators.{ind}.segments.{name}", f"未知的时段；已定义的时段：{_valid(ev.segments)}"
                )
        uses_activity |= sub.activity > 0
    if uses_activity and ev.activity is None:
        raise ConfigError(path, "activity", "使用活动子项时须给出 activity 设置（§5.1.2.1）")
    if ev.activity is not None and not uses_activity:
        raise ConfigError(path, "activity", "没有指标设活动子项，请至少为一个指标给出 activity 分值")
    if ev.activity is not None:
        for i, window in enumerate(ev.activity.windows):
            if not ev.period.start <= window.date <= ev.period.end:
                raise ConfigError(path, f"activity.windows.{i}.date", "活动日期不在评价周期内")


def references(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """A.1: a benchmark strategy needs every ratio-scored indicator pinned; one object needs benchmarks."""
    ratio = [
        i.indicator.id for i in ev.items(catalogue) if i.indicator.scoring == "ratio" and i.kind in ("level", "segment")
    ]
    pinned = set(ev.reference.benchmarks)
    lacking = sorted(set(ratio) - pinned)
    if ev.reference.strategy == "benchmark" and lacking:
        raise ConfigError(
            path,
            "reference.benchmarks",
            f"strategy 为 benchmark 时每个定量指标都须给出标杆值；缺少：{'、'.join(lacking)}",
        )
    if len(ev.cities) == 1 and ev.reference.strategy == "province_best":
        raise ConfigError(
            path,
            "reference.strategy",
            "只有一个评价对象时须使用标杆参考值（docs/method/scoring.md#reference-values）",
            fix="请使用 strategy: benchmark 或 mixed，并在 benchmarks 中给出标杆值及其来源",
        )
    if len(ev.cities) == 1 and lacking:
        raise ConfigError(
            path,
            "reference.benchmarks",
            f"只有一个评价对象时，它自身即为参考值（得满分）；请为以下指标给出标杆值：{'、'.join(lacking)}",
        )


def thresholds(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for ind, rule in ev.thresholds.items():
        if catalogue.indicator(ind).scoring != "ratio":
            raise ConfigError(path, f"thresholds.{ind}", "thresholds 只适用于按参考值计分的指标")
        if rule.zero_below is None and rule.zero_above is None:
            raise ConfigError(path, f"thresholds.{ind}", "请给出 zero_below 或 zero_above")


def vetoes(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    for i, veto in enumerate(ev.vetoes):
        if veto.city not in ev.city_ids():
            valid = _valid(ev.city_ids())
            raise ConfigError(path, f"vetoes.{i}.city", f"未知的城市 '{veto.city}'；可用的城市标识：{valid}")
    if ev.veto_grade not in {g.grade for g in ev.grades}:
        raise ConfigError(path, "veto_grade", f"不是已定义的等级；可用的等级：{_valid(g.grade for g in ev.grades)}")


def data_rules(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    classes = schema.codes["unit_class"].values
    for i, cls in enumerate(ev.units.classes):
        if cls not in classes:
            raise ConfigError(path, f"units.classes.{i}", f"未知的单位类别 '{cls}'；可用的类别：{_valid(classes)}")
    for i, table in enumerate(ev.period_rule.tables):
        if table not in schema.tables or not schema.tables[table].month_column:
            dated = [n for n, t in schema.tables.items() if t.month_column]
            raise ConfigError(path, f"period_rule.tables.{i}", f"未知的表或没有日期列的表；可用的表：{_valid(dated)}")


def windowable(ev: Evaluation, catalogue: Catalogue, schema: Schema, path: Path) -> None:
    """Sub-items measured in time windows (short periods, segments, activity) need records that can be
    selected by their cohort time: a cohort column of the source table, or a table with a key."""
    short = len(ev.period.months) < ev.trend.monthly_min_points
    for item in ev.items(catalogue):
        windowed = item.kind in ("segment", "activity") or (item.kind == "change" and short)
        ind = item.indicator
        if not windowed or ind.kind == "expert":
            continue
        table = schema.tables[catalogue.sources[ind.source].table]
        if (ind.cohort or "").strip() in table.columns or table.key:
            continue
        raise ConfigError(
            path,
            f"indicators.{ind.id}",
            f"该指标的记录无法按时间筛选（cohort '{ind.cohort}' 为计算得出，且表没有主键），"
            "因此不能设时段、活动子项，也不能在短周期中设变化子项",
        )


CHECKS: list[Check] = [
    known_indicators,
    known_parameters,
    office_hours,
    type_rules,
    sub_items,
    references,
    thresholds,
    vetoes,
    data_rules,
    windowable,
]


def check_indicator_spec(spec: Any, path: Path) -> None:
    """`indicators`: all, a list of ids, or id → points (a number, or sub-items with their points)."""
    if spec == "all" or (isinstance(spec, list) and all(isinstance(i, str) for i in spec)):
        return
    if not isinstance(spec, dict):
        raise ConfigError(path, "indicators", "应为 'all'、指标标识列表，或“指标标识: 分值”的映射")
    for ind, value in spec.items():
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value < 0:
                raise ConfigError(path, f"indicators.{ind}", "分值不能为负数")
            continue
        validate(Items, value, path, prefix=f"indicators.{ind}")


def check_definition(root: Path, ev: Evaluation, path: Path) -> None:
    """Every name in the definition exists, and the definition is complete for its type."""
    catalogue = load_catalogue(root)
    schema = load_schema(root)
    for check in CHECKS:
        check(ev, catalogue, schema, path)
    if ev.quality:
        quality_policy(ev, load_quality_spec(root), path)
    if ev.quality_veto:
        quality_veto(ev, load_quality_spec(root), path)


def quality_veto(ev: Evaluation, spec: QualitySpec, path: Path) -> None:
    """`quality_veto.checks`: gate checks of params/quality.yaml (only a judged gate can fail)."""
    assert ev.quality_veto is not None
    gates = [c for c, check in spec.adjusted(ev.quality).checks.items() if check.severity == "gate"]
    for i, check_id in enumerate(ev.quality_veto.checks):
        if check_id not in gates:
            raise ConfigError(path, f"quality_veto.checks.{i}", f"不是门槛检查；可用的检查：{_valid(gates)}")


def quality_policy(ev: Evaluation, spec: QualitySpec, path: Path) -> None:
    """`quality`: each changed check exists, and a threshold keeps its direction (min stays min)."""
    for check_id, change in ev.quality.items():
        key = f"quality.{check_id}"
        if check_id not in spec.checks:
            known = _valid(spec.checks)
            raise ConfigError(path, key, f"未知的数据质量检查；可用的检查：{known}（见 params/quality.yaml）")
        check = spec.checks[check_id]
        if check.threshold is None:
            if change.severity in (None, "info") or (change.min is None and change.max is None):
                fix = "请同时给出 severity（gate 或 flag）和 min 或 max"
                raise ConfigError(path, key, f"“{check.zh}”只是计数（info），没有门槛可调", fix=fix)
        elif (change.min is not None and check.min is None) or (change.max is not None and check.max is None):
            bound = "min（下限）" if check.min is not None else "max（上限）"
            raise ConfigError(path, key, f"“{check.zh}”的门槛是{bound}，请用同一个键调整")


def check_period(ev: Evaluation) -> None:
    """§5.1.1.3 / §5.1.2.3: at least one (comprehensive) or three (special) continuous whole months."""
    need = MIN_MONTHS[ev.type]
    have = ev.period.full_months()
    if have < need and not ev.period_rule.waived:
        raise PeriodError(
            f"评价 '{ev.id}'：{TYPE_ZH[ev.type]}（{ev.type}）须有至少{need}个连续的完整月份的数据"
            f"（{PERIOD_CLAUSE[ev.type]}），评价周期 {ev.period.start}—{ev.period.end} 只包含{have}个",
            fix="请在评价定义中延长评价周期（period）",
        )
