"""Ingest (§5.2.8): export files → validated, masked canonical Parquet tables and rejects.

- discovery: which file of an input folder is read as which table (patterns, subfolders, and an
  error for every folder or file that cannot be read);
- canonical: the stage — stage the export files, map, type and check every row, write
  data/<table>.parquet, rejects/<table>.csv, cleared/<table>.csv and excluded.csv, count
  rows in = accepted + rejected per file;
- readers: CSV (any usual encoding), XLSX and Parquet exports staged as text with row numbers;
- textfiles: what a CSV holds as text (encoding, line ends, quotes, blank rows);
- excel_cells: Excel cells as the text a person reading the sheet sees;
- values: a canonical column's value as SQL over the source text (parsing, recoding);
- row_checks: the per-row checks, in order, each with its reason and fix;
- versions: data versions — a repeated or supplementary upload keeps the earlier one on record.
"""
