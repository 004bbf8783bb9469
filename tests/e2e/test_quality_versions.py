"""Re-collection (§5.2.7): a supplementary upload becomes a new data version; the earlier one stays on record."""

import json
import shutil

import pandas as pd
import pytest
import yaml

from hotline_eval.pipeline import prepare
from hotline_eval.quality import load_quality
from hotline_eval.sample import SampleSpec, generate_sample

pytestmark = pytest.mark.slow

EVALUATION = {
    "id": "recollection",
    "name_zh": "补充采集测试评价",
    "type": "comprehensive",
    "organiser_zh": "测试",
    "period": {"start": "2026-07-01", "end": "2026-09-30"},
    "cities": [{"id": "jinsha", "name_zh": "金沙市"}, {"id": "shiqiao", "name_zh": "石桥市"}],
    "data": {
        "inputs": [
            {"dir": "exports/jinsha", "systems": ["vendor-b", "province-template"], "city": "jinsha"},
            {"dir": "exports/shiqiao", "systems": ["vendor-a", "province-template"], "city": "shiqiao"},
        ]
    },
}
SUPPLEMENT = "exports/jinsha/呼叫记录_2026-08_补充.csv"


def gaps(quality: pd.DataFrame) -> pd.Series:
    rows = quality[(quality["city"] == "jinsha") & (quality["check"] == "gap_days") & (quality["month"] == "2026-08")]
    return rows.iloc[0]


def recall(quality: pd.DataFrame) -> pd.Series:
    rows = quality.query("city == 'jinsha' & check == 'record_recall' & month == '2026-08' & item == 'calls_total'")
    return rows.iloc[0]


@pytest.fixture(scope="module")
def project(root, demo, tmp_path_factory):
    """A project with the sample's exports of 金沙市 and 石桥市 as a city's own upload."""
    path = tmp_path_factory.mktemp("project")
    shutil.copytree(root / "params", path / "params")
    for city in ("jinsha", "shiqiao"):
        shutil.copytree(demo.raw / city, path / "exports" / city)
    (path / "params" / "evaluations" / "recollection.yaml").write_text(
        yaml.safe_dump(EVALUATION, allow_unicode=True), encoding="utf-8"
    )
    return path


def supplement(project, tmp_path) -> int:
    """The calls of the two days missing from 金沙市's August export, as its system exports them."""
    province = project / "params" / "provinces" / "sample.yaml"
    clean = yaml.safe_load(province.read_text(encoding="utf-8"))
    del clean["defects"]["jinsha"]
    clean_root = tmp_path / "clean"
    shutil.copytree(project / "params", clean_root / "params")
    (clean_root / "params" / "provinces" / "sample.yaml").write_text(
        yaml.safe_dump(clean, allow_unicode=True), encoding="utf-8"
    )
    generate_sample(clean_root, SampleSpec(seed=20260701, cities=("jinsha",)), tmp_path / "exports")
    august = pd.read_csv(tmp_path / "exports" / "jinsha" / "呼叫记录_2026-08.csv", encoding="gb18030", dtype=str)
    missing = august[august["呼入时间"].str.startswith(("2026/08/12", "2026/08/13"))]
    missing.to_csv(project / SUPPLEMENT, index=False, encoding="gb18030")
    return len(missing)


def test_a_supplementary_upload_becomes_a_new_version_and_the_first_stays_on_record(project, tmp_path, outputs_dir):
    first = prepare(project, "recollection")
    q1 = load_quality(first.out)
    assert gaps(q1)["value"] == 2 and set(q1["data_version"]) == {1}
    before = recall(q1)

    added = supplement(project, tmp_path)
    ledger = json.loads((project / "exports" / "jinsha" / "defects.json").read_text(encoding="utf-8"))
    removed = next(d for d in ledger["defects"] if d["kind"] == "missing_days")["planted"]["removed"]
    assert added == removed  # the supplement holds exactly the calls the export lost

    second = prepare(project, "recollection")
    q2 = load_quality(second.out)
    assert gaps(q2)["value"] == 0 and set(q2["data_version"]) == {2}
    assert recall(q2)["numerator"] == before["numerator"] + added
    assert set(pd.read_csv(second.out / "scores.csv")["data_version"]) == {2}

    manifest = json.loads(second.manifest.read_text(encoding="utf-8"))
    assert [v["version"] for v in manifest["versions"]] == [1, 2]
    assert manifest["versions"][0]["archived"] == "versions/1"
    assert manifest["versions"][1]["changed_files"] == [f"+{SUPPLEMENT}"]
    archive = second.out / "versions" / "1"
    kept = load_quality(archive)
    assert gaps(kept)["value"] == 2 and set(kept["data_version"]) == {1}
    assert (archive / "data" / "calls.parquet").exists() and (archive / "scores.csv").exists()
    assert json.loads((archive / "manifest.json").read_text(encoding="utf-8"))["data_version"] == 1

    third = prepare(project, "recollection")  # nothing new uploaded: the same version, nothing archived
    manifest = json.loads(third.manifest.read_text(encoding="utf-8"))
    assert [v["version"] for v in manifest["versions"]] == [1, 2]
    assert not (third.out / "versions" / "2").exists()
