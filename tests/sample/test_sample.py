"""The sample province generator: deterministic by seed, each city in its own system layout
(the generated province itself is checked in tests/e2e/test_sample_province.py)."""

import hashlib

from hotline_eval.sample import SampleSpec, generate_sample

SMALL = {"scale": 0.15, "cities": ("nanhu", "qingshan")}


def digest(folder):
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_gives_identical_files_and_another_seed_differs(root, tmp_path):
    generate_sample(root, SampleSpec(seed=7, **SMALL), tmp_path / "a")
    generate_sample(root, SampleSpec(seed=7, **SMALL), tmp_path / "b")
    generate_sample(root, SampleSpec(seed=8, **SMALL), tmp_path / "c")
    a, b, c = digest(tmp_path / "a"), digest(tmp_path / "b"), digest(tmp_path / "c")
    assert a == b
    assert len(a) > 20
    changed = [name for name in a if a[name] != c.get(name)]
    assert len(changed) > len(a) / 2


def test_each_city_is_exported_in_its_own_system_layout(root, tmp_path):
    generate_sample(root, SampleSpec(seed=3, **SMALL), tmp_path)
    gbk = tmp_path / "qingshan" / "呼叫记录_2026-07.csv"  # vendor-b: GBK
    header = gbk.read_bytes().splitlines()[0]
    assert header.decode("gb18030").startswith("呼叫ID,呼入时间")
    try:
        header.decode("utf-8")
        raise AssertionError("vendor-b export should not be UTF-8")
    except UnicodeDecodeError:
        pass
    assert (tmp_path / "nanhu" / "话务报表_2026-07.xlsx").exists()  # vendor-c: Excel
    assert not (tmp_path / "nanhu" / "智能客服测试.csv").exists()  # 南湖市 has no bot
