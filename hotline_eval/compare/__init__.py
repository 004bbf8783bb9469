"""Comparative analysis (§8.1): what the city reports and the bulletin compare, and how.

- settings: params/comparison.yaml (statistics, robustness, problem rules, indicator lists);
- moments: Σx² of every mean-type indicator through the indicator engine (for tests and bootstrap);
- channels: indicators by intake channel (§5.2.2) through the same engine;
- frames: the data behind each comparison (heatmap, monthly series, unit league, reasons);
- charts: the comparison charts (heatmap, rank intervals, monthly trends, channels, reasons).
The tests of differences are in hotline_eval/compare/significance.py, the rank analyses in robustness.py.
"""
