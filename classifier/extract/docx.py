"""DOCX: WordprocessingML read with lxml, in document order.

What is read, and in which order: each distinct header part (in the order the sections
reference them), the body, footnotes, endnotes, then each distinct footer part.

- Body paragraphs and tables in document order; nested tables; content controls
  (``w:sdt`` → ``w:sdtContent``), ``w:customXml``, hyperlinks, simple and complex fields
  (the field *result* is text, the field code ``w:instrText`` is not).
- Tables: each cell is one ``table_cell`` segment (its paragraphs joined by ``"\\n"``); cells
  of a row are separated by ``"\\t"``, rows by ``"\\n"``. A merged cell is read once
  (``w:gridSpan`` is one ``w:tc``; ``w:vMerge``/``w:hMerge`` continuation cells are skipped).
  A table nested in a cell splits that cell into the text before it, the nested cells and
  the text after it.
- Text boxes and shapes (``w:txbxContent`` in DrawingML or VML): one ``textbox`` segment
  per paragraph, placed after the paragraph that anchors them (in a header or footer they
  keep the ``header``/``footer`` kind). Word stores a VML copy of every DrawingML text box
  in ``mc:AlternateContent/mc:Fallback``: only the first ``mc:Choice`` is read, so the text
  comes out once.
- Tracked changes: inserted text (``w:ins``, ``w:moveTo``) counts; deleted text
  (``w:del``/``w:delText``, ``w:moveFrom``) and deleted table rows do not.
- ``w:tab``/``w:ptab`` → ``"\\t"``; ``w:br``/``w:cr`` → ``"\\n"``; ``w:noBreakHyphen`` →
  ``"-"``; ``w:sym`` → its character unless it is a symbol-font private-use code; ruby
  annotations (``w:rt``) are skipped; Office Math text (``m:t``) is read.
- Hidden text (``w:vanish``) is read: a drafter can hide a passage on screen, but it is
  still in the file that would be sent, so the classifier must see it.
- Footnotes and endnotes: one segment per note; separator notes are skipped.
- Comments (批注): one segment per comment, after the endnotes. A reviewer's comment travels
  in the file that would be sent (a secret written only into a comment is still in the
  document), so the classifier must see it, like hidden text.

Not read: the glossary (building blocks), ``w:altChunk`` imports, charts and
SmartArt text (separate parts), embedded OLE objects.

Why lxml and not python-docx: measured on a 5-page draft, lxml over ``word/document.xml``
takes 0.7–1.3 ms against 9–17 ms for python-docx, which opens and parses every part of the
package (``styles.xml`` alone is 350 KB in Word's files) and returns paragraphs and tables
as separate lists, losing their order. The package is read with :mod:`zipfile`; relationship
parts are parsed here (20 lines), so python-docx is not imported at all.

Notes
-----
Source: issue 2 (§2, DOCX); ECMA-376 Part 1 §17 (WordprocessingML) and Part 3 §10
(markup compatibility: ``mc:AlternateContent``); ``../shared/cases`` c11, c12, c14, c16, c25.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib
from functools import cache
from typing import Any

from classifier.errors import CorruptFileError
from classifier.extract._limits import (
    MAX_PART_BYTES,
    NO_BUDGET,
    NO_DEADLINE,
    CharBudget,
    Deadline,
    check_part_size,
    check_zip,
    check_zip_methods,
)
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

_W_TRANSITIONAL = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
_MATH = "http://schemas.openxmlformats.org/officeDocument/2006/math"
_PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_R_NAMESPACES = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
#: Largest uncompressed XML part read (a guard against zip bombs).
_MAX_PART_BYTES = MAX_PART_BYTES
_SEPARATOR_NOTES = frozenset({"separator", "continuationSeparator", "continuationNotice"})

Element = Any  # lxml.etree._Element; lxml is imported lazily


class _Tags:
    """Clark-notation tag names for one WordprocessingML namespace (transitional or strict)."""

    def __init__(self, ns: str) -> None:
        def w(local: str) -> str:
            return f"{{{ns}}}{local}"

        self.p, self.tbl, self.tr, self.tc, self.t = w("p"), w("tbl"), w("tr"), w("tc"), w("t")
        self.tab, self.ptab, self.br, self.cr = w("tab"), w("ptab"), w("br"), w("cr")
        self.nbh, self.sym, self.char = w("noBreakHyphen"), w("sym"), w("char")
        self.sdt, self.sdt_content = w("sdt"), w("sdtContent")
        self.drawing, self.pict, self.object = w("drawing"), w("pict"), w("object")
        self.txbx = w("txbxContent")
        self.tr_pr, self.tc_pr, self.v_merge, self.h_merge = (
            w("trPr"),
            w("tcPr"),
            w("vMerge"),
            w("hMerge"),
        )
        self.val, self.type, self.id = w("val"), w("type"), w("id")
        self.deleted = w("del")
        self.sect_pr = w("sectPr")
        self.header_ref, self.footer_ref = w("headerReference"), w("footerReference")
        self.footnote, self.endnote = w("footnote"), w("endnote")
        self.comment = w("comment")
        self.alt, self.choice, self.fallback = (
            f"{{{_MC}}}AlternateContent",
            f"{{{_MC}}}Choice",
            f"{{{_MC}}}Fallback",
        )
        self.math_t = f"{{{_MATH}}}t"
        # Containers whose block-level children are read as if they were in the parent.
        self.block_wrappers = frozenset({w("customXml"), w("ins"), w("moveTo"), w("smartTag")})
        # Never text: deletions, field codes, properties, ruby annotations, VML fallbacks.
        self.skip = frozenset(
            {
                w("del"), w("moveFrom"), w("delText"), w("instrText"), w("delInstrText"),
                w("rPr"), w("pPr"), w("sdtPr"), w("sdtEndPr"), w("rt"), w("fldData"),
                self.fallback,
            }
        )  # fmt: skip


@cache
def _tags(ns: str) -> _Tags:
    """Tag names for namespace ``ns`` (built once per namespace)."""
    return _Tags(ns)


class _Walker:
    """Turn WordprocessingML elements into :class:`Piece` objects in reading order."""

    def __init__(self, tags: _Tags, budget: CharBudget = NO_BUDGET,
                 deadline: Deadline = NO_DEADLINE) -> None:
        self.t = tags
        self.pieces: list[Piece] = []
        self._new_row = False
        self.budget, self.deadline = budget, deadline

    def emit(self, kind: str, text: str, sep: str = "\n") -> None:
        """Append one piece; the first piece after a row or table boundary gets ``"\\n"``.

        Counts the characters against the document's budget and checks its deadline every
        256 pieces (issue 8: bounded work per file).
        """
        if self._new_row:
            sep, self._new_row = "\n", False
        self.budget.add(len(text) + 1)
        if len(self.pieces) % 256 == 255:
            self.deadline.check()
        self.pieces.append(Piece(kind, text, None, sep))

    def _choose(self, alt: Element) -> Element | None:
        """The branch of ``mc:AlternateContent`` to read: the first Choice, else the Fallback."""
        fallback = None
        for child in alt:
            if child.tag == self.t.choice:
                return child
            if child.tag == self.t.fallback:
                fallback = child
        return fallback

    def _block_items(self, parent: Element) -> Any:
        """Yield the paragraphs and tables under ``parent``, looking through wrappers."""
        t = self.t
        for child in parent:
            tag = child.tag
            if tag == t.p or tag == t.tbl:
                yield child
            elif tag == t.sdt:
                content = child.find(t.sdt_content)
                if content is not None:
                    yield from self._block_items(content)
            elif tag in t.block_wrappers:
                yield from self._block_items(child)
            elif tag == t.alt:
                branch = self._choose(child)
                if branch is not None:
                    yield from self._block_items(branch)

    def blocks(self, parent: Element, kind: str, *, merge: bool = False, sep: str = "\n") -> None:
        """Read block-level content; ``merge`` joins consecutive paragraphs into one piece."""
        t = self.t
        buffer: list[str] = []
        for el in self._block_items(parent):
            if el.tag == t.p:
                boxes: list[Element] = []
                text = self.paragraph(el, boxes)
                if merge:
                    buffer.append(text)
                else:
                    self.emit(kind, text)
                if boxes:
                    if buffer:
                        self.emit(kind, "\n".join(buffer), sep)
                        buffer, sep = [], "\n"
                    box_kind = kind if kind in ("header", "footer") else "textbox"
                    for box in boxes:
                        self.blocks(box, box_kind)
            else:
                if buffer:
                    self.emit(kind, "\n".join(buffer), sep)
                    buffer, sep = [], "\n"
                self.table(el)
        if buffer:
            self.emit(kind, "\n".join(buffer), sep)

    def _rows(self, parent: Element) -> Any:
        """Yield the rows of a table, looking through content controls and customXml."""
        return self._children(parent, self.t.tr)

    def _cells(self, parent: Element) -> Any:
        """Yield the cells of a row, looking through content controls and customXml."""
        return self._children(parent, self.t.tc)

    def _children(self, parent: Element, tag: str) -> Any:
        """Yield the ``tag`` children of ``parent``, looking through sdt and customXml wrappers."""
        t = self.t
        for child in parent:
            if child.tag == tag:
                yield child
            elif child.tag == t.sdt:
                content = child.find(t.sdt_content)
                if content is not None:
                    yield from self._children(content, tag)
            elif child.tag in t.block_wrappers:
                yield from self._children(child, tag)

    def _is_merge_continuation(self, tc: Element) -> bool:
        """Whether a cell continues a vertical (or legacy horizontal) merge."""
        t = self.t
        props = tc.find(t.tc_pr)
        if props is None:
            return False
        for tag in (t.v_merge, t.h_merge):
            merge = props.find(tag)
            if merge is not None and merge.get(t.val, "continue") == "continue":
                return True
        return False

    def table(self, tbl: Element) -> None:
        """Read a table: one piece per cell, ``"\\t"`` between cells, ``"\\n"`` between rows."""
        t = self.t
        for tr in self._rows(tbl):
            props = tr.find(t.tr_pr)
            if props is not None and props.find(t.deleted) is not None:
                continue  # a row deleted with tracked changes on
            self._new_row = True
            for tc in self._cells(tr):
                if not self._is_merge_continuation(tc):
                    self.blocks(tc, "table_cell", merge=True, sep="\t")
        self._new_row = True

    def paragraph(self, p: Element, boxes: list[Element]) -> str:
        """Return the text of one paragraph; text boxes found in it are added to ``boxes``."""
        out: list[str] = []
        self._inline(p, out, boxes)
        return "".join(out)

    def _inline(self, el: Element, out: list[str], boxes: list[Element]) -> None:
        """Collect run-level text under ``el`` (runs, insertions, fields, content controls …)."""
        t = self.t
        for child in el:
            tag = child.tag
            if tag == t.t:
                if child.text:
                    out.append(child.text)
            elif tag in t.skip:
                continue
            elif tag == t.tab or tag == t.ptab:
                out.append("\t")
            elif tag == t.br or tag == t.cr:
                out.append("\n")
            elif tag == t.nbh:
                out.append("-")
            elif tag == t.sym:
                out.append(_sym_char(child.get(t.char)))
            elif tag == t.drawing or tag == t.pict or tag == t.object:
                self._find_boxes(child, boxes)
            elif tag == t.alt:
                branch = self._choose(child)
                if branch is not None:
                    self._inline(branch, out, boxes)
            elif tag == t.math_t:
                if child.text:
                    out.append(child.text)
            elif len(child):
                self._inline(child, out, boxes)

    def _find_boxes(self, el: Element, boxes: list[Element]) -> None:
        """Find the outermost ``w:txbxContent`` elements of a drawing, skipping VML fallbacks."""
        t = self.t
        for child in el:
            tag = child.tag
            if tag == t.txbx:
                boxes.append(child)
            elif tag == t.alt:
                branch = self._choose(child)
                if branch is not None:
                    self._find_boxes(branch, boxes)
            elif tag != t.fallback and len(child):
                self._find_boxes(child, boxes)


def _sym_char(code: str | None) -> str:
    """The character of a ``w:sym``; symbol-font codes (U+F000–U+F0FF) have none."""
    try:
        cp = int(code or "", 16)
    except ValueError:
        return ""
    return "" if 0xF000 <= cp <= 0xF0FF or not 0 < cp <= 0x10FFFF else chr(cp)


class _Package:
    """The ZIP package: case-insensitive part lookup, size guard, safe XML parsing."""

    def __init__(self, zf: zipfile.ZipFile, name: str, budget: CharBudget = NO_BUDGET,
                 deadline: Deadline = NO_DEADLINE) -> None:
        self.zf = zf
        self.name = name
        self.infos = {info.filename.lower(): info for info in zf.infolist()}
        self.budget, self.deadline = budget, deadline
        self._parsed: dict[str, Element | None] = {}
        self.reads = 0  # parts inflated so far (each at most once; issue 8)

    def read(self, part: str) -> bytes | None:
        """Return the bytes of ``part`` (``None`` when absent)."""
        info = self.infos.get(part.lower().lstrip("/"))
        if info is None:
            return None
        check_part_size(info, self.name, _MAX_PART_BYTES)
        self.deadline.check()
        self.reads += 1
        return self.zf.read(info)

    def xml(self, part: str) -> Element | None:
        """Parse ``part`` as XML without entities or network access (``None`` when absent).

        Each part is inflated and parsed once, however many relationships point to it.
        """
        key = posixpath.normpath(part.lower().lstrip("/"))
        if key not in self._parsed:
            self._parsed[key] = self._parse(part)
        return self._parsed[key]

    def _parse(self, part: str) -> Element | None:
        from lxml import etree

        data = self.read(part)
        if data is None:
            return None
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
            huge_tree=False,
        )
        return etree.fromstring(data, parser)

    def rels(self, part: str) -> list[tuple[str, str, str]]:
        """Relationships of ``part`` as ``(id, type, target part name)``; external ones dropped."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        if root is None:
            return []
        out = []
        for rel in root.iter(f"{{{_PKG_RELS}}}Relationship"):
            target = rel.get("Target", "")
            if rel.get("TargetMode") == "External" or not target:
                continue
            target = (
                target.lstrip("/")
                if target.startswith("/")
                else posixpath.normpath(posixpath.join(folder, target))
            )
            out.append((rel.get("Id", ""), rel.get("Type", ""), target))
        return out


