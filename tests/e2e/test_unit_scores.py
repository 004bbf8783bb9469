"""End to end: the handling units of the sample province scored all at once equal each group scored alone."""

import pandas as pd

from hotline_eval.config.catalogue import load_catalogue
from hotline_eval.score.units import unit_scores


def _per_group(indicators, units, ev, items, params):
    """ReferenceValue: each city × class group scored on its own with the city-level scoring functions
    (scoring.best_of for the best unit, scoring.score_item for the score), as unit scoring first did."""
    from hotline_eval.score.rules import ReferenceValue, as_values, best_of, score_item
    from hotline_eval.score.units import UNLISTED, item_units, unit_items

    frames = []
    for item in unit_items(items):
        part = item_units(indicators, units, ev, item.indicator.id)
        for (city, cls), group in part.groupby(["city", "class"], sort=True):
            values = as_values(group.set_index("unit"), list(group["unit"]))
            small = (values["status"] == "ok") & (values["denominator"] < ev.units.min_denominator)
            values.loc[small, "status"] = "insufficient_sample"
            if cls == UNLISTED:
                values.loc[values["status"] == "ok", "status"] = "unlisted_unit"
            ref = best_of(values.loc[values["status"] == "ok", "value"], item.indicator.direction) or ReferenceValue(
                float("nan"), ""
            )
            values = values.assign(reference=ref.value, reference_holder=ref.holder)
            scored = score_item(item, values, ev, params).rename(columns={"city": "unit"})
            scored = scored.merge(group[["unit", "unit_name"]], on="unit", how="left")
            frames.append(scored.assign(city=city, **{"class": cls}))
    return pd.concat(frames, ignore_index=True)


def test_every_group_scored_at_once_equals_each_group_scored_alone(demo, root):
    """The sample province's units (several cities, classes, ties, small units, thresholds): the scores
    of all groups computed together equal those of each group scored on its own."""
    from hotline_eval.config.definitions import load_evaluation
    from hotline_eval.config.evaluation import Threshold
    from hotline_eval.results import load

    results = load(root, "demo-comprehensive")
    ev = load_evaluation(root, "demo-comprehensive")
    catalogue = load_catalogue(root)
    units = pd.read_parquet(demo.data / "units.parquet")
    ev = ev.model_copy(update={"thresholds": {"result_satisfaction": Threshold(zero_below=0.9)}})
    params = ev.parameter_values(catalogue)
    fast = unit_scores(results.indicators, units, ev, ev.items(catalogue), params)
    slow = _per_group(results.indicators, units, ev, ev.items(catalogue), params)[fast.columns]
    assert len(fast) > 200 and fast["status"].nunique() >= 2 and fast["flag"].str.contains("threshold").any()
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), slow.reset_index(drop=True), check_dtype=False)
