"""Read search exports (RIS, MEDLINE, WoS, Ovid, EndNote, BibTeX, CNKI/Wanfang, CSV/Excel).

Pure: plain bytes/text in, :class:`reviewflow.records.ParseResult` out; no
database, no UI. ``read_file`` is the entry point; ``READERS`` maps each format
name to its reader so ``--format`` can override detection.
"""

from reviewflow.importers.api import FORMATS, READERS, read_bytes, read_file
from reviewflow.importers.detect import detect_format
from reviewflow.importers.encoding import decode

__all__ = ["FORMATS", "READERS", "decode", "detect_format", "read_bytes", "read_file"]
