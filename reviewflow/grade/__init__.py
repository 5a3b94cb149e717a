"""GRADE: the certainty of the evidence for each outcome, and the summary of findings.

Domain logic only (no TUI or CLI): :mod:`domains` holds the vocabulary,
:mod:`certainty` derives the rating from the judgements, :mod:`rules` the
prefilled suggestions, :mod:`judgements` the append-only store rows,
:mod:`evidence` what the rules read from a review, :mod:`sof` the summary of
findings table and :mod:`sof_docx` its Word document.
"""
