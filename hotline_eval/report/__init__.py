"""Documents: the city report, the province bulletin, the evaluation plan and the evaluation's index page.

Modules, by what they do:
- blocks (headings, paragraphs), tables, charts, comparison_charts, fonts — what the notebooks use
  to show things;
- context (what the notebooks of one document share), table_frames (the tables as display text),
  sources (the data a report rests on), previous (the evaluation compared with), appeal (§8.2: the
  notice, the appeal log), bulletin (the 通报's text);
- render (execute notebooks, convert to HTML), contents (the contents page), pdf (print, with page
  numbers in the contents), document (notebooks → HTML → PDF), city, batch (all cities), index,
  plan (the evaluation plan, §5.2.3, rendered before any data exist).
"""
