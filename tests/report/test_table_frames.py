"""The frames behind the documents' tables: grade bands worded from the definition."""

from hotline_eval.config.evaluation import Grade
from hotline_eval.report.table_frames import grade_bands


def test_grade_bands_are_worded_from_the_definition():
    grades = [Grade(grade="优秀", min=90), Grade(grade="良好", min=80), Grade(grade="合格", min=60),
              Grade(grade="不合格", min=0)]
    assert grade_bands(type("R", (), {"evaluation": type("E", (), {"grades": grades})})()) == (
        "优秀（90分及以上）、良好（80分至90分以下）、合格（60分至80分以下）、不合格（60分以下）"
    )
