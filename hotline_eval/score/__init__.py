"""Scoring (Appendix A): scored items, totals, grades and ranks of cities and handling units.

- rules: an item's values per city → its score against the reference (A.1), qualitative rules (A.2);
- expert_panel: the panel of the additional indicators (A.3, §7.3): rounds, trimmed mean;
- scoring: the stage — every item of an evaluation scored (levels, time slots, activity, change);
- totals: dimension scores, total, coverage, grade, rank; veto: one-vote veto;
- units: handling units scored and ranked within their city and class (§4.2);
- trend, activity: special evaluations' month-by-month change and themed activities (§5.1.2);
- outputs, scoresheet: scores.csv, totals.csv and the other files; the score sheet scores.xlsx (§8.3).
"""
