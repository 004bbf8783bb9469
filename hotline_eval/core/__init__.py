"""What every stage uses and nothing hotline-specific: errors, params files, outputs, DuckDB, numbers.

- errors: the one exception family; every error names where the problem is and how to fix it;
- paramfiles: safe loading of the YAML files under params/ into typed models; the project folder;
- store: outputs written atomically, fingerprints, CSV a spreadsheet reads as data;
- paths: where an evaluation's outputs live (and a run's staging folder);
- publish: a run's outputs written in a staging folder and published all at once; the locks of
  runs and readers;
- sqltext: SQL literals and identifiers for DuckDB;
- fmt: numbers, percentages, changes and dates written the Chinese way;
- masking: salted hashes of phone numbers, personal numbers masked in text;
- stats: Wilson intervals, tests of differences of rates, means and counts, Benjamini–Hochberg.

Modules here import nothing else of the package.
"""
