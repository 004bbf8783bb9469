"""Word (.docx) documents beside the HTML and PDF, from the same content: the blocks the executed
notebooks display become Word headings, paragraphs, tables and pictures, set in the page and type of
params/document_styles.yaml (docs/documents/word.md)."""

from hotline_eval.report.word.document import style_for, write_docx

__all__ = ["style_for", "write_docx"]
