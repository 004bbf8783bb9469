"""Measurement (§6): every indicator of the catalogue per city × month (× handling unit).

- engine: one grouped DuckDB pass per source table computes every indicator's terms; rolled up
  per month and pooled over the period, with status, flags and Wilson intervals (indicators.csv);
- windows: the same engine inside a time window (short periods, time slots, activity windows);
- dissatisfaction: the reasons of dissatisfied evaluations (§6.5.3, dissatisfaction.csv).
"""
