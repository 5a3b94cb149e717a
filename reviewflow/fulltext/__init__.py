"""Full texts: PDFs matched to records, stored once, their text kept per page.

``pdftext`` reads a PDF (pypdf), ``identifiers`` finds DOIs, PMIDs and
reference-manager file-name patterns, ``matching`` decides which record a PDF
belongs to (pure), ``storage`` keeps content-addressed copies, and
``service`` writes and derives the full-text state in the store.
"""
