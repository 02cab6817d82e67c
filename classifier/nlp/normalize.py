"""Folding for matching: NFKC, full-width → half-width, traditional → simplified, lower case.

Folding never touches the extracted text a person reads; it is applied inside the tokeniser,
sentence by sentence, so that evidence offsets keep indexing the extracted text.

Source: issue 2 (§2, §4): "Folding for matching (NFKC, full-width digits, traditional →
simplified) happens inside the tokeniser".
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Any

_lock = threading.Lock()
_converter: Any = None


def _t2s() -> Any:
    """The OpenCC traditional → simplified converter, created once per process (thread-safe)."""
    global _converter
    if _converter is None:
        with _lock:
            if _converter is None:
                import opencc  # lazy: no work at import time

                _converter = opencc.OpenCC("t2s")
    return _converter


def fold(text: str) -> str:
    """Fold ``text`` for matching.

    Parameters
    ----------
    text : str
        Any text (a sentence, a document).

    Returns
    -------
    str
        NFKC-normalised (full-width digits, letters and punctuation become half-width, Kangxi
        radicals become ideographs), traditional characters converted to simplified (OpenCC
        ``t2s``), Latin letters lower-cased. The length may differ from ``text``.

    Notes
    -----
    Source: Unicode UAX #15 (NFKC); OpenCC t2s tables.
    """
    if not text:
        return ""
    s = unicodedata.normalize("NFKC", text)
    if not s.isascii():
        s = _t2s().convert(s)
    return s.lower()
