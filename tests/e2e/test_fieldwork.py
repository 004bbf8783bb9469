"""The fieldwork kit on the sample province (§7.2, §7.3): a reproducible draw that meets the minimum n,
and review forms that ingest reads back into qc_samples and expert_scores, changing the qualitative
scores exactly as the rule tables say. Expected values are worked out in the tests."""

import numpy as np
import openpyxl
import pandas as pd
import pytest

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.evaluation import Item
from hotline_eval.config.schema import load_schema
from hotline_eval.config.sql import register_tables
from hotline_eval.config.wording import load_wording
from hotline_eval.core.connection import connect
from hotline_eval.cycle.fieldwork.design import load_design
from hotline_eval.cycle.fieldwork.forms import FormBuilder
from hotline_eval.cycle.fieldwork.sampling import draw, population
from hotline_eval.cycle.fieldwork.workbook import write_form
from hotline_eval.ingest.canonical import ingest
from hotline_eval.ingest.discovery import discover
from hotline_eval.measure.engine import measure
from hotline_eval.score.expert_panel import panel
from hotline_eval.score.rules import pooled_values, score_item

FACTOR = {"A": 1.0, "B": 0.8, "C": 0.5, "D": 0.0}  # indicators.md §3.3, written out here independently


@pytest.fixture(scope="module")
def comprehensive(root, demo):
    from hotline_eval.pipeline import open_data

    ev = load_evaluation(root, "demo-comprehensive")
    return ev, open_data(root, demo)


def test_the_draw_is_reproducible_by_seed_and_meets_the_minimum_per_city_and_stratum(root, comprehensive):
    ev, con = comprehensive
    design = load_design(root)
    first = draw(con, design, design.frames, ev, 7, 30)
    again = draw(con, design, design.frames, ev, 7, 30)
    other = draw(con, design, {"call": design.frames["call"]}, ev, 8, 30)
    pd.testing.assert_frame_equal(first.samples, again.samples)
    recordings = first.samples[first.samples["frame"] == "call"].reset_index(drop=True)
    assert not recordings["object_id"].equals(other.samples["object_id"])  # another seed, another sample
    s = first.summary
    assert len(s) == len(ev.city_ids()) * len(design.frames)
    assert (s["sample"] == np.minimum(s["population"], np.maximum(100, s["strata"]))).all()
    assert (s["sample"] >= 30).all()  # every city and frame of the sample province has enough records
    strata = first.strata
    assert (strata["sample"] >= np.minimum(strata["population"], 1)).all()
    assert (strata["sample"] <= strata["population"]).all()
    per_frame = strata.groupby(["city", "frame"])["sample"].sum()
    assert per_frame.equals(s.set_index(["city", "frame"])["sample"].loc[per_frame.index])
    # each drawn record belongs to the frame's population, in the stratum it is listed under
    frame = design.frames["call"]
    calls = population(con, design, frame, ev).set_index("object_id")
    drawn = first.samples[first.samples["frame"] == "call"]
    assert drawn["object_id"].isin(calls.index).all() and drawn["object_id"].is_unique
    expected = calls.loc[drawn["object_id"], ["month", "shift", "agent"]].astype(str).agg(" / ".join, axis=1)
    assert list(drawn["stratum"]) == list(expected)


def test_a_citys_draw_does_not_depend_on_the_other_cities(root, comprehensive):
    ev, con = comprehensive
    design = load_design(root)
    alone = ev.model_copy(update={"cities": [c for c in ev.cities if c.id == "nanhu"]})
    frames = {k: design.frames[k] for k in ("call", "reply")}
    together = draw(con, design, frames, ev, 3, 30).samples
    by_itself = draw(con, design, frames, alone, 3, 30).samples
    mine = together[together["city"] == "nanhu"].reset_index(drop=True)
    pd.testing.assert_frame_equal(mine, by_itself.reset_index(drop=True))


# ---- the round trip: draw, fill in, read back, score ----------------------------------------------


