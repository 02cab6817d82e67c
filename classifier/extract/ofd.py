"""OFD (GB/T 33190-2016): a ZIP of XML; text from the page content's ``TextCode`` objects.

``OFD.xml`` → ``DocBody/DocRoot`` (the first document) → ``Document.xml`` → ``Pages/Page``
``BaseLoc`` → each page's content: every ``TextObject`` (also inside ``PageBlock`` and
layers) gives its ``TextCode`` strings with their positions (the object's ``Boundary`` plus
the code's ``X``/``Y``, in mm). Codes are grouped into rows and rows joined into paragraphs
with the same rule as OCR text (:func:`classifier.extract.ocr.layout`). Each page with text is
one ``page`` segment. Templates, annotations, signatures and attachments are not read.

No maintained Python OFD library serves (the packages on PyPI are unmaintained converters
that pull in rendering stacks), so this is a small lxml reader.

Source: issue 5 (§2 OFD); GB/T 33190-2016 §7 (document structure), §11 (text objects).
"""

from __future__ import annotations

import io
import posixpath
import zipfile
import zlib

from classifier.errors import CorruptFileError, TooLargeError
from classifier.extract._limits import (
    MAX_PART_BYTES,
    NO_DEADLINE,
    CharBudget,
    Deadline,
    check_part_size,
    check_zip,
    check_zip_methods,
)
from classifier.extract.normalize import Piece, assemble, file_label
from classifier.extract.result import ExtractedText

_MAX_PART_BYTES = MAX_PART_BYTES


def _floats(value: str | None, n: int) -> list[float]:
    out = []
    for tok in (value or "").split():
        try:
            out.append(float(tok))
        except ValueError:
            out.append(0.0)
    return (out + [0.0] * n)[:n]


class _Pkg:
    def __init__(self, zf: zipfile.ZipFile, name: str) -> None:
        self.zf, self.name = zf, name
        self.infos = {i.filename.lstrip("/").lower(): i for i in zf.infolist()}

    def xml(self, part: str):
        from lxml import etree

        info = self.infos.get(posixpath.normpath(part).lstrip("/").lower())
        if info is None:
            return None
        check_part_size(info, self.name, _MAX_PART_BYTES)
        parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                                 remove_comments=True, remove_pis=True)
        return etree.fromstring(self.zf.read(info), parser)


def _resolve(base_dir: str, loc: str) -> str:
    loc = (loc or "").strip()
    return loc.lstrip("/") if loc.startswith("/") else posixpath.join(base_dir, loc)


def _page_items(root) -> list[tuple[float, float, float, float, str]]:
    items = []
    for obj in root.iter("{*}TextObject"):
        bx, by, _, _ = _floats(obj.get("Boundary"), 4)
        size = _floats(obj.get("Size"), 1)[0] or 3.5
        x = y = 0.0
        for code in obj.iter("{*}TextCode"):
            text = "".join(code.itertext())
            if code.get("X") is not None:
                x = _floats(code.get("X"), 1)[0]
            if code.get("Y") is not None:
                y = _floats(code.get("Y"), 1)[0]
            if text.strip():
                left, base = bx + x, by + y
                items.append((left, left + size * len(text), base - size, base, text))
    return items


def extract(data: bytes, *, name: str = "", deadline: Deadline = NO_DEADLINE,
            max_pages: int | None = None, max_chars: int | None = None) -> ExtractedText:
    """Extract the text of an OFD file page by page.

    Each page's content part is read once: a page listed again (a 452 KB OFD listing one
    page 5,000 times reached 7.7 GB, issue 8) is skipped with a warning.

    Parameters
    ----------
    max_pages : int, optional
        More pages listed than this is ``too_large`` before any page is read.
    max_chars : int, optional
        Most characters read (``too_large`` beyond).

    Raises
    ------
    CorruptFileError
        No ``OFD.xml``/document/pages, or broken XML or ZIP.
    TooLargeError
        A ZIP bomb, an oversized part, too many pages or characters.
    UnsupportedFormatError
        A part compressed with a method that cannot be read.
    """
    import lzma

    from lxml import etree

    from classifier.extract.ocr import layout

    label = file_label(name)
    pieces: list[Piece] = []
    warnings: list[str] = []
    budget = CharBudget(max_chars, name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            check_zip(zf, name)
            check_zip_methods(zf, name)
            pkg = _Pkg(zf, name)
            ofd = pkg.xml("OFD.xml")
            root_loc = None if ofd is None else next(
                (e.text for e in ofd.iter("{*}DocRoot") if e.text), None)
            doc = pkg.xml(_resolve("", root_loc)) if root_loc else None
            if doc is None:
                raise CorruptFileError(f"{label}无法打开：OFD 缺少文档根（DocRoot）",
                                       path=name or None)
            doc_dir = posixpath.dirname(_resolve("", str(root_loc)))
            pages = [p.get("BaseLoc") for p in doc.iter("{*}Page") if p.get("BaseLoc")]
            if max_pages and len(pages) > max_pages:
                raise TooLargeError(f"{label}共 {len(pages)} 页，超过上限 {max_pages} 页",
                                    path=name or None)
            seen: set[str] = set()
            repeated = 0
            for number, loc in enumerate(pages, 1):
                deadline.check()
                part = posixpath.normpath(_resolve(doc_dir, loc)).lower()
                if part in seen:
                    repeated += 1
                    continue
                seen.add(part)
                content = pkg.xml(part)
                if content is not None:
                    text = layout(_page_items(content))
                    budget.add(len(text) + 1)
                    pieces.append(Piece("page", text, number))
            if repeated:
                warnings.append(f"repeated_pages: {repeated} 个页面引用了已读过的页面内容，只读一次")
    except (lzma.LZMAError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError,
            ValueError, KeyError) as e:
        raise CorruptFileError(f"{label}无法打开：OFD（ZIP）结构已损坏", path=name or None) from e
    except etree.XMLSyntaxError as e:
        if "Memory allocation failed" in (e.msg or ""):
            raise MemoryError(e.msg) from e  # the memory limit, not a broken file
        raise CorruptFileError(f"{label}的 XML 已损坏：{e.msg}", path=name or None) from e
    if not pages:
        raise CorruptFileError(f"{label}无法打开：OFD 中没有页面", path=name or None)
    text, segments = assemble(pieces)
    return ExtractedText(text=text, segments=segments, source_format="ofd", pages=len(pages),
                         warnings=tuple(warnings))
