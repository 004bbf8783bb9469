"""The definitions under params/, loaded and checked before any data are read.

- schema: the canonical tables and columns (params/schema.yaml);
- mapping: how one source system's exports become canonical tables (params/mappings/);
- catalogue: the indicator catalogue with its formulas as SQL (params/indicators.yaml);
- evaluation, evaluation_checks: evaluation definitions and their load-time checks
  (params/evaluations/, params/evaluation-defaults.yaml);
- calendar: holidays and working weekends, working-day arithmetic (params/calendar.yaml);
- rule_tables: the qualitative rule tables (params/rule_tables.yaml);
- wording: the words readers see, in the evaluation's labels (params/wording/, a file per document).
"""