@pytest.fixture(scope="module")
def forms(root, comprehensive, tmp_path_factory):
    """Linjiang's recording, consultation and ticket forms and five expert sheets, as handed out."""
    ev, con = comprehensive
    design, catalogue = load_design(root), load_catalogue(root)
    frames = {k: design.frames[k] for k in ("call", "consult_call", "ticket")}
    result = draw(con, design, frames, ev, design.seed, 30)
    import datetime as dt

    builder = FormBuilder(root, ev, catalogue, load_schema(root), design, load_wording(root), dt.date(2026, 10, 28))
    folder = tmp_path_factory.mktemp("returned")
    for name, frame in frames.items():
        mine = result.samples[(result.samples["city"] == "linjiang") & (result.samples["frame"] == name)]
        summary = result.summary.set_index(["city", "frame"]).loc[("linjiang", name)]
        summary = pd.concat([summary, pd.Series({"city": "linjiang", "frame": name})])
        write_form(folder / f"临江市{frame.form}.xlsx", builder.review_form(name, frame, mine, summary, design.seed))
    innovation = [i for i in catalogue.indicators if i.kind == "expert"]
    for n in range(1, 6):
        write_form(folder / f"专家评分表_EXP0{n}.xlsx", builder.expert_form(f"EXP0{n}", innovation, 1))
    return folder, result


def fill(path, sheet, rows):
    """Fill a returned form as a reviewer would: {header: value} per data row (row 3 on), by position."""
    book = openpyxl.load_workbook(path)
    ws = book[sheet]
    headers = [c.value for c in ws[2]]
    for k, values in rows.items():
        for head, value in values.items():
            ws.cell(3 + k, headers.index(head) + 1).value = value
    book.save(path)


def read_back(root, folder, tmp_path):
    ev = load_evaluation(root, "demo-comprehensive")
    inputs = discover(root, folder, ["review-forms", "review-tickets"], None)
    report = ingest(root, inputs, tmp_path, ev.city_ids())
    con = connect()
    register_tables(con, root, tmp_path / "data")
    return ev, report, con


def level_pattern(k: int, item: str) -> str:
    """The levels a reviewer gives: most A, some B on manner, a C on guidance every fifth sample."""
    if item == "服务态度·态度" and k % 3 == 0:
        return "B"
    if item == "语言表达·复杂诉求引导" and k % 5 == 0:
        return "C"
    if item == "专业程度·话术规范度" and k % 7 == 0:
        return "D"
    return "A"


def test_filled_review_forms_land_in_qc_samples_and_change_the_scores_as_the_rule_tables_say(root, forms, tmp_path):
    folder, _ = forms
    call_form = folder / "临江市来电录音评审表.xlsx"
    sheet = openpyxl.load_workbook(call_form)["评审记录"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=3)]
    heads = [c.value for c in sheet[2]]
    samples = list(dict.fromkeys(r[heads.index("样本编号")] for r in rows))
    reviewed = samples[:90]  # ten samples are not reviewed: left empty, they do not count
    filled, expected = {}, {"attitude": [], "professionalism": [], "language": []}
    for k, r in enumerate(rows):
        sample, item = r[heads.index("样本编号")], r[heads.index("评价子项")]
        if sample in reviewed:
            position = reviewed.index(sample)
            level = level_pattern(position, item)
            veto = "是" if position == 0 and item == "服务态度·态度" else None  # a substantiated complaint
            filled[k] = {"等级": level, "评审人": "R01"} | ({"否决项": veto} if veto else {})
    fill(call_form, "评审记录", filled)
    for position in range(90):
        table = {
            "attitude": ["服务态度·语气", "服务态度·态度", "服务态度·耐心"],
            "professionalism": ["专业程度·话术规范度", "专业程度·服务流程规范度", "专业程度·服务流程一致性"],
            "language": ["语言表达·普通话水平", "语言表达·复杂诉求引导", "语言表达·特殊情况应变"],
        }
        for rule, items in table.items():
            mean = sum(FACTOR[level_pattern(position, i)] for i in items) / 3
            expected[rule].append(0.0 if (rule == "attitude" and position == 0) else mean)
    ev, _, con = read_back(root, folder, tmp_path)
    qc = con.execute("SELECT * FROM qc_samples WHERE object_type = 'call'").df()
    assert len(qc) == 100 * 9 and qc["level"].notna().sum() == 90 * 9
    first = qc[(qc["sample_id"] == reviewed[0]) & (qc["item"] == "attitude.manner")].iloc[0]
    assert (first["level"], bool(first["veto"]), first["assessor_id"], first["city"]) == ("B", True, "R01", "linjiang")
    values = measure(con, root, ev)
    catalogue = load_catalogue(root)
    for rule, indicator in (
        ("attitude", "agent_attitude"),
        ("professionalism", "agent_professionalism"),
        ("language", "agent_language"),
    ):
        got = pooled_values(values, indicator, ev.city_ids()).loc["linjiang"]
        assert got["n"] == 90 and got["status"] == "ok"
        assert got["value"] == pytest.approx(np.mean(expected[rule]))
        ind = catalogue.indicator(indicator)
        score = score_item(Item(ind, "level", ind.points), pooled_values(values, indicator, ev.city_ids()), ev, {})
        assert score.set_index("city").loc["linjiang", "score"] == pytest.approx(4 * np.mean(expected[rule]))
    # e.g. 专业程度: every seventh sample has a D on script → (0 + 1 + 1) / 3 for 13 of the 90 samples
    assert np.mean(expected["professionalism"]) == pytest.approx((77 * 1 + 13 * 2 / 3) / 90)


