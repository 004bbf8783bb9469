"""hotline-eval: service-quality evaluation of 12345 government-service hotlines.

Implements the evaluation standard "12345政务服务便民热线服务质量评价规范": ingest of hotline
system exports into one canonical schema, data-quality assessment (§5.2.7), the indicators of
§6, Appendix A scoring, comparison, narrative and reports.
"""

__version__ = "0.1.0"
