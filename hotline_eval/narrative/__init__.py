"""The report's text generated from the numbers (§8.1, §8.5): no figure is typed by hand.

- stories: one city's narrative (summary, strengths, problems, measures, tracking), built once;
- facts: what the results say about one indicator of one city (value, province, rank, tests);
- problems: which findings are problems and how they are stated;
- rectification: rectification measures from params/measures.yaml, each naming who acts and by when
  (rectification_spec: the models of that file);
- overview: the opening summary and the strengths;
- tracking: the previous evaluation's problems, now (§8.5);
- missing: why indicators are no data (fields the sources do not record);
- phrasing: deterministic choice among alternative phrasings, numbers and direction words.
Wording is in params/wording/narrative.yaml and params/measures.yaml.
"""

from __future__ import annotations

import pandas as pd

from hotline_eval.compare.aggregates import dimension_rates as _rates
from hotline_eval.narrative.missing import not_provided_sentence
from hotline_eval.narrative.stories import Story, story
from hotline_eval.results import Results

__all__ = ["Story", "dimension_rates", "not_provided_sentence", "story", "summary"]


def dimension_rates(results: Results) -> pd.DataFrame:
    """得分率 (score ÷ available points) of every dimension, city × dimension name."""
    names = {d.id: d.zh for d in results.catalogue.dimensions}
    return _rates(results).rename(columns=names)


def summary(results: Results, city: str, previous: Results | None = None) -> str:
    """The opening paragraph of a city's results: score, grade, rank, their firmness, the change, dimensions."""
    return story(results, city, previous).summary
