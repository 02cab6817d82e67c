"""Split extracted text into sentences with offsets (the unit of evidence).

Source: GB/T 15834 (标点符号用法): 。！？ end a sentence, ； separates clauses of one; line
breaks and table cells end a sentence in drafts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BOUNDARY = re.compile(r"[^。！？；!?;\n\t]*[。！？；!?;]?[”’」』)）]*")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the extracted text.

    Attributes
    ----------
    text : str
        ``doc_text[start:end]``, stripped of surrounding whitespace.
    start, end : int
        Character offsets into the extracted text (end exclusive).
    """

    text: str
    start: int
    end: int


def split_sentences(text: str, *, max_chars: int = 300) -> list[Sentence]:
    """Split ``text`` at sentence punctuation, line breaks and tabs.

    Parameters
    ----------
    text : str
        The extracted text.
    max_chars : int
        Longer pieces are cut into chunks of at most this many characters.

    Returns
    -------
    list of Sentence
        Non-empty, in order, non-overlapping; ``text[s.start:s.end] == s.text``.
    """
    out: list[Sentence] = []
    for m in _BOUNDARY.finditer(text):
        a, b = m.start(), m.end()
        if a == b:
            continue
        piece = text[a:b]
        lead = len(piece) - len(piece.lstrip())
        trail = len(piece) - len(piece.rstrip())
        a, b = a + lead, b - trail
        while b - a > max_chars:
            out.append(Sentence(text[a:a + max_chars], a, a + max_chars))
            a += max_chars
        if b > a:
            out.append(Sentence(text[a:b], a, b))
    return out
