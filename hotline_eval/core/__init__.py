"""What every stage uses and nothing hotline-specific: errors, params files, outputs, DuckDB, numbers.

- errors: the one exception family; every error names where the problem is and how to fix it;
- paramfiles: safe loading of the YAML files under params/ into typed models; the project folder;
- store: outputs written atomically, fingerprints, CSV a spreadsheet reads as data;
- sqltext: SQL literals and identifiers for DuckDB;
- fmt: numbers, percentages, changes and dates written the Chinese way;
- masking: salted hashes of phone numbers, personal numbers masked in text;
- stats: Wilson intervals, tests of differences of rates, means and counts, Benjamini–Hochberg.

Modules here import nothing else of the package.
"""
