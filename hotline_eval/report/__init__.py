"""Presentation helpers: fonts, charts, tables, Chinese number formats, rendering."""