def _walk_part(pkg: _Package, part: str, tags: _Tags, kind: str) -> list[Piece]:
    """Read a header or footer part into pieces."""
    root = pkg.xml(part)
    if root is None:
        return []
    walker = _Walker(tags, pkg.budget, pkg.deadline)
    walker.blocks(root, kind)
    return walker.pieces


def _walk_notes(pkg: _Package, part: str, tags: _Tags, note_tag: str, kind: str) -> list[Piece]:
    """Read a footnotes, endnotes or comments part: one piece per note, separator notes
    skipped."""
    root = pkg.xml(part)
    if root is None:
        return []
    walker = _Walker(tags, pkg.budget, pkg.deadline)
    for note in root.iter(note_tag):
        if note.get(tags.type) not in _SEPARATOR_NOTES:
            walker.blocks(note, kind, merge=True)
    return walker.pieces


def _read(pkg: _Package) -> tuple[list[Piece], list[str]]:
    """Read the whole package into pieces in reading order, plus warnings."""
    from lxml import etree

    main = next(
        (target for _, typ, target in pkg.rels("") if typ.endswith("/officeDocument")),
        "word/document.xml",
    )
    try:
        root = pkg.xml(main)
    except etree.XMLSyntaxError as e:
        raise CorruptFileError(
            f"{file_label(pkg.name)}的正文 XML 已损坏：{e.msg}", path=pkg.name or None
        ) from e
    if root is None:
        raise CorruptFileError(
            f"{file_label(pkg.name)}缺少正文部分（{main}），文件可能已损坏", path=pkg.name or None
        )
    ns = etree.QName(root).namespace or ""
    if ns not in (_W_TRANSITIONAL, _W_STRICT) or etree.QName(root).localname != "document":
        raise CorruptFileError(
            f"{file_label(pkg.name)}的正文不是 WordprocessingML 文档", path=pkg.name or None
        )
    tags = _tags(ns)
    body = root.find(f"{{{ns}}}body")
    rels = {rid: (typ.rsplit("/", 1)[-1], target) for rid, typ, target in pkg.rels(main)}
    # Header and footer parts in the order the sections reference them, each part once.
    parts: dict[str, list[str]] = {"header": [], "footer": []}
    for sect in root.iter(tags.sect_pr):
        for ref in sect:
            if ref.tag not in (tags.header_ref, tags.footer_ref):
                continue
            rid = next(
                (ref.get(f"{{{r}}}id") for r in _R_NAMESPACES if ref.get(f"{{{r}}}id")), None
            )
            typ, target = rels.get(rid or "", ("", ""))
            if typ in parts and target not in parts[typ]:
                parts[typ].append(target)
    warnings: list[str] = []

    labels = {"header": "页眉", "footer": "页脚", "footnote": "脚注", "endnote": "尾注",
              "comment": "批注"}
    note_tags = {"footnote": tags.footnote, "endnote": tags.endnote, "comment": tags.comment}

    def optional(kind: str, target: str) -> list[Piece]:
        """Read a secondary part; a broken one is reported, not fatal."""
        try:
            if kind in note_tags:
                return _walk_notes(pkg, target, tags, note_tags[kind], kind)
            return _walk_part(pkg, target, tags, kind)
        except etree.XMLSyntaxError:
            warnings.append(f"part_error: {labels[kind]}部分（{target}）已损坏，未能读取")
            return []

    def distinct(kind: str) -> list[Piece]:
        """Header or footer pieces, skipping parts whose text repeats an earlier part."""
        out: list[Piece] = []
        seen: set[str] = set()
        for target in parts[kind]:
            pieces = optional(kind, target)
            key = "\n".join(p.text for p in pieces).strip()
            if key and key not in seen:
                seen.add(key)
                out.extend(pieces)
        return out

    pieces = distinct("header")
    walker = _Walker(tags, pkg.budget, pkg.deadline)
    if body is not None:
        walker.blocks(body, "paragraph")
    pieces.extend(walker.pieces)
    for rel_type, kind in (("footnotes", "footnote"), ("endnotes", "endnote"),
                           ("comments", "comment")):
        # Each notes part once, however many relationships point to it (issue 8: a DOCX
        # whose footnotes part 200 relationships point to re-read it 200 times, past 6 GB).
        targets = dict.fromkeys(posixpath.normpath(target.lower()) for typ, target in
                                rels.values() if typ == rel_type)
        for target in targets:
            pieces.extend(optional(kind, target))
    pieces.extend(distinct("footer"))
    return pieces, warnings


