"""Plain helpers of the tests (fixtures live in tests/conftest.py): where the project and the corpus are.

- `hand_built`: canonical tables written from hand-built rows, the test evaluation, one engine run;
- `builders`: one readable line per record of those tables, and catalogue entries built in a test;
- `quality_tables`: the data-quality checks' context and rows on hand-built tables;
- `hostile`: names carrying markup, for the escaping tests;
- `channels`: the intake channels (§5.2.2) as the schema and the mappings name them;
- `documents`: the document linter's findings of a rendered document, one test per rule.
"""

from __future__ import annotations

from pathlib import Path

from hotline_eval.core.paramfiles import project_root

ROOT = project_root(Path(__file__).parent)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"  # the bad-input corpus (tests/corpus/README.md)
