"""The frames behind the documents' tables: grade bands worded from the definition."""

from hotline_eval.config.evaluation import Grade
from hotline_eval.config.wording import load_wording
from hotline_eval.report.table_frames import grade_bands


def test_grade_bands_are_worded_from_the_definition(root):
    grades = [
        Grade(grade="优秀", min=90),
        Grade(grade="良好", min=80),
        Grade(grade="合格", min=60),
        Grade(grade="不合格", min=0),
    ]
    results = type("R", (), {"evaluation": type("E", (), {"grades": grades})})()
    assert grade_bands(results, load_wording(root)) == (
        "优秀（90分及以上）、良好（80分至90分以下）、合格（60分至80分以下）、不合格（60分以下）"
    )
