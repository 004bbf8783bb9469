"""hotline-eval: service-quality evaluation of 12345 government-service hotlines.

Implements the evaluation standard "12345政务服务便民热线服务质量评价规范". The packages are the
stages of an evaluation, in the order the data flow through them; a stage imports only earlier
stages (tests/test_layers.py holds the order):

    core        errors, params files, outputs, DuckDB, number formats, masking, statistics
    config      the definitions under params/: schema, mappings, catalogue, evaluations, wording
    sample      the synthetic sample province's exports
    ingest      export files → canonical Parquet tables and rejects (§5.2.8)
    quality     the data-quality assessment and its gate (§5.2.7)
    measure     the indicators of §6 per city × month (× handling unit)
    score       Appendix A: scores, totals, grades, ranks; the score sheet (§8.3)
    cycle       plan, timeline, fieldwork kit, appeals (§5.2.3, §7, §8.2)
    results     what the documents read: the files the stages wrote
    compare     comparisons and their statistics (§8.1)
    narrative   the text written from the numbers (§8.1, §8.5)
    report      the documents: notebooks → HTML → PDF, batch, index
    pipeline    the stages run in order, cached; cli: the `hotline-eval` command
"""

__version__ = "0.1.0"
