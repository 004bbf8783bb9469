"""The fieldwork kit (§7.2 sampling, recordings, observation; §7.3 expert scoring).

Modules, by what they do:
- design (params/fieldwork.yaml: frames, strata, shifts, sample sizes, form items),
- sampling (the population of a frame, proportional allocation with a minimum per stratum, the
  seeded draw),
- forms (review forms and expert score sheets whose headers and values come from the mappings
  that read them back), workbook (writing a fill-in form with XlsxWriter),
- kit (everything for one evaluation under outputs/<evaluation>/fieldwork/).

Filled forms are read back by ordinary ingest (mappings review-forms and review-tickets).
"""
