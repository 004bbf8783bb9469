"""Province definitions (params/provinces/): the benchmark province extends the sample province; a circle is refused."""

import pytest
import yaml

from hotline_eval.config.definitions import load_evaluation
from hotline_eval.config.province import load_province
from hotline_eval.core.errors import ConfigError


def test_the_benchmark_province_takes_the_sample_province_and_replaces_its_cities(root):
    bench, sample = load_province(root, "bench"), load_province(root, "sample")
    assert len(bench.cities) == 16 and len({c.id for c in bench.cities}) == 16
    assert bench.profiles == sample.profiles and bench.categories == sample.categories
    assert set(bench.defects) == {"jinsha", "shiqiao"}  # the planted defects come along
    assert sum(c.calls_per_month for c in bench.cities) > 100 * sum(c.calls_per_month for c in sample.cities)
    ev = load_evaluation(root, "bench")
    assert [i.city for i in ev.data.inputs] == [c.id for c in bench.cities]
    assert all(i.systems == ["canonical"] for i in ev.data.inputs)


def test_a_province_extending_another_in_a_circle_is_refused(root, tmp_path):
    folder = tmp_path / "params" / "provinces"
    folder.mkdir(parents=True)
    (folder / "a.yaml").write_text(yaml.safe_dump({"extends": "b", "id": "a"}), encoding="utf-8")
    (folder / "b.yaml").write_text(yaml.safe_dump({"extends": "a", "id": "b"}), encoding="utf-8")
    for name in ("schema.yaml",):
        (tmp_path / "params" / name).write_text((root / "params" / name).read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(ConfigError, match="循环继承"):
        load_province(tmp_path, "a")