def extract(data: bytes, *, name: str = "", deadline: Deadline = NO_DEADLINE,
            max_chars: int | None = None) -> ExtractedText:
    """Extract the text of a DOCX (see the module docstring for what is read).

    Parameters
    ----------
    data : bytes
        The DOCX file (a ZIP package).
    name : str, optional
        File name, for messages.
    deadline : Deadline, optional
        Checked between parts and every 256 pieces of text.
    max_chars : int, optional
        Most characters read (``too_large`` beyond); ``None`` for no cap.

    Returns
    -------
    ExtractedText
        ``source_format="docx"``, ``pages=1``; ``text`` may be empty (the caller raises
        ``EmptyTextError``).

    Raises
    ------
    CorruptFileError
        Unreadable ZIP, missing or broken ``word/document.xml``.
    TooLargeError
        A ZIP bomb (:func:`classifier.extract._limits.check_zip`), an XML part that would
        decompress to more than 64 MiB, or more than ``max_chars`` characters.
    UnsupportedFormatError
        A part compressed with a method that cannot be read.
    ExtractionTimeoutError
        Past ``deadline``.
    """
    import lzma

    from lxml import etree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, name)
            check_zip_methods(zf, name)
            pieces, warnings = _read(_Package(zf, name, CharBudget(max_chars, name), deadline))
    except (
        lzma.LZMAError,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        NotImplementedError,
        RuntimeError,
        ValueError,
    ) as e:
        raise CorruptFileError(
            f"{file_label(name)}无法打开：ZIP 结构已损坏或不完整", path=name or None
        ) from e
    except etree.XMLSyntaxError as e:
        if "Memory allocation failed" in (e.msg or ""):
            raise MemoryError(e.msg) from e  # the memory limit, not a broken file
        raise CorruptFileError(
            f"{file_label(name)}的 XML 已损坏：{e.msg}", path=name or None
        ) from e
    text, segments = assemble(pieces)
    return ExtractedText(
        text=text, segments=segments, source_format="docx", pages=1, warnings=tuple(warnings)
    )
