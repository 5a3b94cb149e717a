"""A small, safe XML tree for RevMan 5 files, built straight on expat.

Why not ``xml.etree`` or ``lxml``: an ``.rm5`` file is someone else's file,
and XML can declare entities (the "billion laughs" expansion) or pull in
external ones (a local file or URL read into the document). RevMan 5 files
never carry a document type declaration, so the parser refuses any DTD at
all: with no DTD there can be no entity declarations, so neither attack is
possible, whatever the expat version (the same policy as ``defusedxml``'s
``forbid_dtd``, without the dependency). External entity references and
parameter-entity parsing are switched off as well, belt and braces.

The file is fed to expat in chunks, and subtrees nobody reads (the review's
prose, figures, summary-of-findings tables) are skipped while parsing, so a
large review costs memory only for its studies and data.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from xml.parsers import expat

from reviewflow.errors import InputError

CHUNK = 1 << 16

# Subtrees the reader never looks at: their text can be megabytes.
SKIPPED = frozenset({
    "MAIN_TEXT", "FIGURES", "SOF_TABLES", "APPENDICES", "FEEDBACK", "ADDITIONAL_TABLES",
    "EXTENSIONS", "WHATS_NEW", "HISTORY", "SOURCES_OF_SUPPORT", "CONTACT", "CREATORS",
})


class Node:
    """One element: tag, attributes, children, its own text and its line."""

    __slots__ = ("tag", "attrs", "children", "parts", "line")

    def __init__(self, tag: str, attrs: dict[str, str], line: int) -> None:
        self.tag = tag
        self.attrs = attrs
        self.children: list[Node] = []
        self.parts: list[str] = []
        self.line = line

    def get(self, key: str, default: str = "") -> str:
        return self.attrs.get(key, default)

    def find(self, tag: str) -> Node | None:
        for child in self.children:
            if child.tag == tag:
                return child
        return None

    def findall(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def iter(self, tag: str) -> Iterator[Node]:
        stack = [self]
        while stack:
            node = stack.pop()
            if node.tag == tag:
                yield node
            stack.extend(reversed(node.children))

    def child_text(self, tag: str) -> str:
        child = self.find(tag)
        return child.text() if child is not None else ""

    def text(self) -> str:
        """All text inside, paragraphs (P, BR, list items) on their own lines."""
        out: list[str] = []
        self._collect(out)
        lines = (" ".join(line.split()) for line in "".join(out).split("\n"))
        return "\n".join(line for line in lines if line)

    def _collect(self, out: list[str]) -> None:
        # A line break with only blanks between elements is the file's layout, not
        # text: RevMan splits a name into tracked-change pieces on their own lines
        # (<INS>Acceptability (withdr</INS>\n<INS>awal ...</INS>), and reads them as
        # one word, as XML readers that drop blank nodes (libxml2, so meta) do.
        out.extend(p for p in self.parts[:1] if not _layout(p))
        for i, child in enumerate(self.children):
            if child.tag in ("P", "BR", "LI", "TR"):
                out.append("\n")
            child._collect(out)
            if i + 1 < len(self.parts) and not _layout(self.parts[i + 1]):
                out.append(self.parts[i + 1])


def _layout(text: str) -> bool:
    return "\n" in text and not text.strip()


class _Builder:
    def __init__(self, source: str) -> None:
        self.source = source
        self.stack: list[Node] = []
        self.root: Node | None = None
        self.skip_depth = 0
        self.parser = expat.ParserCreate()
        p = self.parser
        p.buffer_text = True
        p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        p.StartDoctypeDeclHandler = self._refuse_dtd
        p.EntityDeclHandler = self._refuse_entity
        p.ExternalEntityRefHandler = self._refuse_external
        p.StartElementHandler = self._start
        p.EndElementHandler = self._end
        p.CharacterDataHandler = self._chars

    def fail(self, problem: str) -> InputError:
        return InputError(self.source, self.parser.CurrentLineNumber, problem)

    def _refuse_dtd(self, name, *_args) -> None:
        raise self.fail(f"document type declaration <!DOCTYPE {name}> refused "
                        "(RevMan files have none; a DTD can expand or fetch entities)")

    def _refuse_entity(self, name, *_args) -> None:
        raise self.fail(f"entity declaration {name!r} refused")

    def _refuse_external(self, *_args) -> int:
        raise self.fail("external entity reference refused")

    def _start(self, tag: str, attrs: dict[str, str]) -> None:
        if self.skip_depth:
            self.skip_depth += 1
            return
        if tag in SKIPPED and self.stack:
            self.skip_depth = 1
            return
        node = Node(tag, attrs, self.parser.CurrentLineNumber)
        if self.stack:
            parent = self.stack[-1]
            if len(parent.parts) <= len(parent.children):
                parent.parts.append("")
            parent.children.append(node)
        elif self.root is None:
            self.root = node
        self.stack.append(node)

    def _end(self, _tag: str) -> None:
        if self.skip_depth:
            self.skip_depth -= 1
            return
        self.stack.pop()

    def _chars(self, data: str) -> None:
        if self.skip_depth or not self.stack:
            return
        node = self.stack[-1]
        slot = len(node.children)  # text after the n-th child goes in parts[n]
        while len(node.parts) < slot + 1:
            node.parts.append("")
        node.parts[slot] += data


def parse(stream: BinaryIO, source: str) -> Node:
    """Parse a whole document; any problem is one InputError naming the line."""
    builder = _Builder(source)
    final = False
    try:
        while chunk := stream.read(CHUNK):
            builder.parser.Parse(chunk, False)
        final = True
        builder.parser.Parse(b"", True)
    except expat.ExpatError as exc:
        open_tags = builder.stack
        if final and open_tags:  # the error is the end of the data itself
            inner = open_tags[-1]
            raise InputError(source, exc.lineno, f"the file ends inside <{inner.tag}> "
                             f"(opened on line {inner.line}): it is truncated") from None
        where = f" inside <{open_tags[-1].tag}>" if open_tags else ""
        raise InputError(source, exc.lineno,
                         f"not well-formed XML{where}: {expat.errors.messages[exc.code]}"
                         ) from None
    except LookupError as exc:  # expat asks Python for the declared encoding's codec
        raise InputError(source, builder.parser.CurrentLineNumber,
                         f"the XML declaration names an unknown encoding ({exc})") from None
    except UnicodeError as exc:
        raise InputError(source, builder.parser.CurrentLineNumber,
                         f"text not in the declared encoding ({exc.reason})") from None
    if builder.root is None:
        raise InputError(source, None, "no XML element found (empty file?)")
    return builder.root


def parse_file(path: Path) -> Node:
    try:
        with path.open("rb") as stream:
            return parse(stream, str(path))
    except OSError as exc:
        raise InputError(str(path), None, f"cannot read: {exc.strerror}") from None
