"""One builder per notebook of a document: the notebook shows the steps, the builder does the work.

Each notebook cell shows what one method of its builder returns: a list of HTML fragments (headings,
paragraphs, tables, charts) in reading order, displayed one output each (blocks.show). Every
sentence comes from params/wording/ with its numbers filled in from the results; the builders hold
no prose. Modules are named <document>_<notebook>: city_overview builds notebooks/city/01-overview.
"""
