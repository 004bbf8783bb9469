"""A city's narrative, assembled once per document: summary, strengths, problems, measures, tracking."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from hotline_eval.compare.analysis import Analysis, analysis
from hotline_eval.config.wording import load_wording
from hotline_eval.narrative import overview
from hotline_eval.narrative import problems as problems_module
from hotline_eval.narrative import rectification as measures_module
from hotline_eval.narrative import tracking as tracking_module
from hotline_eval.narrative.facts import Fact, facts
from hotline_eval.narrative.phrasing import Chooser
from hotline_eval.narrative.rectification_spec import load_measures
from hotline_eval.results import Results

_CACHE: dict[tuple[str, str, str, str], Story] = {}


@dataclass
class Story:
    a: Analysis
    city: str

    def context(self) -> problems_module.ProblemContext:
        """A fresh context for one part of the text: each part chooses its phrasings on its own, so the
        text does not depend on the order in which the parts are asked for."""
        root = self.a.results.root
        words = load_wording(root, self.a.results.evaluation.labels)
        return problems_module.ProblemContext(self.a, self.city, words, load_measures(root), Chooser())

    @property
    def ctx(self) -> problems_module.ProblemContext:
        return self.context()

    @cached_property
    def facts(self) -> dict[str, Fact]:
        return facts(self.a, self.city)

    @cached_property
    def summary(self) -> str:
        return overview.summary(self.context())

    @cached_property
    def all_problems(self) -> list[problems_module.Problem]:
        """Every finding that is a problem by the rules, most severe first."""
        return problems_module.find(self.context(), self.facts)

    @cached_property
    def problems(self) -> list[problems_module.Problem]:
        """The problems the report states (the most severe `problems.max`)."""
        return self.all_problems[: self.a.settings.problems.max]

    @cached_property
    def measures(self) -> list[measures_module.Measure]:
        return measures_module.choose(self.context(), self.problems, self.facts)

    @cached_property
    def strengths(self) -> list[str]:
        return overview.strengths(self.context(), self.facts, {p.key for p in self.problems})

    @cached_property
    def strengths_text(self) -> str:
        """The strengths as one paragraph (empty when there are none)."""
        ctx = self.context()
        if not self.strengths:
            return overview.no_strengths(ctx)
        return overview.strengths_intro(ctx) + "；".join(self.strengths) + "。"

    def words(self, part: str, key: str) -> str:
        """A fixed phrase of a part (problems, measures, tracking), chosen for this city and filled in."""
        ctx = self.context()
        options = ctx.words["narrative"][part][key]
        fdr = f"{self.a.settings.significance.fdr * 100:g}%"
        return ctx.pick(f"{part}.{key}", options, part).format(city=ctx.name, fdr=fdr)

    def measures_of(self, problem: problems_module.Problem) -> list[measures_module.Measure]:
        return [m for m in self.measures if m.problem == problem.number]

    @cached_property
    def report_line(self) -> str:
        return measures_module.report_line(self.context())

    @cached_property
    def previous(self) -> Story | None:
        """The same city's story in the previous evaluation (its problems, for §8.5)."""
        before = self.a.previous
        if before is None or self.city not in before.evaluation.city_ids():
            return None
        return story(before, self.city)

    @cached_property
    def tracking(self) -> list[tracking_module.Tracked] | None:
        if self.previous is None:
            return None
        return tracking_module.track(self.context(), self.previous.problems, self.all_problems)

    @cached_property
    def tracking_text(self) -> str:
        return tracking_module.paragraph(self.context(), self.tracking) if self.tracking else ""

    @cached_property
    def tracking_table(self):
        return tracking_module.table(self.context(), self.tracking, self.all_problems) if self.tracking else None


def story(results: Results, city: str, previous: Results | None = None) -> Story:
    """The narrative of one city (the same object for the same evaluation, city and previous evaluation)."""
    key = (str(results.root.resolve()), results.evaluation.id, city, previous.evaluation.id if previous else "")
    if key not in _CACHE:
        results.evaluation.check_city(city)
        _CACHE[key] = Story(analysis(results, previous), city)
    return _CACHE[key]