def test_ticket_qc_sheets_add_up_their_items_and_pass_at_the_mark_without_a_veto(root, forms, tmp_path):
    folder, _ = forms
    items = [
        "诉求要素齐全（40分）",
        "诉求分类正确（15分）",
        "承办单位或办理方式正确（15分）",
        "摘要准确客观（15分）",
        "隐私保护标记正确（10分）",
        "紧急程度标注正确（5分）",
    ]
    full = [40, 15, 15, 15, 10, 5]
    filled, passed, scores = {}, 0, []
    for k in range(100):
        points = list(full)
        if k % 5 == 0:
            points[0] = 20  # 80: passes, exactly at the mark
        if k % 6 == 0:
            points[3], points[4] = 5, 0  # −20 → 80, or 60 together with the first rule
        veto = "是" if k % 10 == 3 else "否"
        row = dict(zip(items, points, strict=True)) | {"否决项": veto}
        if k >= 95:
            row.pop(items[2])  # an item left empty: the ticket has no score and is not counted
        else:
            scores.append(sum(points))
            passed += sum(points) >= 80 and veto == "否"
        filled[k] = row
    fill(folder / "临江市工单质检评分表.xlsx", "评审记录", filled)
    ev, _, con = read_back(root, folder, tmp_path)
    qc = con.execute("SELECT score FROM qc_samples WHERE object_type = 'ticket' ORDER BY sample_id").df()
    assert list(qc["score"].dropna()) == scores
    got = pooled_values(measure(con, root, ev), "ticket_qc_pass_rate", ev.city_ids()).loc["linjiang"]
    assert (got["numerator"], got["denominator"]) == (passed, 95)


def test_expert_sheets_read_back_into_the_panels_trimmed_mean(root, forms, tmp_path):
    folder, _ = forms
    given = [1.0, 1.5, 2.0, 1.5, 0.5]  # innovation_new_technology (2 points), linjiang, five experts
    for n, score in enumerate(given, start=1):
        path = folder / f"专家评分表_EXP0{n}.xlsx"
        book = openpyxl.load_workbook(path)
        ws = book["评分记录"]
        heads = [c.value for c in ws[2]]
        for r in range(3, ws.max_row + 1):
            city, ind = ws.cell(r, heads.index("城市编号") + 1).value, ws.cell(r, heads.index("指标编号") + 1).value
            ws.cell(r, heads.index("专家来源") + 1).value = "外部" if n > 3 else "内部"
            if (city, ind) == ("linjiang", "innovation_new_technology"):
                ws.cell(r, heads.index("得分") + 1).value = score
        book.save(path)
    ev, report, con = read_back(root, folder, tmp_path)
    assert report.totals()["expert_scores"] == {"rows_in": 5, "accepted": 5, "rejected": 0}  # empty rows: not scored
    scores = con.execute("SELECT * FROM expert_scores").df()
    assert set(scores["evaluation_id"]) == {"demo-comprehensive"} and set(scores["round"]) == {1}
    catalogue = load_catalogue(root)
    result, _ = panel(scores, ev, [catalogue.indicator("innovation_new_technology")])
    # five scores: drop 2.0 and 0.5, (1.0 + 1.5 + 1.5) / 3
    assert result.set_index("city").loc["linjiang", "value"] == pytest.approx(4 / 3)


