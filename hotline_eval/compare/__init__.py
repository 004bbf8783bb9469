"""Comparative analysis (§8.1): what the city reports and the bulletin compare, and how.

- settings: params/comparison.yaml (statistics, robustness, problem rules, indicator lists);
- extra_terms: the extra sums measured with the indicators — Σx² of every mean-type indicator, and the
  channel indicators per intake channel (§5.2.2) — and reading them back;
- aggregates: dimension points and score rates, the province's pooled values, points lost;
- volumes: the volumes a document states (tickets, calls, channels, unit classes);
- significance: tests of gaps to the province, of changes between periods and months (BH-corrected);
- robustness: bootstrap of totals, Monte-Carlo rank stability, drop-one influence;
- analysis: the shared analysis of an evaluation, computed once for all its documents;
- frames: the data behind each comparison (heatmap, monthly series, unit league, reasons).
The charts drawn from these frames are in hotline_eval/report/comparison_charts.py.
"""
