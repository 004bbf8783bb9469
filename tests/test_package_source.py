"""The package's source: YAML is never loaded unsafely, no string is run (eval, exec, pickle, a shell)."""

from __future__ import annotations

import re


def test_the_package_never_loads_yaml_unsafely_or_runs_strings(root):
    unsafe = re.compile(
        r"yaml\.(?:load|unsafe_load|full_load|load_all)\(|Loader\s*=|\beval\(|\bexec\(|pickle\.load|shell\s*=\s*True"
    )
    found = [
        f"{path.relative_to(root)}:{n}: {line.strip()}"
        for path in sorted((root / "hotline_eval").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if unsafe.search(line)
    ]
    assert found == []