def test_a_value_outside_the_drop_down_is_rejected_with_file_row_and_column(root, forms, tmp_path):
    folder, _ = forms
    path = folder / "临江市咨询答复评审表.xlsx"
    fill(path, "评审记录", {0: {"答复正确": "是"}, 1: {"答复正确": "对"}, 2: {"答复正确": "否"}})
    _, _, con = read_back(root, folder, tmp_path)
    rejects = pd.read_csv(tmp_path / "rejects" / "qc_samples.csv", encoding="utf-8-sig")
    bad = rejects[rejects["文件"].str.endswith("咨询答复评审表.xlsx")]
    assert list(bad["行号"]) == [4] and list(bad["列"]) == ["correct"] and list(bad["值"]) == ["对"]
    got = con.execute(
        "SELECT correct FROM qc_samples WHERE object_type = 'consult_call' AND correct IS NOT NULL ORDER BY sample_id"
    ).df()
    assert list(got["correct"]) == [True, False]


def test_the_forms_offer_exactly_the_values_the_mappings_read(root, forms):
    folder, _ = forms
    book = openpyxl.load_workbook(folder / "临江市来电录音评审表.xlsx")
    ws = book["评审记录"]
    heads = [c.value for c in ws[2]]
    lists = {
        heads[openpyxl.utils.cell.coordinate_to_tuple(str(v.sqref).split(":")[0])[1] - 1]: v.formula1
        for v in ws.data_validations.dataValidation
        if v.type == "list"
    }
    assert lists == {"等级": '"A,B,C,D"', "否决项": '"是,否"'}
    assert ws.freeze_panes == "B3" and ws.protection.sheet
    assert book.sheetnames == ["填表说明", "评审记录", "评定规则"]
    notes = {r[0]: r[1] for r in book["填表说明"].iter_rows(min_row=3, values_only=True) if r[0]}
    assert "±9.8个百分点" in notes["抽样精度"] and "月份×班次×坐席" in notes["抽样方法（§7.2）"]
    assert "2026年10月28日" in notes["交回"]


@pytest.mark.slow
def test_make_kit_writes_every_citys_forms_and_keeps_an_earlier_kit(root, demo):
    from hotline_eval.cycle.fieldwork.kit import make_kit

    kit = make_kit(root, "demo-comprehensive", demo, seed=11, cities=["nanhu", "baihe"])
    names = {p.name for p in kit.files}
    forms = {"来电录音评审表", "咨询答复评审表", "工单质检评分表", "直办诉求评审表", "承办单位答复评审表"}
    assert names == {f"{c}{f}.xlsx" for c in ("南湖市", "白河市") for f in forms} | {
        f"专家评分表_ZJ0{n}.xlsx" for n in range(1, 6)
    } | {"抽样方案.xlsx"}
    samples = pd.read_csv(kit.folder / "samples.csv", encoding="utf-8-sig")
    assert not samples.columns.str.contains("phone|name|address|caller", case=False).any()
    again = make_kit(root, "demo-comprehensive", demo, seed=12, cities=["nanhu"])  # another draw: the first kit is kept
    kept = again.folder / "versions" / "1"
    assert (kept / "samples.csv").exists() and (kept / "manifest.json").exists()
    assert not pd.read_csv(kept / "samples.csv", encoding="utf-8-sig")["object_id"].equals(
        pd.read_csv(again.folder / "samples.csv", encoding="utf-8-sig")["object_id"]
    )
